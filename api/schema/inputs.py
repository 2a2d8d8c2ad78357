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
    TRENDING = strawberry.enum_value(
        "TRENDING",
        description=(
            "Trending now: `(1 + max(heat, 0) + max(quality, 0)) * 2^(-ageHours / "
            "halfLifeHours)`, where ageHours runs from publication to the list's `asOf` (0 "
            "for later publications) and a missing heat or quality counts as 0; articles "
            "without a publication time come last. Most trending first (DESC only). The "
            "first page fixes `asOf` (the connection's `asOf`) and its cursors carry it, so "
            "later pages rank as of the same instant, however much later they are asked for."
        ),
    )


@strawberry.enum(description="Sort direction.")
class Direction(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest (or oldest, or least relevant) first.")
    DESC = strawberry.enum_value("DESC", description="Largest (or newest, or most relevant) first.")


MAX_HALF_LIFE = 720.0
"""The longest TRENDING half-life, in hours (30 days): a page walks the articles of
about ``half_life * log2(best base / page's base)`` hours, so this bounds it."""


@strawberry.input(
    description=(
        "One key of an article order. `orderBy` takes a list of keys, the first deciding "
        "first (a single key may be given without the list brackets); ties left by every key "
        "are broken by id, in the last key's direction, so the order is stable. Missing "
        "values sort as the lowest: last in a DESC key, first in an ASC one."
    )
)
class ArticleOrder:
    field: ArticleSort = strawberry.field(description="The sort key.")
    direction: Direction = strawberry.field(
        default=Direction.DESC, description="The direction; DESC by default."
    )
    half_life_hours: float | None = strawberry.field(
        default=None,
        description=(
            "TRENDING only: hours after which an article's score has halved (default 24, "
            f"more than 0 and at most {MAX_HALF_LIFE:g})."
        ),
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


def to_order(order: Any, f: query.Filter | None) -> query.Order:
    """The order to use: as asked (one key or a list; a key given again is dropped, it
    cannot change the order), else by relevance for a search, else newest first. Errors
    say what to write instead."""
    texts = f.texts() if f is not None else []
    keys = [] if order is None else list(order) if isinstance(order, list | tuple) else [order]
    if not keys:  # none, or an empty list
        return query.Order(query.Sort.RELEVANCE if texts else query.Sort.PUBLISHED_AT, True)
    parsed: list[tuple[query.Sort, bool, float | None]] = []
    for key in keys:
        field, direction = _get(key, "field", "field"), _get(key, "direction", "direction")
        sort = query.Sort[field.name]
        if any(sort is seen for seen, _, _ in parsed):
            continue  # a key given again cannot change the order
        hours = _get(key, "half_life_hours", "halfLifeHours")
        parsed.append((sort, direction is Direction.DESC, hours))
    for sort, _, _ in parsed:
        if sort.scored and len(parsed) > 1:
            raise BadArgument(
                f"{sort.name} ranks by a score of its own: give it alone in `orderBy` "
                "(ties are broken by id)"
            )
    sort, descending, half_life = parsed[0]
    if sort is query.Sort.RELEVANCE and not texts:
        raise BadArgument("orderBy RELEVANCE needs a search: set `filter.text`")
    for other, _, hours in parsed:
        if hours is not None and other is not query.Sort.TRENDING:
            raise BadArgument(
                f"`halfLifeHours` belongs to TRENDING; leave it out of the {other.name} key"
            )
    if sort is query.Sort.TRENDING:
        if not descending:
            raise BadArgument(
                "TRENDING lists the most trending first: leave `direction` out or set DESC "
                "(page backward with `last` and `before`)"
            )
        hours = 24.0 if half_life is None else half_life
        if not 0 < hours <= MAX_HALF_LIFE:
            raise BadArgument(
                f"`halfLifeHours` must be more than 0 and at most {MAX_HALF_LIFE:g}, got "
                f"{hours:g}; write e.g. `halfLifeHours: 24` for a day, or leave it out"
            )
        return query.Order(sort, True, half_life=float(hours))
    then = tuple(query.Key(s, d) for s, d, _ in parsed[1:])
    return query.Order(sort, descending, then)


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
