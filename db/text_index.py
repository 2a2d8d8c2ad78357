"""The full-text index (FTS5, external content): kept in step with the articles table.

The index has no triggers (schema v3 dropped them: they cost 1.2 s of 1.8 s of
writing per 10,000 items); the writer calls these in bulk instead, one
statement per batch, inside the load's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import aiosqlite


async def index_articles(conn: aiosqlite.Connection, ids: Sequence[int]) -> None:
    """Add articles just written to the index (one statement for the batch)."""
    await conn.execute(
        "INSERT INTO articles_fts (rowid, title, excerpt, body)"
        " SELECT id, title, excerpt, body FROM articles"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(ids)),),
    )


async def delete_articles(conn: aiosqlite.Connection, ids: Sequence[int]) -> None:
    """Delete articles and their rows, and their words from the index first."""
    if not ids:
        return
    chosen = json.dumps(list(ids))
    await conn.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body)"
        " SELECT 'delete', id, title, excerpt, body FROM articles"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (chosen,),
    )
    await conn.execute(
        "DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?))", (chosen,)
    )
