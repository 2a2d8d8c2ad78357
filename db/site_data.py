"""The site's own data: its topic taxonomy and its provider records.

``_data/topics/*.yaml`` and ``_data/organizations/*.md`` change rarely; a load
compares them with what the database holds and rewrites them only when they
differ, so an unchanged site does not bump the content version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiosqlite

from core.records import Image, Provider, TopicInfo
from db.article_rows import image_rows


async def site_matches(
    conn: aiosqlite.Connection, topics: Sequence[TopicInfo], orgs: Sequence[Provider]
) -> bool:
    """Whether the database already holds exactly this taxonomy and these records."""
    held_topics = {
        (name.casefold(), parent, keywords, hashtags, extra)
        for name, parent, keywords, hashtags, extra in await _all(
            conn, "SELECT name, parent, keywords, hashtags, extra FROM topics WHERE from_site = 1"
        )
    }
    wanted_topics = {
        (
            t.name.casefold(),
            t.parent,
            json.dumps(list(t.keywords)),
            json.dumps(list(t.hashtags)),
            t.extra,
        )
        for t in topics
    }
    if held_topics != wanted_topics:
        return False
    logos: dict[str, list[tuple[Any, ...]]] = {}
    for domain, *image in await _all(
        conn,
        "SELECT p.domain, i.url, i.width, i.height, i.is_cached, i.title, i.attribution"
        " FROM providers p JOIN provider_images i ON i.provider_id = p.id"
        " WHERE p.from_site = 1 ORDER BY p.domain, i.position",
    ):
        logos.setdefault(domain, []).append(tuple(image))
    names = dict(await _all(conn, "SELECT domain, name FROM providers WHERE from_site = 1"))
    held_orgs = {(domain, name, tuple(logos.get(domain, ()))) for domain, name in names.items()}
    wanted_orgs = {
        (
            o.domain,
            o.name if o.name is not None else names.get(o.domain),
            tuple(row[2:] for row in image_rows(0, o.images)),
        )
        for o in orgs
    }
    return held_orgs == wanted_orgs


async def replace_provider_images(
    conn: aiosqlite.Connection, provider_id: int, images: Sequence[Image]
) -> None:
    """Replace a provider's logos."""
    await conn.execute("DELETE FROM provider_images WHERE provider_id = ?", (provider_id,))
    await conn.executemany(
        "INSERT INTO provider_images (provider_id, position, url, width, height, is_cached,"
        " title, attribution) VALUES (?,?,?,?,?,?,?,?)",
        image_rows(provider_id, images),
    )


async def _all(conn: aiosqlite.Connection, sql: str) -> list[Any]:
    async with conn.execute(sql) as cursor:
        return list(await cursor.fetchall())
