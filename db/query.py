"""Article queries as data, and their translation into SQL with bound parameters.

The API turns its GraphQL inputs into :class:`Filter` and :class:`Order`;
this module turns those into a ``WHERE`` fragment and an ``ORDER BY`` with a
keyset condition. SQL text is built only from fixed fragments chosen here;
every value a client sends travels as a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from typing import Any

from db.schema import LOW_INT


class Sort(Enum):
    """What articles can be sorted by; each column key has an index ``(key, id)``.

    Missing values are stored in the key columns as the lowest value (see
    :mod:`db.schema`), so they sort last in a descending key and first in an
    ascending one, in every position of an order, and a cursor carries them as is.
    """

    PUBLISHED_AT = "sk_published"
    QUALITY = "sk_quality"
    HEAT = "sk_heat"
    TITLE = "sk_title"
    RELEVANCE = "relevance"
    TRENDING = "trending"

    @property
    def scored(self) -> bool:
        """Whether this sort ranks by a computed score (not a column): it stands alone."""
        return self in (Sort.RELEVANCE, Sort.TRENDING)


@dataclass(frozen=True, slots=True)
class Key:
    """One key of an order after the first: a column sort and its direction."""

    sort: Sort
    descending: bool = True


@dataclass(frozen=True, slots=True)
class Order:
    """Sort keys and directions: the first, then ``then``; ``id`` breaks ties, in the
    direction of the last key. ``half_life`` (hours) is TRENDING's."""

    sort: Sort = Sort.PUBLISHED_AT
    descending: bool = True
    then: tuple[Key, ...] = ()
    half_life: float = 24.0

    @property
    def keys(self) -> tuple[Key, ...]:
        """Every key, the first one included."""
        return (Key(self.sort, self.descending), *self.then)

    @property
    def last_descending(self) -> bool:
        """The direction of the last key, which the id tie-break follows."""
        return self.then[-1].descending if self.then else self.descending

    @property
    def served(self) -> bool:
        """Whether an index gives this order (or a first key that is nearly unique leaves
        only small groups of ties to sort): else its matches are sorted, slow work.

        The indexes ``(quality, published, id)`` and ``(heat, published, id)`` serve the
        common pairs "best (or hottest), then newest" in either direction.
        """
        if not self.then or self.sort in (Sort.PUBLISHED_AT, Sort.TITLE):
            return True
        return (
            len(self.then) == 1
            and self.sort in (Sort.QUALITY, Sort.HEAT)
            and self.then[0] == Key(Sort.PUBLISHED_AT, self.descending)
        )


@dataclass(frozen=True, slots=True)
class Filter:
    """A combinable article filter; ``None`` means "no condition"."""

    category: str | None = None
    category_in: tuple[str, ...] | None = None
    type: str | None = None
    type_in: tuple[str, ...] | None = None
    topics_any: tuple[str, ...] | None = None
    topics_all: tuple[str, ...] | None = None
    provider_in: tuple[str, ...] | None = None
    provider_not_in: tuple[str, ...] | None = None
    published_after: str | None = None
    published_before: str | None = None
    published_in: tuple[str, ...] | None = None
    quality_min: int | None = None
    quality_max: int | None = None
    heat_min: int | None = None
    heat_max: int | None = None
    published: bool | None = None
    has_images: bool | None = None
    text: str | None = None
    include_descendants: bool = False
    dedupe: bool = False
    """Keep one article per story: the best among the story's articles that match the
    rest of the filter (see :func:`story_condition`). Meaningful at the top level only."""
    all_of: tuple[Filter, ...] = ()
    any_of: tuple[Filter, ...] = ()
    none_of: Filter | None = None

    def texts(self) -> list[str]:
        """Every full-text query inside this filter (for relevance and checks)."""
        found = [self.text] if self.text else []
        for sub in (*self.all_of, *self.any_of):
            found.extend(sub.texts())
        return found


@dataclass(frozen=True, slots=True)
class Where:
    """A SQL condition over ``articles a`` and its parameters."""

    sql: str
    params: tuple[Any, ...]


TOPIC_IDS = "SELECT id FROM topics WHERE name IN ({marks}) OR slug IN ({marks})"
TOPIC_TREE_IDS = (
    "WITH RECURSIVE tree(id, name) AS (SELECT id, name FROM topics"
    " WHERE name IN ({marks}) OR slug IN ({marks})"
    " UNION SELECT t.id, t.name FROM topics t JOIN tree ON t.parent = tree.name COLLATE NOCASE)"
    " SELECT id FROM tree"
)
"""The topics named (by name or slug) and all their descendants in the taxonomy (a
topic's ``parent`` is its parent's name; ``UNION`` stops at a cycle)."""


def period_range(period: str) -> tuple[str, str]:
    """The ``published_at`` text range ``[start, end)`` of a year (``2021``) or a month
    (``2021-02``), as compared with stored UTC ISO-8601 text."""
    year = int(period[:4])
    if len(period) == 4:
        return f"{year:04d}", f"{year + 1:04d}"
    month = int(period[5:7])
    following = f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"
    return period, following


SEARCH_WINDOW = 10_000
"""How many matches of a full-text condition a query considers, by default (the limit
``search_window``): the most recently loaded.

A word found in nearly every article (``the``) would otherwise cost a read of
its whole posting list, and a ranking of every match, on every first request;
with the window, the work of any search is bounded, as search engines bound
theirs. Counts and facets over a search say whether they are exact
(``countsExact``): they are whenever a search matches at most this many.
"""
MATCHES = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
"""The ids of a search's window (parameters: the search text, the window)."""
WINDOW_START = f"(SELECT ifnull(min(rowid), 0) FROM ({MATCHES}))"
"""The lowest id in a search's window, to rank only its matches (text, window)."""


@lru_cache(maxsize=4096)
def where(
    f: Filter | None, window: int = SEARCH_WINDOW, visible_before: str | None = None
) -> Where:
    """Compile a filter to a condition on ``articles a`` (``1`` when empty).

    A full-text condition holds for the ``window`` most recently loaded matches. Kept
    for the filters compiled last: a feed's page, count and facets compile the same
    filter on every request (a ``dedupe`` one twice over). ``visible_before``: the
    publication window's bound, which a story's better members must be within too (a
    member still to be published does not hide the one shown until then).
    """
    parts: list[str] = []
    params: list[Any] = []
    if f is not None:
        _compile(f, parts, params, window)
        if f.dedupe:
            story = story_condition(replace(f, dedupe=False), window, visible_before)
            parts.append(story.sql)
            params.extend(story.params)
    return Where(" AND ".join(parts) if parts else "1", tuple(params))


def where_rest(f: Filter, window: int, visible_before: str | None = None, **cleared: Any) -> Where:
    """The condition of a filter without some of its fields (which the query applies
    otherwise: a topic's index it walks, a search's matches it joins), with its story
    condition still taken over the whole filter."""
    rest = where(replace(f, dedupe=False, **cleared), window)
    if not f.dedupe:
        return rest
    story = story_condition(replace(f, dedupe=False), window, visible_before)
    return Where(f"{rest.sql} AND {story.sql}", (*rest.params, *story.params))


BETTER = "(d.sk_quality, d.sk_published, d.id) > (a.sk_quality, a.sk_published, a.id)"
"""Article ``d`` is a better representative of its story than ``a``: higher quality, then
newer, then (a tie-break, for a stable choice) the higher id."""


def story_condition(
    f: Filter | None, window: int = SEARCH_WINDOW, visible_before: str | None = None
) -> Where:
    """``a`` is its story's best article among those that match ``f`` (and are published
    before ``visible_before``, when given): no better such member of its story. One probe
    of the index ``(story_id, quality, published, id)`` per article, which finds nothing
    for most (a story of one)."""
    inner = where(f, window)
    sql = f"NOT EXISTS (SELECT 1 FROM articles d WHERE d.story_id = a.story_id AND {BETTER}"
    params: tuple[Any, ...] = ()
    if visible_before is not None:
        sql += " AND +d.sk_published < ?"
        params = (visible_before,)
    if inner.sql != "1":  # the inner `a` is the member `d`, tested against the filter
        sql += f" AND EXISTS (SELECT 1 FROM articles a WHERE a.id = d.id AND {inner.sql})"
    return Where(sql + ")", (*params, *inner.params))


def _plus(values: tuple[Any, ...]) -> str:
    return "+" if len(values) > 1 else ""


def _marks(values: tuple[Any, ...]) -> str:
    return ", ".join("?" * len(values))


def _compile(f: Filter, parts: list[str], params: list[Any], window: int) -> None:
    def add(sql: str, *values: Any) -> None:
        parts.append(sql)
        params.extend(values)

    if f.category is not None:
        add("a.category = ?", f.category)
    # several values of an indexed column: tested row by row (+column), since reading
    # each value's index range would need a sort of all of them for the page's order
    if f.category_in is not None:
        add(f"{_plus(f.category_in)}a.category IN ({_marks(f.category_in)})", *f.category_in)
    if f.type is not None:
        add("a.type = ?", f.type)
    if f.type_in is not None:
        add(f"{_plus(f.type_in)}a.type IN ({_marks(f.type_in)})", *f.type_in)
    # topics and ranges are tested row by row (EXISTS, +column): a topic's hundreds of
    # thousands of ids or a range that covers most articles must never become the rows
    # a query starts from and then sorts; the sort's index (or a scope's) drives it
    topic_ids = TOPIC_TREE_IDS if f.include_descendants else TOPIC_IDS
    if f.topics_any is not None:
        names = f.topics_any
        add(
            "EXISTS (SELECT 1 FROM article_topics x WHERE x.article_id = a.id AND x.topic_id IN"
            f" ({topic_ids.format(marks=_marks(names))}))",
            *names,
            *names,
        )
    for name in f.topics_all or ():
        add(
            "EXISTS (SELECT 1 FROM article_topics x WHERE x.article_id = a.id AND x.topic_id IN"
            f" ({topic_ids.format(marks='?')}))",
            name,
            name,
        )
    if f.provider_in is not None and len(f.provider_in) == 1:  # equality: the index's order
        add("a.provider_id = (SELECT id FROM providers WHERE domain = ?)", f.provider_in[0])
    elif f.provider_in is not None:
        add(
            "+a.provider_id IN (SELECT id FROM providers WHERE domain IN "
            f"({_marks(f.provider_in)}))",
            *f.provider_in,
        )
    if f.provider_not_in is not None:
        add(
            "IFNULL(a.provider_id, 0) NOT IN (SELECT id FROM providers WHERE domain IN "
            f"({_marks(f.provider_not_in)}))",
            *f.provider_not_in,
        )
    if f.published_after is not None:
        add("a.sk_published >= ?", f.published_after)
    if f.published_before is not None:
        add("a.sk_published < ? AND a.sk_published > ''", f.published_before)
    if f.published_in is not None:
        ranges = [period_range(p) for p in f.published_in]
        add(
            "(" + " OR ".join("(a.sk_published >= ? AND a.sk_published < ?)" for _ in ranges) + ")",
            *[bound for pair in ranges for bound in pair],
        )
    if f.quality_min is not None:
        add("+a.sk_quality >= ?", f.quality_min)
    if f.quality_max is not None:
        add(f"+a.sk_quality <= ? AND +a.sk_quality > {LOW_INT}", f.quality_max)
    if f.heat_min is not None:
        add("+a.sk_heat >= ?", f.heat_min)
    if f.heat_max is not None:
        add(f"+a.sk_heat <= ? AND +a.sk_heat > {LOW_INT}", f.heat_max)
    if f.published is not None:
        add("a.published = ?", int(f.published))
    if f.has_images is not None:
        add("a.image_count > 0" if f.has_images else "a.image_count = 0")
    if f.text is not None:
        add(f"a.id IN ({MATCHES})", f.text, window)
    for sub in f.all_of:
        inner = where(sub, window)
        add(f"({inner.sql})", *inner.params)
    if f.any_of:
        compiled = [where(sub, window) for sub in f.any_of]
        add(
            "(" + " OR ".join(f"({c.sql})" for c in compiled) + ")",
            *[p for c in compiled for p in c.params],
        )
    if f.none_of is not None:
        inner = where(f.none_of, window)
        add(f"NOT ({inner.sql})", *inner.params)


def after(columns: list[str], descending: list[bool], values: list[Any]) -> Where:
    """The keyset condition "after this cursor" for an order by ``columns`` (the id last).

    One direction throughout is a row-value comparison, which an index on the
    columns answers as a range. Mixed directions expand key by key; the first
    key's bound comes first, so an index on it still limits the range.
    """
    if len(set(descending)) == 1:
        marks = ", ".join("?" * len(values))
        op = "<" if descending[0] else ">"
        return Where(f"({', '.join(columns)}) {op} ({marks})", tuple(values))
    sql = ""
    params: list[Any] = []
    for column, down, value in reversed(list(zip(columns, descending, values, strict=True))):
        op = "<" if down else ">"
        if not sql:
            sql, params = f"{column} {op} ?", [value]
        else:
            sql = f"{column} {op} ? OR ({column} = ? AND ({sql}))"
            params = [value, value, *params]
    first_op = "<=" if descending[0] else ">="
    return Where(f"{columns[0]} {first_op} ? AND ({sql})", (values[0], *params))


def only(f: Filter, name: str) -> bool:
    """Whether ``name`` is the one condition a filter sets."""
    cleared: dict[str, Any] = {name: None}
    return getattr(f, name) is not None and replace(f, **cleared) == Filter()


def single_topic(f: Filter | None) -> str | None:
    """A topic the filter requires at its top level (the first of ``topicsAll``).

    A topic page sorted by date then walks ``article_topics``'s index
    ``(topic_id, sk_published, article_id)`` instead of scanning articles.
    """
    if f is None or f.include_descendants:
        return None
    if f.topics_any is not None and len(f.topics_any) == 1:
        return f.topics_any[0]
    if f.topics_all and f.topics_any is None:
        return f.topics_all[0]  # the others are tested for each of its articles
    return None
