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
    """Delete articles and their rows, and their words from the index first.

    The loader's connection does not enforce foreign keys (see
    :mod:`db.connection`), so the rows that ``ON DELETE CASCADE`` would remove
    are deleted here, children first, each through its own index.
    """
    if not ids:
        return
    chosen = json.dumps(list(ids))
    await conn.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body)"
        " SELECT 'delete', id, title, excerpt, body FROM articles"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (chosen,),
    )
    for statement in _CASCADE:
        await conn.execute(statement, (chosen,))


_CHOSEN = "(SELECT value FROM json_each(?))"
_CASCADE = (
    "DELETE FROM related_images WHERE related_id IN"
    f" (SELECT id FROM related WHERE article_id IN {_CHOSEN})",
    f"DELETE FROM related WHERE article_id IN {_CHOSEN}",
    f"DELETE FROM article_images WHERE article_id IN {_CHOSEN}",
    f"DELETE FROM article_topics WHERE article_id IN {_CHOSEN}",
    f"DELETE FROM articles WHERE id IN {_CHOSEN}",
)
"""What deleting articles deletes, children first (the schema's ON DELETE CASCADE)."""
