"""What each field of a plan reads and writes.

The columns a selection on ``Article`` or ``RelatedItem`` needs (so a page
reads 10 of 21 columns, and rarely the long body), and the getters that turn
a row into the value graphql-core would have produced for each field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from api.plans.tree import Field
from core.ids import encode_id
from db.rows import ArticleRow, Columns, ImageRow, ProviderRow, RelatedRow, TopicRow

_ARTICLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "publishedAt": ("published_at",), "originalUrl": ("original_url",),
    "webUrl": ("web_url",), "ampWebUrl": ("amp_web_url",),
    "cdnAmpWebUrl": ("cdn_amp_web_url",), "featuredContent": ("featured_content",),
    "bodyHtml": ("body_html",), "featuredContentHtml": ("featured_content_html",),
    "provider": (), "images": (), "leadImage": (), "topics": (), "related": (),
    "similar": (), "duplicates": (), "__typename": (), "storyId": ("story_id",),
    "filedProvider": (),
    "url": ("web_url", "original_url", "amp_web_url", "cdn_amp_web_url"),
    **{name: (name,) for name in (
        "id", "slug", "path", "category", "title", "excerpt", "body", "type", "quality",
        "heat", "published", "secured", "extra",
    )},
}  # fmt: skip
_RELATED_COLUMNS: dict[str, tuple[str, ...]] = {
    "publishedAt": ("published_at",), "webUrl": ("web_url",), "ampWebUrl": ("amp_web_url",),
    "cdnAmpWebUrl": ("cdn_amp_web_url",), "provider": (), "images": (), "article": (),
    "__typename": (), "url": ("web_url", "amp_web_url", "cdn_amp_web_url"), "filedProvider": (),
    **{name: (name,) for name in ("title", "excerpt", "type", "quality", "extra")},
}  # fmt: skip


def union(fields: Iterable[Field]) -> Columns:
    """The columns several selections of one list read together."""
    wanted: set[str] = set()
    for f in fields:
        if f.columns is None:
            return None
        wanted |= f.columns
    return frozenset(wanted)


def columns_of(type_name: str, children: tuple[Field, ...]) -> Columns:
    """The columns a selection on Article, RelatedItem or ArticleConnection reads.

    ``None`` (every column) for other types and for any field not mapped here.
    """
    if type_name == "ArticleConnection":
        lists = [c for c in children if c.name == "nodes"]
        lists += [n for c in children if c.name == "edges" for n in c.children if n.name == "node"]
        return union(lists)
    wanted: set[str] = set()
    table = {"Article": _ARTICLE_COLUMNS, "RelatedItem": _RELATED_COLUMNS}.get(type_name)
    if table is None:
        return None
    for c in children:
        found = table.get(c.name)
        if found is None:
            return None
        wanted.update(found)
    return frozenset(wanted)


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _extra(value: str | None) -> Any:
    return json.loads(value) if value else None


ARTICLE_SCALARS: dict[str, Callable[[ArticleRow], Any]] = {
    "id": lambda r: encode_id("Article", r.id),
    "slug": lambda r: r.slug,
    "path": lambda r: r.path,
    "category": lambda r: r.category,
    "title": lambda r: r.title,
    "excerpt": lambda r: r.excerpt,
    "body": lambda r: r.body,
    "publishedAt": lambda r: r.published_at,
    "originalUrl": lambda r: r.original_url,
    "webUrl": lambda r: r.web_url,
    "ampWebUrl": lambda r: r.amp_web_url,
    "cdnAmpWebUrl": lambda r: r.cdn_amp_web_url,
    "type": lambda r: r.type,
    "quality": lambda r: r.quality,
    "heat": lambda r: r.heat,
    "published": lambda r: _flag(r.published),
    "featuredContent": lambda r: r.featured_content,
    "bodyHtml": lambda r: r.body_html,
    "featuredContentHtml": lambda r: r.featured_content_html,
    "extra": lambda r: _extra(r.extra),
    "storyId": lambda r: encode_id("Story", r.story_id),
}
RELATED_SCALARS: dict[str, Callable[[RelatedRow], Any]] = {
    "title": lambda r: r.title,
    "excerpt": lambda r: r.excerpt,
    "publishedAt": lambda r: r.published_at,
    "webUrl": lambda r: r.web_url,
    "ampWebUrl": lambda r: r.amp_web_url,
    "cdnAmpWebUrl": lambda r: r.cdn_amp_web_url,
    "type": lambda r: r.type,
    "quality": lambda r: r.quality,
    "extra": lambda r: _extra(r.extra),
}
_IMAGE_SCALARS: dict[str, Callable[[ImageRow], Any]] = {
    "url": lambda r: r.url,
    "width": lambda r: r.width,
    "height": lambda r: r.height,
    "isCached": lambda r: _flag(r.is_cached),
    "title": lambda r: r.title,
    "attribution": lambda r: r.attribution,
}
_IMAGE_GETTERS: dict[str, Callable[[ImageRow], Any]] = {
    **_IMAGE_SCALARS, "__typename": lambda r: "Image",
}  # fmt: skip
PROVIDER_SCALARS: dict[str, Callable[[ProviderRow], Any]] = {
    "id": lambda r: encode_id("Provider", r.domain),
    "domain": lambda r: r.domain,
    "name": lambda r: r.name,
    "articleCount": lambda r: r.article_count,
}
TOPIC_SCALARS: dict[str, Callable[[TopicRow], Any]] = {
    "id": lambda r: encode_id("Topic", r.slug),
    "name": lambda r: r.name,
    "slug": lambda r: r.slug,
    "keywords": lambda r: json.loads(r.keywords) if r.keywords else [],
    "hashtags": lambda r: json.loads(r.hashtags) if r.hashtags else [],
    "articleCount": lambda r: r.article_count,
}


_PROVIDER_GETTERS: dict[str, Callable[[Any], Any]] = {
    **PROVIDER_SCALARS, "__typename": lambda r: "Provider",
}  # fmt: skip
_TOPIC_GETTERS: dict[str, Callable[[Any], Any]] = {
    **TOPIC_SCALARS, "__typename": lambda r: "Topic",
}  # fmt: skip
PLAIN_GETTERS = {"Image": _IMAGE_GETTERS, "Provider": _PROVIDER_GETTERS, "Topic": _TOPIC_GETTERS}
