"""Facet groups for a sidebar: counts, what the feed selects, and the filter to toggle.

A feed's ``filter`` selects values in *groups*: topics (``topicsAny``), providers
(``providerIn``), categories (``category``/``categoryIn``), types (``type``/``typeIn``)
and publication periods (``publishedIn``, shared by the years and months groups).
Within a group the values are alternatives (OR); groups combine with AND.

Each listed value says whether the feed selects it and carries ``toggle``: the
feed's own filter with that value added to its group, or removed from it, in the
GraphQL input's shape, so a client passes it straight back as the next query's
``filter``. Only the group's top-level field changes; every other condition,
nested ``and``/``or``/``not`` included, is kept as written.

*Disjunctive* counts (``facets(disjunctive: true)``) count each group over the
feed without that group's own selection, as shop sidebars do: with two topics
selected the topic counts are those of the feed without the topic filter, while
the provider counts reflect both topics. Both executors call :func:`group`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from api.schema.inputs import camel
from api.schema.pages import ArticlePage, scoped
from core.errors import BadArgument
from db import query
from db.reader import Session
from db.rows import FacetRow

KINDS = ("topics", "providers", "categories", "types", "years", "months")
"""The facet groups, by their field names in ``Facets``."""


@dataclass(frozen=True, slots=True)
class Group:
    """Where a facet group's selection lives in a filter."""

    single: str | None
    """A field holding one selected value (``category``), if the group has one."""
    many: str
    """The field holding several (OR), which a toggle writes."""
    input_name: str
    """``many`` as the client writes it (for messages)."""
    width: int | None = None
    """For periods: the length of this group's values (4: years, 7: months)."""


GROUPS = {
    "topics": Group(None, "topics_any", "topicsAny"),
    "providers": Group(None, "provider_in", "providerIn"),
    "categories": Group("category", "category_in", "categoryIn"),
    "types": Group("type", "type_in", "typeIn"),
    "years": Group(None, "published_in", "publishedIn", 4),
    "months": Group(None, "published_in", "publishedIn", 7),
}


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet group as a sidebar shows it."""

    value: str
    label: str | None
    count: int
    selected: bool
    toggle: dict[str, Any]


def selection(f: query.Filter | None, kind: str) -> tuple[str, ...]:
    """The values a filter selects at its top level in a group, in the order written."""
    if f is None:
        return ()
    g = GROUPS[kind]
    one = getattr(f, g.single) if g.single else None
    values = (*((one,) if one is not None else ()), *(getattr(f, g.many) or ()))
    if g.width is not None:
        values = tuple(v for v in values if len(v) == g.width)
    return tuple(dict.fromkeys(values))


def without(f: query.Filter | None, kind: str) -> query.Filter | None:
    """The filter without the group's selection (both period groups share one field)."""
    if f is None:
        return None
    g = GROUPS[kind]
    cleared: dict[str, Any] = {g.many: None}
    if g.single:
        cleared[g.single] = None
    rest = replace(f, **cleared)
    return None if rest == query.Filter() else rest


def toggled(f: query.Filter | None, kind: str, value: str, label: str | None) -> query.Filter:
    """The filter with ``value`` added to its group's selection, or removed from it."""
    base = f or query.Filter()
    g = GROUPS[kind]
    current = [*((getattr(base, g.single),) if g.single and getattr(base, g.single) else ())]
    current += [v for v in getattr(base, g.many) or () if v not in current]
    chosen = {value} if label is None else {value, label}
    kept = [v for v in current if v not in chosen]
    if len(kept) == len(current):
        kept.append(value)
    changed: dict[str, Any] = {g.many: tuple(kept) or None}
    if g.single:
        changed[g.single] = None
    return replace(base, **changed)


def to_input(f: query.Filter | None) -> dict[str, Any]:
    """A filter as the ``ArticleFilter`` input a client writes (only what is set)."""
    if f is None:
        return {}
    out: dict[str, Any] = {}
    for spec in fields(query.Filter):
        value = getattr(f, spec.name)
        if value is None or value == () or value is False:
            continue
        if spec.name == "all_of":
            out["and"] = [to_input(sub) for sub in value]
        elif spec.name == "any_of":
            out["or"] = [to_input(sub) for sub in value]
        elif spec.name == "none_of":
            out["not"] = to_input(value)
        else:
            out[camel(spec.name)] = list(value) if isinstance(value, tuple) else value
    return out


def group(
    db: Session,
    page: ArticlePage,
    kind: str,
    first: int,
    disjunctive: bool,
    toggles: bool = True,
) -> list[FacetValue]:
    """A facet group of a page's feed: its ``first`` values, then any value the feed
    selects that is not among them (a sidebar always shows what is ticked). Without
    ``toggles`` (nobody asked for them) each ``toggle`` is left empty."""
    user = page.user_filter
    chosen = selection(user, kind)
    counted = page.filter
    if disjunctive:
        counted = scoped(without(user, kind), page.provider, page.topic, page.dedupe)
    rows = db.facets(counted, kind, first)
    listed = {r.value for r in rows} | {r.label for r in rows if r.label is not None}
    missing = tuple(v for v in chosen if v not in listed)
    if missing:
        extra = {r.value: r for r in db.facets(counted, kind, len(missing) * 2, values=missing)}
        extra |= {r.label: r for r in extra.values() if r.label is not None}
        rows = [*rows, *(extra.get(v) or FacetRow(v, None, 0) for v in missing)]
    out = []
    for r in dict.fromkeys(rows):
        label = _period_label(r.value) if GROUPS[kind].width else r.label
        selected = r.value in chosen or (kind == "topics" and r.label in chosen)
        toggle = (
            to_input(toggled(user, kind, r.value, r.label if kind == "topics" else None))
            if toggles
            else {}
        )
        out.append(FacetValue(r.value, label, r.total, selected, toggle))
    return out


def unfiltered(rows: list[FacetRow], kind: str) -> list[FacetValue]:
    """Values counted over every article (``Query.categories``): none selected, each
    toggle the filter that selects it alone."""
    return [
        FacetValue(r.value, r.label, r.total, False, to_input(toggled(None, kind, r.value, None)))
        for r in rows
    ]


def check_selection(db: Session, user: query.Filter | None) -> None:
    """A topic, provider, category or type that the filter selects (at its top level)
    and no article has is a mistake when the list's facets are asked for: the sidebar
    could not show it. Checked by the list itself, before any of its fields resolve.
    A year or month with no articles is an empty archive page, not an error."""
    for kind in ("topics", "providers", "categories", "types"):
        _check_known(db, kind, selection(user, kind))


def _check_known(db: Session, kind: str, chosen: tuple[str, ...]) -> None:
    if not chosen:
        return
    found = db.facets(None, kind, len(chosen) * 2, values=chosen)
    known = {r.value for r in found} | {r.label for r in found if r.label is not None}
    unknown = [v for v in chosen if v not in known]
    if unknown:
        name = GROUPS[kind].input_name
        raise BadArgument(
            f"`filter.{name}` selects {unknown[0]!r}, which no article has; pick values "
            f"from `facets.{kind}` (their `value`, or `toggle` as the next filter)"
        )


MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
"""Month names for labels (English whatever the process's locale)."""


def _period_label(value: str) -> str:
    """``2021`` -> ``2021``; ``2021-02`` -> ``February 2021``."""
    if len(value) == 7 and value[4] == "-" and value[5:].isdigit() and 1 <= int(value[5:]) <= 12:
        return f"{MONTHS[int(value[5:]) - 1]} {value[:4]}"
    return value
