"""Read-side database access for the API: a pool of connections, one session per request.

:class:`Session` is one request's read transaction, with every read of
:mod:`db.lookups`, :mod:`db.pages`, :mod:`db.trending`, :mod:`db.counts`,
:mod:`db.snippets`, :mod:`db.similar` and :mod:`db.feed`. :class:`ReadPool` hands out sessions on
the event loop for quick work, runs slow work in a few background threads with
connections of their own (so a long search or count never holds up the requests
behind it), and tells the current content version cheaply.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from core.clock import Clock, Now, system_clock
from core.errors import DatabaseError, Overloaded
from core.ids import encode_id
from db import digest
from db.connection import connect
from db.counts import CountReads
from db.dimensions import DimensionCache
from db.feed import FeedReads
from db.filed import FiledReads
from db.health import HealthReads
from db.json_nodes import NodeReads, nesting_works
from db.query import SEARCH_WINDOW
from db.session import AggregateCache, SlowWork, TimedOut, Tracer
from db.similar import SimilarReads
from db.snippets import SnippetReads
from db.trending import TrendingReads
from db.window import Schedule, ScheduleCache

T = TypeVar("T")

LOOP_BUDGET = 0.010
"""Seconds of SQL a request may spend on the event loop before it moves to the background."""


class Session(
    TrendingReads,
    CountReads,
    NodeReads,
    SnippetReads,
    SimilarReads,
    FeedReads,
    FiledReads,
    HealthReads,
):
    """One request's read transaction on one pooled connection, with every read."""


class ReadPool:
    """Read connections: a bounded pool for the event loop, and background workers.

    A request takes a session on the event loop (:meth:`acquire`) and waits when
    all are busy. Work that may be slow goes to :meth:`in_background`: at most
    ``slow_workers`` such requests run at a time, each in a worker thread with its
    own connection (SQLite lets other threads run while a statement executes), at
    most ``max_waiting`` wait for a turn, and beyond that :class:`Overloaded` says
    to retry. With ``loop_budget=None`` the sessions of :meth:`acquire` may do slow
    work too (for tools and tests that serve nobody else meanwhile).
    """

    def __init__(
        self,
        path: str | Path,
        size: int = 8,
        time_limit: float = 1.0,
        *,
        slow_workers: int = 2,
        max_waiting: int = 64,
        loop_budget: float | None = LOOP_BUDGET,
        search_window: int = SEARCH_WINDOW,
        immutable: bool = False,
    ) -> None:
        self.path = Path(path)
        self.immutable = immutable
        """The file never changes while open (a built database served by a replica)."""
        self.size = size
        self.time_limit = time_limit
        self.slow_workers = max(1, slow_workers)
        self.max_waiting = max_waiting
        self.loop_budget = loop_budget
        self.search_window = search_window
        self.renders_json = True
        self.tracer: Tracer | None = None
        self.aggregates: AggregateCache | None = AggregateCache()
        self.dimensions: DimensionCache | None = DimensionCache()
        self.timeouts = TimedOut()
        self.schedules = ScheduleCache()
        self.show_future = False
        """Show articles published after now (``serve --show-future``)."""
        self.clock: Clock = system_clock
        """What sessions tell the time by when their request gives them no instant."""
        self._idle: asyncio.Queue[sqlite3.Connection] | None = None
        self._all: list[sqlite3.Connection] = []
        self._watch: sqlite3.Connection | None = None
        self._data_version = -1
        self._state = (0, "")
        self._slow_conns: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._slow_gate: asyncio.Semaphore | None = None
        self._waiting = 0
        self._executor: ThreadPoolExecutor | None = None

    def open(self) -> None:
        """Open the connections (the database must exist)."""
        if not self.path.exists():
            raise DatabaseError(f"no database at {self.path}; run `newsgraph load` first")
        self._install(self.connections())
        self._slow_gate = asyncio.Semaphore(self.slow_workers)
        self._executor = ThreadPoolExecutor(self.slow_workers, thread_name_prefix="newsgraph-slow")

    def connections(self) -> list[sqlite3.Connection]:
        """A full set of connections to the file at :attr:`path` (the pool's, then the
        background workers'), not in use yet: :meth:`open` and :meth:`switch` install them."""
        conns: list[sqlite3.Connection] = []
        try:
            for _ in range(self.size + self.slow_workers):
                conns.append(self._connect())
        except BaseException:
            for conn in conns:
                conn.close()
            raise
        return conns

    def _install(self, conns: list[sqlite3.Connection]) -> None:
        self._idle = asyncio.LifoQueue()
        self._slow_conns = queue.SimpleQueue()
        self._all = conns
        self.renders_json = nesting_works(conns[0])
        for conn in conns[: self.size]:
            self._idle.put_nowait(conn)
        for conn in conns[self.size :]:
            self._slow_conns.put(conn)

    def switch(self, conns: list[sqlite3.Connection]) -> None:
        """Serve from a new file (a replica's reopen): requests from now on take the new
        connections (from :meth:`connections`) and fresh per-content caches; requests in
        flight finish on the old ones, which are closed as they come back."""
        if self._idle is None:
            self.open()
        self._install(conns)
        self.aggregates = AggregateCache() if self.aggregates is not None else None
        self.dimensions = DimensionCache() if self.dimensions is not None else None
        self.timeouts = TimedOut()
        self.schedules = ScheduleCache()  # kept per version, which another file may reuse
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        self._data_version = -1

    def _connect(self) -> sqlite3.Connection:
        conn = connect(self.path, readonly=True, immutable=self.immutable)
        # what SQL-rendered JSON needs of Python: global ids (see db.json_nodes)
        conn.create_function("ng_id", 2, encode_id, deterministic=True)
        return conn

    def session(self, conn: sqlite3.Connection) -> Session:
        """A session object on a connection (not started)."""
        session = Session(conn, self.tracer, self.aggregates, self.dimensions, self.timeouts)
        session.search_window = self.search_window
        session.renders_json = self.renders_json
        session.schedules = self.schedules
        session.show_future = self.show_future
        session.now = Now(self.clock)
        return session

    async def acquire(self) -> Session:
        """A session on the event loop, its read transaction started (quick work only)."""
        if self._idle is None:
            self.open()
        assert self._idle is not None
        session = self.session(await self._idle.get())
        try:
            session.start(self.time_limit, self.loop_budget)
        except BaseException:
            self.give_back(session.conn)
            raise
        return session

    async def borrow(self) -> sqlite3.Connection:
        """A bare connection of the pool, out of circulation until :meth:`give_back` (for
        work that is neither a request nor bound by its time limit: a replica's diff)."""
        if self._idle is None:
            self.open()
        assert self._idle is not None
        return await self._idle.get()

    def give_back(self, conn: sqlite3.Connection) -> None:
        """Return a connection to the pool, or close it if the pool switched files since."""
        if self._idle is not None and any(conn is c for c in self._all):
            self._idle.put_nowait(conn)
        else:
            conn.close()

    def release(self, session: Session) -> None:
        """End the session's transaction and return its connection."""
        try:
            session.finish()
        finally:
            self.give_back(session.conn)

    async def read(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` on the event loop, or in the background if it meets slow work."""
        session = await self.acquire()
        try:
            return work(session)
        except SlowWork:
            pass
        finally:
            self.release(session)
        return await self.in_background(work)

    async def in_background(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in a worker thread, in a session where slow reads may run."""
        if self._idle is None:
            self.open()
        assert self._slow_gate is not None
        assert self._executor is not None
        if self._waiting >= self.max_waiting:
            raise Overloaded(
                f"{self._waiting} slow requests are waiting already; retry in a moment"
            )
        self._waiting += 1
        try:
            await self._slow_gate.acquire()
        finally:
            self._waiting -= 1
        gate = self._slow_gate
        done = asyncio.get_running_loop().run_in_executor(self._executor, self._run, work)
        done.add_done_callback(lambda _: gate.release())  # when the thread is done, not before
        return await asyncio.shield(done)

    def _run(self, work: Callable[[Session], T]) -> T:
        conns = self._slow_conns
        conn = conns.get()
        session = self.session(conn)
        try:
            session.start(self.time_limit)
            return work(session)
        finally:
            try:
                session.finish()
            finally:
                if any(conn is c for c in self._all):
                    conns.put(conn)
                else:  # the pool switched files meanwhile
                    conn.close()

    def content_version(self) -> int:
        """The current content version, re-read only after another connection committed."""
        return self.content_state()[0]

    def content_digest(self) -> str:
        """The current content digest (:mod:`db.digest`), as cheaply as the version."""
        return self.content_state()[1]

    def content_state(self) -> tuple[int, str]:
        """The content version and digest, re-read only after another connection committed."""
        if self._watch is None:
            self._watch = connect(self.path, readonly=True, immutable=self.immutable)
        data_version = self._watch.execute("PRAGMA data_version").fetchone()[0]
        if data_version != self._data_version:
            meta = dict(
                self._watch.execute(
                    "SELECT key, value FROM meta WHERE key IN ('content_version', ?)",
                    (digest.KEY,),
                ).fetchall()
            )
            self._state = (int(meta.get("content_version", 0)), meta.get(digest.KEY) or "")
            self._data_version = data_version
        return self._state

    def epoch(self, now: Now) -> tuple[int, str | None]:
        """The visibility epoch at ``now``: the content version, and the next scheduled
        publication (None when none is due, or with ``show_future``). Answers change
        only when one of them does (see :mod:`db.window`)."""
        version = self.content_version()
        if self.show_future:
            return version, None
        moment = now.instant()
        schedule = self.schedules.peek(version, moment)
        if schedule is None:
            schedule = self._read_schedule(moment)
            version = self.content_version()
        return version, schedule.next_after(moment)

    def _read_schedule(self, moment: str) -> Schedule:
        """The schedule at ``moment``, read with its version in one snapshot."""
        conn = self._watch
        assert conn is not None
        try:
            conn.execute("BEGIN")
            row = conn.execute("SELECT value FROM meta WHERE key = 'content_version'").fetchone()
            version = int(row[0]) if row else 0
            return self.schedules.get(
                version, moment, lambda sql, params: conn.execute(sql, params).fetchall()
            )
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot read the publication schedule: {exc}") from exc
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection and stop the background workers."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        for conn in self._all:
            conn.close()
        self._all.clear()
        while not self._slow_conns.empty():
            self._slow_conns.get()
        self._idle = None
