"""Live content: the change feed behind the ``contentChanged`` subscription.

Every changing load writes a row to the ``changes`` table (version, ids added,
updated, removed) in its own transaction. Each server process polls SQLite's
``PRAGMA data_version`` (a few microseconds) and, when another connection has
committed, reads the new rows and hands them to this process's subscribers.
So it works the same with one worker or several, whoever did the load.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path

from db.connection import connect

log = logging.getLogger("newsgraph.live")


@dataclass(frozen=True, slots=True)
class Change:
    """One changing load, as recorded in the change log."""

    version: int
    loaded_at: str
    added: tuple[int, ...]
    updated: tuple[int, ...]
    removed: tuple[int, ...]


class ChangeFeed:
    """Reads the change log as it grows and fans changes out to subscribers."""

    def __init__(self, db: str | Path, interval: float = 0.2) -> None:
        self.db = Path(db)
        self.interval = interval
        self._queues: set[asyncio.Queue[Change]] = set()
        self._conn: sqlite3.Connection | None = None
        self._data_version = -1
        self._last = -1

    def subscribe(self) -> asyncio.Queue[Change]:
        """A queue that receives every change from now on."""
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=1000)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Change]) -> None:
        """Stop delivering to a queue."""
        self._queues.discard(queue)

    def poll(self) -> list[Change]:
        """New changes since the last poll (none on the first poll: it sets the mark)."""
        if self._conn is None:
            self._conn = connect(self.db, readonly=True)
        data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if data_version == self._data_version:
            return []
        self._data_version = data_version
        if self._last < 0:
            row = self._conn.execute("SELECT coalesce(max(version), 0) FROM changes").fetchone()
            self._last = int(row[0])
            return []
        rows = self._conn.execute(
            "SELECT version, loaded_at, added, updated, removed FROM changes"
            " WHERE version > ? ORDER BY version",
            (self._last,),
        ).fetchall()
        if not rows:
            return []
        self._last = rows[-1][0]
        return [
            Change(v, at, tuple(json.loads(a)), tuple(json.loads(u)), tuple(json.loads(r)))
            for v, at, a, u, r in rows
        ]

    def publish(self, changes: list[Change]) -> None:
        """Hand changes to every subscriber (a subscriber that fell far behind loses them)."""
        for change in changes:
            for queue in list(self._queues):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(change)

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            try:
                self.publish(self.poll())
            except sqlite3.Error as exc:  # the file may be mid-migration; try again
                log.warning("change feed: %s", exc)
            await asyncio.sleep(self.interval)

    def close(self) -> None:
        """Close the feed's connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def changes(self) -> AsyncGenerator[Change, None]:
        """Changes as they come, for one subscriber."""
        queue = self.subscribe()
        try:
            while True:
                yield await queue.get()
        finally:
            self.unsubscribe(queue)
