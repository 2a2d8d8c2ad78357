"""One read transaction on one pooled connection: the plumbing every read goes through.

A session is one request's snapshot of the content: everything the request
reads (a page, its ``totalCount``, its facets, nested lists) agrees, even
while a load commits. Statements are synchronous, SQLite answers indexed
lookups in microseconds, and a progress handler stops any statement that runs
past the request's time limit. The reads themselves live in the modules named
after what they read (:mod:`db.lookups`, :mod:`db.pages`, :mod:`db.counts`);
:class:`db.reader.Session` puts them together.
"""

from __future__ import annotations

import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import orjson

from core.errors import BadSearch, DatabaseError, QueryTimeout
from db.dimensions import DimensionCache, Dimensions
from db.rows import ImageRow

R = TypeVar("R")
Tracer = Callable[[str], None]

IDS = "(SELECT value FROM json_each(?))"
"""A bound JSON array of ids, as a set to test ``IN``."""


class SessionCore:
    """The plumbing of a read session: the transaction, the time limit, per-version caches."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        tracer: Tracer | None = None,
        aggregates: AggregateCache | None = None,
        dimensions: DimensionCache | None = None,
    ) -> None:
        self.conn = conn
        self.statements = 0
        self.tracer = tracer
        self.deadline = 0.0
        self.aggregates = aggregates
        self.dimensions = dimensions
        self.version: int | None = None
        self._dims: Dimensions | None = None

    # -- plumbing --------------------------------------------------------------

    def start(self, time_limit: float) -> None:
        """Open the read transaction; statements past ``time_limit`` s are stopped."""
        self.statements = 0
        self.deadline = time.monotonic() + time_limit
        self.conn.set_progress_handler(self._over_time, 4_000)
        self.conn.execute("BEGIN")

    def finish(self) -> None:
        """End the read transaction (it wrote nothing)."""
        self.conn.set_progress_handler(None, 0)
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def _over_time(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0

    def rows(
        self, sql: str, params: Sequence[Any] = (), make: Callable[..., R] | None = None
    ) -> list[Any]:
        """Run one statement; SQLite errors become newsgraph errors here."""
        self.statements += 1
        if self.tracer is not None:
            self.tracer(sql)
        try:
            found = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise _translate(exc, sql) from exc
        return [make(*r) for r in found] if make is not None else found

    def content_version(self) -> int:
        """The content version this session's snapshot shows."""
        if self.version is None:
            self.version = int(
                self.rows("SELECT value FROM meta WHERE key = 'content_version'")[0][0]
            )
        return self.version

    def held(self) -> Dimensions | None:
        """Providers and topics from memory at this snapshot's version, if kept there."""
        if self.dimensions is None:
            return None
        if self._dims is None:
            self._dims = self.dimensions.get(self.content_version(), self.rows)
        return self._dims

    def aggregate(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Rows of a count or facet query, cached per content version and statement."""
        if self.aggregates is None:
            return self.rows(sql, params)
        key = (self.content_version(), sql, tuple(params))
        found = self.aggregates.get(key)
        if found is None:
            found = self.rows(sql, params)
            self.aggregates.put(key, found)
        return found


class AggregateCache:
    """Counts and facets by (content version, statement, parameters); bounded LRU.

    A topic page's count and facets do not change from page to page, nor between
    requests, until the content version does; computing them is the slow part of
    a request over a large topic.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> list[Any] | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], rows: list[Any]) -> None:
        self._entries[key] = rows
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


def ids_json(ids: Iterable[int]) -> str:
    return orjson.dumps(sorted(set(ids))).decode()


def group(rows: list[ImageRow]) -> dict[int, list[ImageRow]]:
    out: dict[int, list[ImageRow]] = {}
    for row in rows:
        out.setdefault(row.owner, []).append(row)
    return out


def _translate(exc: sqlite3.OperationalError, sql: str) -> Exception:
    message = str(exc)
    if message == "interrupted":
        return QueryTimeout("the query took longer than the time limit; narrow the filter or page")
    if " MATCH ?" in sql:
        detail = message.removeprefix("fts5: ")
        return BadSearch(
            f'the search text cannot be parsed ({detail}); use words, "a phrase", '
            "prefix* and AND / OR / NOT, or quote the text"
        )
    return DatabaseError(f"database error: {message}")
