"""``filedProvider``: the provider exactly as an item's file wrote it.

``Article.provider`` and ``RelatedItem.provider`` are the shared record of the
domain, whose name and logos may come from another file or from the site's
organization records. ``filedProvider`` is what this file itself said.
"""

from __future__ import annotations

import json
from typing import Any

import strawberry

from api.schema.arguments import NestedFirst
from api.schema.connections import ContextInfo
from api.schema.images import Image, image_list
from db.filed import FiledProviderRow
from db.rows import ImageRow

DESCRIPTION = (
    "The provider exactly as this item's file wrote it (name, domain, logos), where `provider` "
    "is the shared record of its domain; null when the file names none."
)


def image_rows(row: FiledProviderRow) -> list[ImageRow]:
    """The logos of a filed provider as picture rows (owner: the form's id)."""
    if not row.images:
        return []
    return [ImageRow(row.id, i, *values) for i, values in enumerate(json.loads(row.images))]


@strawberry.type(description="A provider as one file wrote it, before it met the shared record.")
class FiledProvider:
    domain: str = strawberry.field(
        description="The domain the file gave (lower-cased), or else its URL's host without `www.`."
    )
    name: str | None = strawberry.field(description="The name the file gave, if any.")
    row: strawberry.Private[FiledProviderRow]

    @strawberry.field(description="The logos the file listed, in their order.")
    def images(self, info: ContextInfo, first: NestedFirst = None) -> list[Image]:
        return image_list(image_rows(self.row), first, info)


async def filed_provider(info: ContextInfo, form_id: int | None) -> FiledProvider | None:
    """The filed provider of an article or related item, by its form's id (batched)."""
    if form_id is None:
        return None
    row = await info.context.batch().filed_providers.load(form_id)
    return None if row is None else FiledProvider(domain=row.domain, name=row.name, row=row)


def resolver() -> Any:
    """The ``filedProvider`` field of a type whose objects keep their row as ``row``."""

    async def resolve(root: Any, info: ContextInfo) -> FiledProvider | None:
        return await filed_provider(info, root.row.filed_provider_id)

    return strawberry.field(resolver=resolve, description=DESCRIPTION)
