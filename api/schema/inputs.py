"""Filter and order inputs, and their translation into :mod:`db.query` data."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any

import strawberry

from api.schema.scalars import DateTime, Period
from core.errors import BadArgument
from db import query

MAX_FILTER_DEPTH = 5
MAX_LIST_VALUES = 100


@strawberry.enum(description="What a list of articles is sorted by.")
class ArticleSort(Enum):
    PUBLISHED_AT = strawberry.enum_value("PUBLISHED_AT", description="Publication time.")
    QUALITY = strawberry.enum_value("QUALITY", description="The item's quality score.")
    HEAT = strawberry.enum_value("HEAT", description="The item's heat (trending) score.")
    TITLE = strawberry.enum_value("TITLE", description="Title, by Unicode code point.")
    RELEVANCE = strawberry.enum_value(
        "RELEVANCE", description="Full-text relevance (BM25); needs `filter.text`."
    )


@strawberry.enum(description="Sort direction.")
class Direction(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest (or oldest, or least relevant) first.")
    DESC = strawberry.enum_value("DESC", description="Largest (or newest, or most relevant) first.")


@strawberry.input(description="How to sort articles. Ties are broken by id, so order is stable.")
class ArticleOrder:
    field: ArticleSort = strawberry.field(description="The sort key.")
    direction: Direction = strawberry.field(
        default=Direction.DESC, description="The direction; DESC by default."
    )


@strawberry.input(
    description=(
        "Conditions on articles. Every field set must hold (AND); `or` and `not` combine "
        "nested filters. Missing values never match a condition on them."
    )
)
class ArticleFilter:
    category: str | None = strawberry.field(default=None, description="Category equals.")
    category_in: list[str] | None = strawberry.field(
        default=None, description="Category is one of."
    )
    type: str | None = strawberry.field(
        default=None, description="Type equals (e.g. article, video)."
    )
    type_in: list[str] | None = strawberry.field(default=None, description="Type is one of.")
    topics_any: list[str] | None = strawberry.field(
        default=None, description="Has at least one of these topics (names or slugs)."
    )
    topics_all: list[str] | None = strawberry.field(
        default=None, description="Has all of these topics (names or slugs)."
    )
    provider_in: list[str] | None = strawberry.field(
        default=None, description="Provider domain is one of."
    )
    provider_not_in: list[str] | None = strawberry.field(
        default=None, description="Provider domain is none of."
    )
    published_after: DateTime | None = strawberry.field(
        default=None, description="Published at or after this time."
    )
    published_before: DateTime | None = strawberry.field(
        default=None, description="Published strictly before this time."
    )
    published_in: list[Period] | None = strawberry.field(
        default=None,
        description=(
            "Published in one of these years (`2021`) or months (`2021-02`), in UTC: an "
            "archive page. Several values are alternatives (OR)."
        ),
    )
    quality_min: int | None = strawberry.field(default=None, description="Quality at least.")
    quality_max: int | None = strawberry.field(default=None, description="Quality at most.")
    heat_min: int | None = strawberry.field(default=None, description="Heat at least.")
    heat_max: int | None = strawberry.field(default=None, description="Heat at most.")
    published: bool | None = strawberry.field(
        default=None, description="The item's `published` flag equals."
    )
    has_images: bool | None = strawberry.field(
        default=None, description="Whether the item has at least one image."
    )
    text: str | None = strawberry.field(
        default=None,
        description=(
            'Full-text search over title, excerpt and body: words, "a phrase", prefix*, '
            "AND / OR / NOT, NEAR(a b), and column filters like `title: word`."
        ),
    )
    include_descendants: bool | None = strawberry.field(
        default=None,
        description=(
            "With `topicsAny` / `topicsAll` at this level: a topic also matches the articles "
            "of its descendants in the topic taxonomy (`Topic.children`, recursively)."
        ),
    )
    and_: list[Annotated[ArticleFilter, strawberry.lazy("api.schema.inputs")]] | None = (
        strawberry.field(default=None, name="and", description="All of these filters hold.")
    )
    or_: list[Annotated[ArticleFilter, strawberry.lazy("api.schema.inputs")]] | None = (
        strawberry.field(
            default=None, name="or", description="At least one of these filters holds."
        )
    )
    not_: Annotated[ArticleFilter, strawberry.lazy("api.schema.inputs")] | None = strawberry.field(
        default=None, name="not", description="This filter does not hold."
    )


def _get(source: Any, python: str, graphql: str) -> Any:
    """A field of an input: a Strawberry object (resolvers) or a dict (compiled plans)."""
    if isinstance(source, Mapping):
        return source.get(graphql)
    return getattr(source, python)


def to_filter(f: ArticleFilter | Mapping[str, Any] | None, depth: int = 0) -> query.Filter | None:
    """Translate and bound a filter input (nesting depth, list sizes, empty text)."""
    if f is None:
        return None
    if depth >= MAX_FILTER_DEPTH:
        raise BadArgument(
            f"filters nest at most {MAX_FILTER_DEPTH} levels deep through and / or / not; "
            "flatten the filter"
        )

    def get(python: str, graphql: str | None = None) -> Any:
        return _get(f, python, graphql or camel(python))

    raw_text = get("text")
    text = raw_text.strip() if raw_text is not None else None
    if text == "":
        raise BadArgument("`filter.text` is empty; leave it out to match everything")
    return query.Filter(
        category=get("category"),
        category_in=_values(get("category_in"), "categoryIn"),
        type=get("type"),
        type_in=_values(get("type_in"), "typeIn"),
        topics_any=_values(get("topics_any"), "topicsAny"),
        topics_all=_values(get("topics_all"), "topicsAll"),
        provider_in=_domains(get("provider_in"), "providerIn"),
        provider_not_in=_domains(get("provider_not_in"), "providerNotIn"),
        published_after=get("published_after"),
        published_before=get("published_before"),
        published_in=_values(get("published_in"), "publishedIn"),
        quality_min=get("quality_min"),
        quality_max=get("quality_max"),
        heat_min=get("heat_min"),
        heat_max=get("heat_max"),
        published=get("published"),
        has_images=get("has_images"),
        text=text,
        include_descendants=bool(get("include_descendants")),
        all_of=tuple(_nested(get("and_", "and"), depth, "and")),
        any_of=tuple(_nested(get("or_", "or"), depth, "or")),
        none_of=to_filter(get("not_", "not"), depth + 1),
    )


def to_order(order: ArticleOrder | Mapping[str, Any] | None, f: query.Filter | None) -> query.Order:
    """The order to use: as asked, or by relevance for a search, else newest first."""
    texts = f.texts() if f is not None else []
    if order is None:
        return query.Order(query.Sort.RELEVANCE if texts else query.Sort.PUBLISHED_AT, True)
    field, direction = _get(order, "field", "field"), _get(order, "direction", "direction")
    sort = query.Sort[field.name]
    if sort is query.Sort.RELEVANCE and not texts:
        raise BadArgument("orderBy RELEVANCE needs a search: set `filter.text`")
    return query.Order(sort, direction is Direction.DESC)


def camel(name: str) -> str:
    """A Python field name as GraphQL writes it (``topics_any`` -> ``topicsAny``)."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _values(values: list[str] | None, name: str) -> tuple[str, ...] | None:
    if values is None:
        return None
    if len(values) > MAX_LIST_VALUES:
        raise BadArgument(f"`{name}` takes at most {MAX_LIST_VALUES} values, got {len(values)}")
    return tuple(values)


def _domains(values: list[str] | None, name: str) -> tuple[str, ...] | None:
    found = _values(values, name)
    return None if found is None else tuple(v.strip().lower() for v in found)


def _nested(filters: list[Any] | None, depth: int, name: str) -> list[query.Filter]:
    if filters is None:
        return []
    if len(filters) > MAX_LIST_VALUES:
        raise BadArgument(f"`{name}` takes at most {MAX_LIST_VALUES} filters")
    out = []
    for sub in filters:
        compiled = to_filter(sub, depth + 1)
        if compiled is not None:
            out.append(compiled)
    return out
