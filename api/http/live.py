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
import logging
from collections.abc import AsyncGenerator
from pathlib import Path

from core.errors import DatabaseError
from db.changes import Change, ChangeLog

log = logging.getLogger("newsgraph.live")


class ChangeFeed:
    """Reads the change log as it grows and fans changes out to subscribers."""

    def __init__(self, db: str | Path, interval: float = 0.2, *, immutable: bool = False) -> None:
        self.db = Path(db)
        self.interval = interval
        self._queues: set[asyncio.Queue[Change]] = set()
        self.log = ChangeLog(db, immutable=immutable)

    def subscribe(self) -> asyncio.Queue[Change]:
        """A queue that receives every change from now on."""
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=1000)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Change]) -> None:
        """Stop delivering to a queue."""
        self._queues.discard(queue)

    def poll(self) -> list[Change]:
        """New changes since the last poll (none on the first: it sets the mark)."""
        return self.log.poll()

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
            except DatabaseError as exc:  # the file may be mid-migration; try again
                log.warning("change feed: %s", exc)
            await asyncio.sleep(self.interval)

    def switched(self, change: Change) -> None:
        """The server switched to another database file (a replica's reopen): tell every
        subscriber what changed, and follow the new file's log from where it is."""
        self.log.close()
        self.log = ChangeLog(self.db, immutable=self.log.immutable)
        self.log.poll()  # marks the new file's end of log
        self.publish([change])

    def close(self) -> None:
        """Close the feed's connection."""
        self.log.close()

    async def changes(self) -> AsyncGenerator[Change, None]:
        """Changes as they come, for one subscriber."""
        queue = self.subscribe()
        try:
            while True:
                yield await queue.get()
        finally:
            self.unsubscribe(queue)
