"""Keeping the stored safe HTML in step with the embed allow-list it was rendered with.

``featured_content_html`` depends on the operator's embed allow-list, so the
database remembers the digest of the list its embeds were rendered with
(``meta`` key ``embed_hosts``). A load with another list first makes the files
of every article with featured content look changed (their stored hash and
mtime are forgotten), in a short transaction of its own, and then parses them
again like any changed file: in the parser processes, in its one atomic
transaction, with a new content version at commit (so response caches follow).

Forgetting first and rendering in the load keeps every rendering on one path
(the parser's) and stays correct if that load is cancelled, killed or limited
to some ``--pattern``: a forgotten file stays forgotten until a load parses it.
The cost is one ``UPDATE`` through the ``files`` table, and the next load
re-parses the articles with embeds (13 of 674 in a real corpus); a reload with
the same list costs one read of ``meta``.
"""

from __future__ import annotations

import sqlite3

import aiosqlite

from core.errors import DatabaseError

KEY = "embed_hosts"

FORGET = (
    "UPDATE files SET mtime_ns = -1, sha256 = '' WHERE article_id IN"
    " (SELECT id FROM articles WHERE featured_content IS NOT NULL)"
)


async def follow_embed_hosts(conn: aiosqlite.Connection, digest: str) -> int:
    """Make a changed allow-list re-render the embeds at this load; return how many files
    will be parsed again for it (0 when the list is the one the database has)."""
    async with conn.execute("SELECT value FROM meta WHERE key = ?", (KEY,)) as cursor:
        row = await cursor.fetchone()
    if row is not None and row[0] == digest:
        return 0
    try:
        await conn.execute("BEGIN IMMEDIATE")
        cursor = await conn.execute(FORGET)
        forgotten = cursor.rowcount
        await conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (KEY, digest),
        )
        await conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise DatabaseError(
            f"cannot prepare the embeds for the new allow-list ({exc}); "
            "is another load running on this database?"
        ) from exc
    return max(forgotten, 0)
