"""Counts and facets kept with the content: what a sidebar shows is read, not computed.

For every *scope* of a simple filter (all articles, one topic, one provider, one
category, one type, one year, one month) the ``facet_counts`` table holds how
many articles it has and how they spread over topics, providers, categories,
types, years and months. A topic page of 238,000 articles then reads its count
and its facets from an index instead of grouping 238,000 rows on its first
request, whatever the size of the corpus.

The writer keeps the table in step inside the load's transaction: a small load
adds and subtracts the counts of the articles it writes and deletes (one
statement per scope and facet for each batch); a large one (more than
:data:`DELTA_LIMIT` articles) rebuilds the table once at commit with one
``GROUP BY`` per scope and facet, which costs less than that many deltas.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

import aiosqlite

DELTA_LIMIT = 5_000
"""Articles a load may change and still keep the counts up to date batch by batch."""


class Dimension(NamedTuple):
    """A way to group articles: the SQL of its key and the join it needs, if any."""

    key: str
    join: str = ""


def _topics(alias: str) -> Dimension:
    return Dimension(
        f"{alias}.topic_id", f" JOIN article_topics {alias} ON {alias}.article_id = a.id"
    )


SCOPES: dict[str, Dimension] = {
    "all": Dimension("''"),
    "topic": _topics("xs"),
    "provider": Dimension("a.provider_id"),
    "category": Dimension("a.category"),
    "type": Dimension("a.type"),
    "year": Dimension("substr(a.published_at, 1, 4)"),
    "month": Dimension("substr(a.published_at, 1, 7)"),
}
"""The scopes whose counts are kept, by name (``scope`` in the table)."""

FACETS: dict[str, Dimension] = {
    "count": Dimension("''"),
    "topics": _topics("xf"),
    "providers": Dimension("a.provider_id"),
    "categories": Dimension("a.category"),
    "types": Dimension("a.type"),
    "years": Dimension("substr(a.published_at, 1, 4)"),
    "months": Dimension("substr(a.published_at, 1, 7)"),
}
"""What is counted within a scope (``facet`` in the table); ``count`` is the total."""


def _select(scope: str, facet: str, where: str) -> str:
    s, f = SCOPES[scope], FACETS[facet]
    return (
        f"SELECT '{scope}', {s.key}, '{facet}', {f.key}, count(*)"
        f" FROM articles a{s.join}{f.join}"
        f" WHERE {where} AND {s.key} IS NOT NULL AND {f.key} IS NOT NULL"
        " GROUP BY 2, 4"
    )


REBUILD = tuple(
    f"INSERT INTO facet_counts (scope, scope_key, facet, value, n) {_select(s, f, '1')}"
    for s in SCOPES
    for f in FACETS
)
"""Statements that fill an empty ``facet_counts`` from the articles."""

_DELTA = tuple(
    "INSERT INTO facet_counts (scope, scope_key, facet, value, n)"
    + _select(s, f, "a.id IN (SELECT value FROM json_each(?))").replace("count(*)", "? * count(*)")
    + " ON CONFLICT (scope, scope_key, facet, value) DO UPDATE SET n = n + excluded.n"
    for s in SCOPES
    for f in FACETS
)


class FacetCounts:
    """One load's upkeep of ``facet_counts`` on the writer's connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.changed = 0
        self.rebuild = False

    async def add(self, ids: Sequence[int]) -> None:
        """Count articles just written (call after their topics are written too)."""
        await self._adjust(ids, 1)

    async def subtract(self, ids: Sequence[int]) -> None:
        """Uncount articles about to be deleted or replaced (call before deleting)."""
        await self._adjust(ids, -1)

    async def _adjust(self, ids: Sequence[int], sign: int) -> None:
        if not ids or self.rebuild:
            return
        self.changed += len(ids)
        if self.changed > DELTA_LIMIT:
            self.rebuild = True  # cheaper to count everything once at commit
            return
        chosen = json.dumps(list(ids))
        for statement in _DELTA:
            await self.conn.execute(statement, (sign, chosen))

    async def finish(self) -> None:
        """Before commit: rebuild if this was a large load, drop counts that fell to 0."""
        if self.rebuild:
            await self.conn.execute("DELETE FROM facet_counts")
            for statement in REBUILD:
                await self.conn.execute(statement)
        elif self.changed:
            await self.conn.execute("DELETE FROM facet_counts WHERE n = 0")
