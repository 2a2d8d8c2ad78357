"""Indexes with scattered keys set aside while a bulk load writes, built once before commit.

Why: rows arrive in path order, so most indexes of ``articles`` grow at their end
(dates, ids, a few hundred categories or providers: a few hot pages each), but
titles and URLs arrive in no order at all. Kept row by row, those indexes touch
a random page per insert; once they outgrow the page cache (a few hundred
thousand articles) every insert reads a page back and spills another one, and
a first load of a million items wrote 22 GB for a 4 GB database. Built by
``CREATE INDEX`` they are sorted once and written once. The other indexes stay:
kept live they cost 0-2 us per row while the parsers work, and rebuilding them
at the end would be a full table scan each while the parsers sit idle.

Only a load that writes at least as many articles as the table holds (a first
load, or one that replaces everything) defers them. Each definition is taken
from ``sqlite_master``, so whatever the schema declares is rebuilt exactly, and
an index this list names that the schema no longer has is simply not deferred.
DDL is transactional in SQLite: readers see the old indexes until commit, and a
killed load leaves them as they were.
"""

from __future__ import annotations

import aiosqlite

BULK_MIN = 20_000
"""Articles a load must write before deferring indexes pays off."""

SCATTERED = (
    "article_urls_url", "articles_original_url", "articles_title", "articles_web_url",
    "story_bands_band",
)  # fmt: skip
"""Indexes whose keys arrive in no particular order during a load (see above)."""


class DeferredIndexes:
    """The indexes one load dropped, to be created again before it commits."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._held: list[tuple[str, str]] = []

    @property
    def active(self) -> bool:
        """Whether indexes are set aside now."""
        return bool(self._held)

    async def defer_if_bulk(self, writes: int, minimum: int = BULK_MIN) -> bool:
        """Drop the scattered indexes if ``writes`` articles make this a bulk load."""
        if writes < minimum or self._held:
            return False
        async with self.conn.execute("SELECT count(*) FROM articles") as cursor:
            row = await cursor.fetchone()
        if row is not None and writes < int(row[0]):
            return False
        marks = ", ".join("?" for _ in SCATTERED)
        async with self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
            SCATTERED,
        ) as cursor:
            self._held = [(str(name), str(sql)) for name, sql in await cursor.fetchall()]
        for name, _ in self._held:
            await self.conn.execute(f'DROP INDEX "{name}"')
        return bool(self._held)

    async def restore(self) -> None:
        """Create the dropped indexes again (each sorted once), in this transaction."""
        held, self._held = self._held, []
        for _, sql in held:
            await self.conn.execute(sql)
