"""A read-only replica switching to a new built file without dropping a request.

``serve --read-only`` serves one built file (:mod:`db.built`) opened immutable.
Rolling out new content is: write the new file beside the old one, rename it
over the served path, and send the server ``SIGHUP``. :meth:`Replica.reopen`
then checks the new file off the event loop (a newsgraph schema this code reads,
a content digest, SQLite's ``quick_check``), opens its connections, and only then
swaps them in: requests in flight finish on the old file (still open, though no
longer named), requests from then on read the new one. A file that fails the
check is never served: the replica keeps the old content and logs why.

Subscribers get one ``contentChanged`` event with what differs between the two
files (their ``files`` tables, merged in path order).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from api.http.live import ChangeFeed
from core.errors import DatabaseError
from db import built
from db.changes import Change
from db.reader import ReadPool

log = logging.getLogger("newsgraph.replica")


class Replica:
    """Reopens the pool's file on request, one switch at a time."""

    def __init__(self, pool: ReadPool, feed: ChangeFeed) -> None:
        self.pool = pool
        self.feed = feed
        self.switches = 0
        self._lock = asyncio.Lock()

    async def reopen(self) -> bool:
        """Serve the file now at the pool's path; False (and the old content kept) if it
        cannot be served."""
        async with self._lock:
            old_digest = self.pool.content_digest()
            old = await self.pool.borrow()
            try:
                found = await asyncio.to_thread(self._prepare, old, old_digest)
            except DatabaseError as exc:
                self.pool.give_back(old)
                log.error(
                    "kept serving content %s: cannot switch to %s: %s",
                    old_digest, self.pool.path, exc,
                )  # fmt: skip
                return False
            except BaseException:
                self.pool.give_back(old)
                raise
            if found is None:
                self.pool.give_back(old)
                log.info("%s still holds content %s: nothing to switch", self.pool.path, old_digest)
                return True
            conns, change, digest = found
            self.pool.switch(conns)
            self.pool.give_back(old)  # closed: it belongs to the old file
            self.feed.switched(change)
            self.switches += 1
            log.info(
                "switched to %s: content %s -> %s (version %d; %d added, %d updated, %d removed)",
                self.pool.path, old_digest, digest, change.version,
                len(change.added), len(change.updated), len(change.removed),
            )  # fmt: skip
            return True

    def _prepare(
        self, old: sqlite3.Connection, old_digest: str
    ) -> tuple[list[sqlite3.Connection], Change, str] | None:
        """In a thread: check the new file, open its connections, and diff the two."""
        info = built.check(self.pool.path, thorough=True)
        if info.digest == old_digest:
            return None
        conns = self.pool.connections()
        try:
            changed = built.diff(old, conns[0])
        except sqlite3.Error as exc:
            for conn in conns:
                conn.close()
            raise DatabaseError(f"cannot compare the two files: {exc}") from exc
        change = Change(
            info.version, info.loaded_at, changed.added, changed.updated, changed.removed
        )
        return conns, change, info.digest
