"""Article selections SQLite can render as JSON (see :mod:`db.json_nodes`).

A plan whose article selections use only plain fields (columns, flags, global
ids, ``__typename``) and the lists and objects that hang off an article — its
provider, images, lead image, topics, related items with their provider, images
and article — describes each as a :class:`~db.json_nodes.Shape`, and SQLite
writes the nodes' JSON in one statement. Anything else (``secured``, ``extra``,
a provider's logos or articles, a topic's parent, children, keywords or
articles) keeps
the plan's Python path, which builds the same JSON field by field.
"""

from __future__ import annotations

from typing import Any

from api.plans.tree import Field, Parameter, Rendered
from db.json_nodes import TARGETS, Part, Shape

TYPE_NAMES = {
    "articles": "Article", "related": "RelatedItem", "images": "Image",
    "providers": "Provider", "topics": "Topic",
}  # fmt: skip
COLUMNS: dict[str, dict[str, str]] = {
    "articles": {
        "slug": "slug", "path": "path", "category": "category", "title": "title",
        "excerpt": "excerpt", "body": "body", "publishedAt": "published_at",
        "originalUrl": "original_url", "webUrl": "web_url", "ampWebUrl": "amp_web_url",
        "cdnAmpWebUrl": "cdn_amp_web_url", "type": "type", "quality": "quality",
        "heat": "heat", "featuredContent": "featured_content", "bodyHtml": "body_html",
        "featuredContentHtml": "featured_content_html",
    },
    "related": {
        "title": "title", "excerpt": "excerpt", "publishedAt": "published_at",
        "webUrl": "web_url", "ampWebUrl": "amp_web_url", "cdnAmpWebUrl": "cdn_amp_web_url",
        "type": "type", "quality": "quality",
    },
    "images": {
        "url": "url", "width": "width", "height": "height", "title": "title",
        "attribution": "attribution",
    },
    "providers": {"domain": "domain", "name": "name", "articleCount": "article_count"},
    "topics": {"name": "name", "slug": "slug", "articleCount": "article_count"},
}  # fmt: skip
FLAGS = {"articles": {"published": "published"}, "images": {"isCached": "is_cached"}}
RELATIONS = {
    "articles": {
        "provider": "provider", "images": "images", "leadImage": "lead", "topics": "topics",
        "related": "related",
    },
    "related": {"provider": "provider", "article": "article", "images": "images"},
}  # fmt: skip
PARAMETERS = {"images": "first", "related": "first", "lead": "minWidth"}
"""The argument each parameterised relation takes its run-time value from."""


def rendered(fields: tuple[Field, ...]) -> Rendered | None:
    """The shape of an article selection, or None when SQLite cannot render it."""
    parameters: list[Parameter] = []
    shape = _shape("articles", fields, parameters)
    return None if shape is None else Rendered(shape, tuple(parameters))


def _shape(table: str, fields: tuple[Field, ...], parameters: list[Parameter]) -> Shape | None:
    parts: list[Part] = []
    for f in fields:
        part = _part(table, f, parameters)
        if part is None:
            return None
        parts.append(part)
    return Shape(table, tuple(parts))


def _part(table: str, f: Field, parameters: list[Parameter]) -> Part | None:
    if f.name == "__typename":
        return Part(f.key, "text", TYPE_NAMES[table])
    if f.name == "id" and table in ("articles", "providers", "topics"):
        return Part(f.key, "id", TYPE_NAMES[table])
    if f.name == "storyId" and table == "articles":
        return Part(f.key, "story")
    column = COLUMNS.get(table, {}).get(f.name)
    if column is not None:
        return Part(f.key, "column", column)
    flag = FLAGS.get(table, {}).get(f.name)
    if flag is not None:
        return Part(f.key, "flag", flag)
    relation = RELATIONS.get(table, {}).get(f.name)
    if relation is None:
        return None
    inner = _shape(TARGETS[relation], f.children, parameters)
    if inner is None:
        return None
    param = None
    if relation in PARAMETERS:
        param = len(parameters)
        parameters.append(Parameter(f, PARAMETERS[relation]))
    return Part(f.key, relation, shape=inner, param=param)


def no_limit(value: Any) -> Any:
    """SQLite's ``LIMIT`` for "all" is a negative number."""
    return -1 if value is None else value
