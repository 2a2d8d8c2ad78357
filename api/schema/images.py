"""Pictures: the ``Image`` type and the choice of an article's lead image.

Both executors choose the lead image with :func:`pick_lead_image` (the compiled plans
when SQLite does not choose it for them, see :mod:`db.json_nodes`).
"""

from __future__ import annotations

import strawberry

from api.schema.connections import ContextInfo
from api.schema.pagination import check_first
from db.rows import AREA_CAP, ImageRow


@strawberry.type(description="A picture: an article's, a related item's or a provider's logo.")
class Image:
    url: str = strawberry.field(description="Where the picture is.")
    width: int | None = strawberry.field(description="Width in pixels, when known.")
    height: int | None = strawberry.field(description="Height in pixels, when known.")
    is_cached: bool | None = strawberry.field(
        description="Whether the source says the picture is cached on its CDN."
    )
    title: str | None = strawberry.field(description="The picture's title or caption.")
    attribution: str | None = strawberry.field(description="Who to credit for the picture.")

    @classmethod
    def from_row(cls, row: ImageRow) -> Image:
        return cls(
            url=row.url,
            width=row.width,
            height=row.height,
            is_cached=None if row.is_cached is None else bool(row.is_cached),
            title=row.title,
            attribution=row.attribution,
        )


def image_list(rows: list[ImageRow], first: int | None, info: ContextInfo) -> list[Image]:
    """A list of images as a field returns it: the first ``first`` (checked), or all."""
    limit = check_first(first, info.context.limits.max_page)
    return [Image.from_row(r) for r in (rows if limit is None else rows[:limit])]


def pick_lead_image(rows: list[ImageRow], min_width: int) -> ImageRow | None:
    """The widest qualifying image; unknown widths qualify only when ``min_width`` is 0."""

    def score(row: ImageRow) -> tuple[int, int, int]:
        area = max(min((row.width or 0) * (row.height or 0), AREA_CAP), -AREA_CAP)
        return (area, row.is_cached or 0, -row.position)

    fitting = [r for r in rows if (r.width or 0) >= min_width] if min_width > 0 else rows
    return max(fitting, key=score) if fitting else None
