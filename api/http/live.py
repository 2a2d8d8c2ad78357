"""Live content: the change feed behind the ``contentChanged`` subscription.

Every changing load writes a row to the ``changes`` table (version, ids added,
updated, removed) in its own transaction. Each server process polls SQLite's
``PRAGMA data_version`` (a few microseconds) and, when another connection has
committed, reads the new rows and hands them to this process's subscribers.
So it works the same with one worker or several, whoever did the load.

An article scheduled for later (the publication window, :mod:`db.window`)
appears without a load: when the clock passes a scheduled publication, the
feed hands subscribers a change of the current version whose ``added`` lists
the articles that just became visible.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from pathlib import Path

from core.clock import Clock, Now, system_clock
from core.errors import DatabaseError
from db.changes import Change, ChangeLog
from db.reader import ReadPool

log = logging.getLogger("newsgraph.live")


class ChangeFeed:
    """Reads the change log as it grows and fans changes out to subscribers."""

    def __init__(
        self,
        db: str | Path,
        interval: float = 0.2,
        *,
        pool: ReadPool | None = None,
        clock: Clock = system_clock,
        immutable: bool = False,
    ) -> None:
        self.db = Path(db)
        self.interval = interval
        self._queues: set[asyncio.Queue[Change]] = set()
        self.log = ChangeLog(db, immutable=immutable)
        self.pool = pool
        self.clock = clock
        self._seen: tuple[int, str] | None = None

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

    def due(self) -> list[Change]:
        """Articles whose scheduled publication passed since the last call, as a change
        of the current version (none on the first call, or after a load: the load's own
        change tells its articles)."""
        if self.pool is None or self.pool.show_future:
            return []
        now = Now(self.clock)
        version, _ = self.pool.epoch(now)
        moment = now.instant()
        seen, self._seen = self._seen, (version, moment)
        schedule = self.pool.schedules.peek(version, moment)
        if seen is None or seen[0] != version or schedule is None:
            return []
        became = schedule.passed(max(seen[1], schedule.since), moment)
        if not became:
            return []
        return [Change(version, moment, tuple(sorted(became)), (), ())]

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            try:
                self.publish(self.poll())
                self.publish(self.due())
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
