"""Read-side database access for the API: a pool of connections, one session per request.

:class:`Session` is one request's read transaction, with every read of
:mod:`db.lookups`, :mod:`db.pages` and :mod:`db.counts`; :class:`ReadPool`
hands sessions out and tells the current content version cheaply.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from core.errors import DatabaseError
from db.connection import connect
from db.counts import CountReads
from db.dimensions import DimensionCache
from db.pages import PageReads
from db.session import AggregateCache, Tracer


class Session(PageReads, CountReads):
    """One request's read transaction on one pooled connection, with every read."""


class ReadPool:
    """A bounded pool of read connections; a request waits when all are busy."""

    def __init__(self, path: str | Path, size: int = 8, time_limit: float = 1.0) -> None:
        self.path = Path(path)
        self.size = size
        self.time_limit = time_limit
        self.tracer: Tracer | None = None
        self.aggregates: AggregateCache | None = AggregateCache()
        self.dimensions: DimensionCache | None = DimensionCache()
        self._idle: asyncio.Queue[sqlite3.Connection] | None = None
        self._all: list[sqlite3.Connection] = []
        self._watch: sqlite3.Connection | None = None
        self._data_version = -1
        self._version = 0

    def open(self) -> None:
        """Open the connections (the database must exist)."""
        if not self.path.exists():
            raise DatabaseError(f"no database at {self.path}; run `newsgraph load` first")
        self._idle = asyncio.LifoQueue()
        for _ in range(self.size):
            conn = connect(self.path, readonly=True)
            self._all.append(conn)
            self._idle.put_nowait(conn)

    async def acquire(self) -> Session:
        """A session with its read transaction started."""
        if self._idle is None:
            self.open()
        assert self._idle is not None
        session = Session(await self._idle.get(), self.tracer, self.aggregates, self.dimensions)
        try:
            session.start(self.time_limit)
        except BaseException:
            self._idle.put_nowait(session.conn)
            raise
        return session

    def release(self, session: Session) -> None:
        """End the session's transaction and return its connection."""
        assert self._idle is not None
        try:
            session.finish()
        finally:
            self._idle.put_nowait(session.conn)

    def content_version(self) -> int:
        """The current content version, re-read only after another connection committed."""
        if self._watch is None:
            self._watch = connect(self.path, readonly=True)
        data_version = self._watch.execute("PRAGMA data_version").fetchone()[0]
        if data_version != self._data_version:
            row = self._watch.execute(
                "SELECT value FROM meta WHERE key = 'content_version'"
            ).fetchone()
            self._version = int(row[0]) if row else 0
            self._data_version = data_version
        return self._version

    def close(self) -> None:
        """Close every connection."""
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._idle = None
