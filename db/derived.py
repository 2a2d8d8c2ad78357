"""What a load computes from the articles at commit, and the new content version.

Related items are linked to the articles their URLs name, providers and topics
are counted, orphans are removed; then the content version goes up by one and
the change log records what this load added, updated and removed (the last
:data:`HISTORY` loads are kept, for subscribers and incremental clients).
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from db.changes import ChangeRecorder

HISTORY = 1000
"""Loads kept in the change log."""


async def derive(conn: aiosqlite.Connection) -> None:
    """Links, counts and orphans: everything computed from the articles."""
    for statement in _DERIVE:
        await conn.execute(statement)


async def next_version(conn: aiosqlite.Connection, changes: ChangeRecorder) -> None:
    """Bump the content version and log what changed under it."""
    await conn.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version'"
    )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    await conn.execute("UPDATE meta SET value = ? WHERE key = 'loaded_at'", (now,))
    await changes.record(now)
    await conn.execute(
        "DELETE FROM changes WHERE version <= (SELECT max(version) - ? FROM changes)", (HISTORY,)
    )


_DERIVE = (
    # a related item whose URL is an article's web or original URL links to it; else one
    # whose address key (core/urls.py: no tracking parameters, AMP forms mapped back) is
    # one of an article's keys
    """
    WITH links AS (
        SELECT r.id AS rid, COALESCE(
            (SELECT a.id FROM articles a WHERE a.web_url = r.web_url ORDER BY a.id LIMIT 1),
            (SELECT a.id FROM articles a WHERE a.original_url = r.web_url ORDER BY a.id LIMIT 1),
            (SELECT u.article_id FROM article_urls u WHERE u.url = r.url_key
             ORDER BY u.article_id LIMIT 1)
        ) AS tid
        FROM related r
    )
    UPDATE related SET target_id = links.tid FROM links
    WHERE related.id = links.rid AND related.target_id IS NOT links.tid
    """,
    """
    UPDATE providers SET article_count = c.n FROM (
        SELECT p.id AS pid, (SELECT count(*) FROM articles a WHERE a.provider_id = p.id) AS n
        FROM providers p
    ) AS c WHERE providers.id = c.pid AND providers.article_count IS NOT c.n
    """,
    """
    UPDATE topics SET article_count = c.n FROM (
        SELECT t.id AS tid, (SELECT count(*) FROM article_topics x WHERE x.topic_id = t.id) AS n
        FROM topics t
    ) AS c WHERE topics.id = c.tid AND topics.article_count IS NOT c.n
    """,
    # (the loader's connection does not cascade: a provider's logos go first)
    """
    DELETE FROM provider_images WHERE provider_id IN (
        SELECT id FROM providers WHERE from_site = 0 AND article_count = 0
        AND NOT EXISTS (SELECT 1 FROM related r WHERE r.provider_id = providers.id)
    )
    """,
    """
    DELETE FROM providers WHERE from_site = 0 AND article_count = 0
    AND NOT EXISTS (SELECT 1 FROM related r WHERE r.provider_id = providers.id)
    """,
    "DELETE FROM topics WHERE from_site = 0 AND article_count = 0",
)
