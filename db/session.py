"""One read transaction on one pooled connection: the plumbing every read goes through.

A session is one request's snapshot of the content: everything the request
reads (a page, its ``totalCount``, its facets, nested lists) agrees, even
while a load commits. Statements are synchronous: SQLite answers indexed
lookups in microseconds, far less than a thread hop would cost.

A session runs in one of two places. *On the event loop* it may only do work
that is quick: a read that may be slow (an aggregate that is not cached yet, a
full-text search) raises :class:`SlowWork` before it starts, and any statement
still running after the loop budget is interrupted with :class:`SlowWork`;
the caller then runs the whole request again in a *background* session (a
worker thread, see :class:`db.reader.ReadPool`), where the full time limit
applies. A statement that runs past the time limit raises
:class:`~core.errors.QueryTimeout` and is remembered for its content version,
so asking again (the reference executor after a compiled plan, or a client's
retry) fails at once instead of running the same work twice.

The reads themselves live in the modules named after what they read
(:mod:`db.lookups`, :mod:`db.pages`, :mod:`db.counts`); :class:`db.reader.Session`
puts them together.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, TypeVar

import orjson

from core.clock import Now
from core.errors import BadSearch, DatabaseError, QueryTimeout
from db.dimensions import DimensionCache, Dimensions
from db.query import SEARCH_WINDOW, Filter, Where, where, where_rest
from db.rows import ImageRow
from db.window import OPEN, Schedule, ScheduleCache, Visibility

R = TypeVar("R")
Tracer = Callable[[str], None]

IDS = "(SELECT value FROM json_each(?))"
"""A bound JSON array of ids, as a set to test ``IN``."""


VERSION_SQL = "SELECT value FROM meta WHERE key = 'content_version'"


class SlowWork(Exception):
    """This read may take long: run the request in a background session instead."""


class SessionCore:
    """The plumbing of a read session: the transaction, the time limit, per-version caches."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        tracer: Tracer | None = None,
        aggregates: AggregateCache | None = None,
        dimensions: DimensionCache | None = None,
        timeouts: TimedOut | None = None,
    ) -> None:
        self.conn = conn
        self.statements = 0
        self.tracer = tracer
        self.deadline = 0.0
        self.on_loop = False
        self.loop_deadline = 0.0
        self.aggregates = aggregates
        self.dimensions = dimensions
        self.timeouts = timeouts
        self.search_window = SEARCH_WINDOW
        self.renders_json = True
        """Whether this SQLite can write nested JSON (see :mod:`db.json_nodes`)."""
        self.version: int | None = None
        self._dims: Dimensions | None = None
        self.now: Now | None = None
        """The request's instant, for the publication window (the system clock's if unset)."""
        self.show_future = False
        """Whether articles published after now are shown (``serve --show-future``)."""
        self.schedules: ScheduleCache | None = None
        self._visibility: Visibility | None = None

    # -- plumbing --------------------------------------------------------------

    def start(self, time_limit: float, loop_budget: float | None = None) -> None:
        """Open the read transaction; statements past ``time_limit`` s are stopped.

        With ``loop_budget`` the session is on the event loop: slow reads raise
        :class:`SlowWork`, and so does a statement still running after that many
        seconds.
        """
        self.statements = 0
        now = time.monotonic()
        self.deadline = now + time_limit
        self.on_loop = loop_budget is not None
        self.loop_deadline = now + (loop_budget or 0.0)
        self.conn.set_progress_handler(self._over_time, 4_000)
        self.conn.execute("BEGIN")

    def finish(self) -> None:
        """End the read transaction (it wrote nothing)."""
        self.conn.set_progress_handler(None, 0)
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def _over_time(self) -> int:
        now = time.monotonic()
        return 1 if now > self.deadline or (self.on_loop and now > self.loop_deadline) else 0

    def slow(self) -> None:
        """Say that the next read may take long: on the event loop, move the request."""
        if self.on_loop:
            raise SlowWork

    def _begin(self, sql: str, params: Sequence[Any]) -> None:
        """Before a statement runs: refuse one that timed out on this content already (a
        timeout never runs the same work twice), count it, and trace it."""
        timeouts = self.timeouts
        if timeouts and timeouts.seen((self.content_version(), sql, tuple(params))):
            raise QueryTimeout(TIMEOUT_MESSAGE)
        self.statements += 1
        if self.tracer is not None:
            self.tracer(sql)

    def rows(
        self, sql: str, params: Sequence[Any] = (), make: Callable[..., R] | None = None
    ) -> list[Any]:
        """Run one statement; SQLite errors become newsgraph errors here."""
        self._begin(sql, params)
        try:
            found = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            self._failed(exc, sql, params)
        return [make(*r) for r in found] if make is not None else found

    def bounded_rows(
        self, sql: str, params: Sequence[Any], work: int, step: int = 4_000
    ) -> tuple[list[Any], bool]:
        """The rows a statement gives within ``work`` ticks of ``step`` SQLite steps, and
        whether it finished. The budget counts virtual-machine steps, not time, so the same content
        gives the same rows on any machine; the time limit still applies as in :meth:`rows`.
        """
        left = [work]

        def tick() -> int:
            left[0] -= 1
            return 1 if left[0] < 0 else self._over_time()

        self._begin(sql, params)
        found: list[Any] = []
        self.conn.set_progress_handler(tick, step)
        try:
            cursor = self.conn.execute(sql, params)
            while batch := cursor.fetchmany(1024):
                found.extend(batch)
        except sqlite3.OperationalError as exc:
            if str(exc) == "interrupted" and left[0] < 0:
                return found, False  # the work budget, not the clock: a partial answer
            self._failed(exc, sql, params)
        finally:
            self.conn.set_progress_handler(self._over_time, 4_000)
        return found, True

    def _failed(self, exc: sqlite3.OperationalError, sql: str, params: Sequence[Any]) -> NoReturn:
        """Raise what a failed statement means: slow work to move, a timeout, an error."""
        if str(exc) == "interrupted":
            if self.on_loop and time.monotonic() <= self.deadline:
                raise SlowWork from exc
            if self.timeouts is not None:
                self.conn.set_progress_handler(None, 0)  # past the deadline: read the version
                self.timeouts.add((self.content_version(), sql, tuple(params)))
        raise _translate(exc, sql) from exc

    def content_version(self) -> int:
        """The content version this session's snapshot shows."""
        if self.version is None:
            self.statements += 1
            if self.tracer is not None:
                self.tracer(VERSION_SQL)
            try:
                row = self.conn.execute(VERSION_SQL).fetchone()
            except sqlite3.OperationalError as exc:
                raise _translate(exc, VERSION_SQL) from exc
            self.version = int(row[0]) if row else 0
        return self.version

    # -- the publication window (db.window) ---------------------------------------

    def moment(self) -> str:
        """The request's instant as UTC ISO-8601 text, to the second."""
        if self.now is None:
            self.now = Now()
        return self.now.instant()

    def schedule(self) -> Schedule:
        """Articles of this snapshot published after (about) now, by time."""
        cache = self.schedules if self.schedules is not None else ScheduleCache()
        return cache.get(self.content_version(), self.moment(), self.rows)

    def visibility(self) -> Visibility:
        """What this request's publication window hides (nothing with ``show_future``)."""
        if self._visibility is None:
            self._visibility = OPEN if self.show_future else self.schedule().at(self.moment())
        return self._visibility

    def cond(self, f: Filter | None, **cleared: Any) -> Where:
        """A filter's condition on ``articles a``, and "visible" (every list and count
        of articles goes through here, or through :meth:`visibility` itself). Fields
        ``cleared`` are left out (the query applies them otherwise), but a ``dedupe``
        filter still picks each story's best over the whole filter."""
        visibility = self.visibility()
        bound = visibility.bound if visibility.hides else None
        if cleared:
            assert f is not None
            found = where_rest(f, self.search_window, bound, **cleared)
        else:
            found = where(f, self.search_window, bound)
        window = visibility.condition()
        if not visibility.hides:
            return found
        return Where(f"{found.sql} AND {window.sql}", (*found.params, *window.params))

    def held(self) -> Dimensions | None:
        """Providers and topics from memory at this snapshot's version, if kept there."""
        if self.dimensions is None:
            return None
        if self._dims is None:
            self._dims = self.dimensions.get(self.content_version(), self.rows)
        return self._dims

    def aggregate(self, sql: str, params: Sequence[Any], *, quick: bool = False) -> list[Any]:
        """Rows of a count or facet query, cached per content version and statement.

        Not cached yet, it may be slow (on the event loop that is :class:`SlowWork`),
        unless it is ``quick`` (it reads counts kept by the loader).
        """
        if self.aggregates is None:
            if not quick:
                self.slow()
            return self.rows(sql, params)
        key = (self.content_version(), sql, tuple(params))
        found = self.aggregates.get(key)
        if found is None:
            if not quick:
                self.slow()
            found = self.rows(sql, params)
            self.aggregates.put(key, found)
        return found


class AggregateCache:
    """Counts and facets by (content version, statement, parameters); bounded LRU.

    A topic page's count and facets do not change from page to page, nor between
    requests, until the content version does; computing them is the slow part of
    a request over a large topic. Shared by the event loop and background threads.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> list[Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], rows: list[Any]) -> None:
        with self._lock:
            self._entries[key] = rows
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class TimedOut:
    """Statements that ran past the time limit, by (content version, SQL, parameters).

    Bounded (oldest forgotten first). A statement in here fails at once: the same
    work is never run twice on the same content, whoever asks.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._keys: OrderedDict[tuple[Any, ...], None] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def seen(self, key: tuple[Any, ...]) -> bool:
        return key in self._keys

    def add(self, key: tuple[Any, ...]) -> None:
        with self._lock:
            self._keys[key] = None
            while len(self._keys) > self.max_entries:
                self._keys.popitem(last=False)


def ids_json(ids: Iterable[int]) -> str:
    return orjson.dumps(sorted(set(ids))).decode()


def group(rows: list[ImageRow]) -> dict[int, list[ImageRow]]:
    out: dict[int, list[ImageRow]] = {}
    for row in rows:
        out.setdefault(row.owner, []).append(row)
    return out


TIMEOUT_MESSAGE = "the query took longer than the time limit; narrow the filter or page"


def _translate(exc: sqlite3.OperationalError, sql: str) -> Exception:
    message = str(exc)
    if message == "interrupted":
        return QueryTimeout(TIMEOUT_MESSAGE)
    if " MATCH ?" in sql:
        detail = message.removeprefix("fts5: ")
        return BadSearch(
            f'the search text cannot be parsed ({detail}); use words, "a phrase", '
            "prefix* and AND / OR / NOT, or quote the text"
        )
    return DatabaseError(f"database error: {message}")
