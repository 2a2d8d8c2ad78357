"""``contentHealth``: what is broken or missing in the content, for the operator only.

Each check (:data:`db.health.CHECKS`) is a count and a list of findings paged
with cursors; a finding says why in words and points at the file, address,
article, provider or topic concerned. Without the access token the field is
``FORBIDDEN``, as ``secured`` is. The report carries the instant it was made
(``checkedAt``), so it is never kept in the response cache: the refused files
change with every load, even one that changed no article.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry

from api.schema.connections import ContextInfo, PageInfo
from api.schema.pagination import DAMAGED, check_first, decode_values, encode_cursor
from api.schema.scalars import DateTime, as_datetime
from api.schema.types import Article, Provider, Topic
from core.errors import BadCursor, Forbidden
from db.health import CHECKS, HealthRow, valid_key


@strawberry.enum(description="A kind of content-health finding.")
class HealthCheckKind(Enum):
    REFUSED_FILES = strawberry.enum_value("REFUSED_FILES", description="Files refused.")
    UNMATCHED_RELATED = strawberry.enum_value(
        "UNMATCHED_RELATED", description="Related links that match no article."
    )
    DUPLICATE_URLS = strawberry.enum_value(
        "DUPLICATE_URLS", description="Web addresses shared by articles."
    )
    NO_IMAGES = strawberry.enum_value("NO_IMAGES", description="Articles without images.")
    NO_PROVIDER = strawberry.enum_value("NO_PROVIDER", description="Articles without provider.")
    NO_DATE = strawberry.enum_value("NO_DATE", description="Articles without a date.")
    UNNAMED_PROVIDERS = strawberry.enum_value(
        "UNNAMED_PROVIDERS", description="Providers without a name."
    )
    TOPICS_NOT_IN_TAXONOMY = strawberry.enum_value(
        "TOPICS_NOT_IN_TAXONOMY", description="Topics the taxonomy does not list."
    )


@strawberry.type(description="One finding: why, and what it is about.")
class HealthItem:
    reason: str = strawberry.field(description="What is wrong, in words.")
    path: str | None = strawberry.field(
        description="The file concerned, relative to the content folder."
    )
    line: int | None = strawberry.field(description="The line of the file, when known.")
    url: str | None = strawberry.field(description="The address concerned, if any.")
    row: strawberry.Private[HealthRow]

    @strawberry.field(description="The article concerned, if any.")
    async def article(self, info: ContextInfo) -> Article | None:
        if self.row.article_id is None:
            return None
        row = await info.context.batch().articles.load(self.row.article_id)
        return None if row is None else Article.from_row(row)

    @strawberry.field(description="The provider concerned, if any.")
    async def provider(self, info: ContextInfo) -> Provider | None:
        if self.row.provider_id is None:
            return None
        row = await info.context.batch().providers.load(self.row.provider_id)
        return None if row is None else Provider.from_row(row)

    @strawberry.field(description="The topic concerned, if any.")
    def topic(self, info: ContextInfo) -> Topic | None:
        if self.row.topic_id is None:
            return None
        found = info.context.db.topics_by_id([self.row.topic_id])
        return Topic.from_row(found[self.row.topic_id]) if self.row.topic_id in found else None


@strawberry.type(description="A page of findings.")
class HealthItemPage:
    nodes: list[HealthItem] = strawberry.field(description="The findings, in the check's order.")
    page_info: PageInfo = strawberry.field(description="Where this page is; cursors for more.")


@strawberry.type(description="One check of the content, with its count and findings.")
class HealthCheck:
    kind: HealthCheckKind = strawberry.field(description="Which check.")
    description: str = strawberry.field(description="What it finds, and in which order.")

    @strawberry.field(description="How many findings there are.")
    def count(self, info: ContextInfo) -> int:
        return info.context.db.health_count(self.kind.name)

    @strawberry.field(description="The findings, a page at a time.")
    def items(
        self,
        info: ContextInfo,
        first: Annotated[
            int, strawberry.argument(description="At most this many (1 to 100).")
        ] = 10,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
    ) -> HealthItemPage:
        kind = self.kind.name
        limit = check_first(first, info.context.limits.max_page) or first
        key = None if after is None else _key(kind, after)
        rows = info.context.db.health_items(kind, limit + 1, key)
        more, rows = len(rows) > limit, rows[:limit]
        cursors = [encode_cursor(f"health-{kind}", r.key, 0) for r in rows]
        return HealthItemPage(
            nodes=[_item(r) for r in rows],
            page_info=PageInfo(
                has_next_page=more,
                has_previous_page=after is not None,
                start_cursor=cursors[0] if cursors else None,
                end_cursor=cursors[-1] if cursors else None,
            ),
        )


def _key(kind: str, cursor: str) -> tuple[Any, ...]:
    types = tuple((type(part),) for part in CHECKS[kind].first_key)
    values, _ = decode_values(cursor, f"health-{kind}", types, int)
    if not valid_key(kind, values):
        raise BadCursor(DAMAGED)
    return values


def _item(row: HealthRow) -> HealthItem:
    return HealthItem(reason=row.reason, path=row.path, line=row.line, url=row.url, row=row)


@strawberry.type(description="What is broken or missing in the loaded content (operators only).")
class ContentHealth:
    version: int = strawberry.field(description="The content version the checks read.")
    checked_at: DateTime = strawberry.field(description="When this report was made (UTC).")

    @strawberry.field(description="The checks asked for (all by default), in a fixed order.")
    def checks(
        self,
        kinds: Annotated[
            list[HealthCheckKind] | None,
            strawberry.argument(description="Only these checks; all when left out."),
        ] = None,
    ) -> list[HealthCheck]:
        chosen = set(kinds) if kinds is not None else set(HealthCheckKind)
        return [
            HealthCheck(kind=k, description=CHECKS[k.name].description)
            for k in HealthCheckKind
            if k in chosen
        ]


def content_health(info: ContextInfo) -> ContentHealth:
    """The report, for a request with the access token; FORBIDDEN otherwise."""
    ctx = info.context
    if not ctx.authorized:
        raise Forbidden(
            "`contentHealth` is returned only to requests with the operator's access token "
            "(header `Authorization: Bearer <token>`)"
        )
    checked = as_datetime(ctx.now.timestamp())
    assert checked is not None
    return ContentHealth(version=ctx.db.content_version(), checked_at=checked)
