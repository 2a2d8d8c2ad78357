"""Content health, for operators: what is broken or missing in the loaded content.

Each check is a count and a list in a fixed order, read page by page with a
keyset (the last item's key), so a list of a million is as cheap to page as a
list of ten. The article checks walk the indexes the feeds use, newest first;
related links that match no article have a partial index (v8); duplicate
addresses group the index of address keys (v9), which at a million articles takes a fraction of a
second, so that check says it is slow work (a request on the event loop moves
to a background worker first).

The same checks serve ``contentHealth`` (through a read session) and
``newsgraph load --report`` (through a plain connection): both pass a function
that runs one statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import aiosqlite

from core.records import Problem
from db.connection import connect
from db.session import SessionCore

Run = Callable[[str, Sequence[Any]], list[Any]]
"""Runs one statement with bound parameters and returns its rows."""


class HealthRow(NamedTuple):
    """One finding: its keyset key, and what points at it."""

    key: tuple[Any, ...]
    reason: str
    path: str | None = None
    line: int | None = None
    url: str | None = None
    article_id: int | None = None
    provider_id: int | None = None
    topic_id: int | None = None


_ARTICLE = "a.path, NULL, NULL, a.id, NULL, NULL"
"""The columns after the reason of a finding about an article."""
_NEWEST = "AND (a.sk_published, a.id) < (?, ?) ORDER BY a.sk_published DESC, a.id DESC"
_NEWEST_FIRST_KEY = ("\U0010ffff", 2**62)
"""A key after every article's (sk_published, id), for the first page."""


@dataclass(frozen=True, slots=True)
class Check:
    """How to count one kind of finding and list it from a key on."""

    description: str
    count_sql: str
    items_sql: str
    """Selects the key's parts, then reason, path, line, url, article, provider, topic ids;
    takes the key's parts and a limit."""
    key_size: int
    first_key: tuple[Any, ...]
    slow: bool = False


def _article_check(description: str, condition: str, reason: str) -> Check:
    return Check(
        description,
        f"SELECT count(*) FROM articles a WHERE {condition}",
        f"SELECT a.sk_published, a.id, '{reason}', {_ARTICLE} FROM articles a"
        f" WHERE {condition} {_NEWEST} LIMIT ?",
        2,
        _NEWEST_FIRST_KEY,
    )


CHECKS: dict[str, Check] = {
    "REFUSED_FILES": Check(
        "Files the last load refused, with the line and the reason (they are not served; "
        "a file that loaded before keeps its last good version).",
        "SELECT count(*) FROM load_problems",
        "SELECT path, reason, reason, path, line, NULL, NULL, NULL, NULL FROM load_problems"
        " WHERE (path, reason) > (?, ?) ORDER BY path, reason LIMIT ?",
        2,
        ("", ""),
    ),
    "UNMATCHED_RELATED": Check(
        "Related items whose address matches no article of the corpus (coverage elsewhere, "
        "or an article that is missing).",
        "SELECT count(*) FROM related r WHERE r.target_id IS NULL"
        " AND coalesce(r.web_url, r.amp_web_url, r.cdn_amp_web_url) IS NOT NULL",
        "SELECT r.id, 'related item ' || (r.position + 1) || ' (' || coalesce(r.title, 'untitled')"
        " || ') links an address that matches no article', a.path, NULL,"
        " coalesce(r.web_url, r.amp_web_url, r.cdn_amp_web_url), a.id, NULL, NULL"
        " FROM related r JOIN articles a ON a.id = r.article_id WHERE r.target_id IS NULL"
        " AND coalesce(r.web_url, r.amp_web_url, r.cdn_amp_web_url) IS NOT NULL AND r.id > ?"
        " ORDER BY r.id LIMIT ?",
        1,
        (0,),
    ),
    "DUPLICATE_URLS": Check(
        "Addresses that more than one article has, compared as stories compare them "
        "(tracking parameters, AMP forms, www. and http/https aside); the first article is "
        "linked, `duplicates` lists the rest.",
        "SELECT count(*) FROM (SELECT 1 FROM article_urls GROUP BY url HAVING count(*) > 1)",
        "SELECT url, count(*) || ' articles have this address', NULL, NULL, url,"
        " min(article_id), NULL, NULL FROM article_urls WHERE url > ?"
        " GROUP BY url HAVING count(*) > 1 ORDER BY url LIMIT ?",
        1,
        ("",),
        slow=True,
    ),
    "NO_IMAGES": _article_check("Articles without any image.", "a.image_count = 0", "no images"),
    "NO_PROVIDER": _article_check(
        "Articles without a provider (no provider and no URL to take a domain from).",
        "a.provider_id IS NULL",
        "no provider",
    ),
    "NO_DATE": _article_check(
        "Articles without a publication date (they sort last, newest first).",
        "a.sk_published = ''",
        "no publishedDateTime",
    ),
    "UNNAMED_PROVIDERS": Check(
        "Providers that no file and no organization record gives a name.",
        "SELECT count(*) FROM providers WHERE coalesce(name, '') = ''",
        "SELECT domain, 'provider ' || domain || ' has no name', NULL, NULL, NULL, NULL, id, NULL"
        " FROM providers WHERE coalesce(name, '') = '' AND domain > ? ORDER BY domain LIMIT ?",
        1,
        ("",),
    ),
    "TOPICS_NOT_IN_TAXONOMY": Check(
        "Topics the items use that the site's taxonomy (_data/topics) does not list; none when "
        "the site has no taxonomy.",
        "SELECT count(*) FROM topics WHERE from_site = 0"
        " AND EXISTS (SELECT 1 FROM topics WHERE from_site = 1)",
        "SELECT slug, 'topic ' || name || ' is not in the taxonomy', NULL, NULL, NULL, NULL,"
        " NULL, id FROM topics WHERE from_site = 0 AND slug > ?"
        " AND EXISTS (SELECT 1 FROM topics WHERE from_site = 1) ORDER BY slug LIMIT ?",
        1,
        ("",),
    ),
}


def count(run: Run, kind: str) -> int:
    """How many findings of one kind there are."""
    return int(run(CHECKS[kind].count_sql, ())[0][0])


def items(run: Run, kind: str, first: int, after: tuple[Any, ...] | None) -> list[HealthRow]:
    """Up to ``first`` findings after the one whose key is ``after`` (from the start: None)."""
    check = CHECKS[kind]
    key = check.first_key if after is None else after
    found = run(check.items_sql, (*key, first))
    return [HealthRow(tuple(r[: check.key_size]), *r[check.key_size :]) for r in found]


def valid_key(kind: str, key: Any) -> bool:
    """Whether a key decoded from a cursor fits this check's keyset."""
    check = CHECKS[kind]
    return (
        isinstance(key, list | tuple)
        and len(key) == check.key_size
        and all(type(v) is type(f) for v, f in zip(key, check.first_key, strict=True))
    )


class HealthReads(SessionCore):
    """The checks through a read session (slow ones move off the event loop first)."""

    def health_count(self, kind: str) -> int:
        if CHECKS[kind].slow:
            self.slow()
        return count(self.rows, kind)

    def health_items(self, kind: str, first: int, after: tuple[Any, ...] | None) -> list[HealthRow]:
        if CHECKS[kind].slow:
            self.slow()
        return items(self.rows, kind, first, after)


def plain_run(conn: sqlite3.Connection) -> Run:
    """A :data:`Run` over a plain connection (for ``newsgraph load --report``)."""
    return lambda sql, params: conn.execute(sql, params).fetchall()


async def save_problems(conn: aiosqlite.Connection, problems: Sequence[Problem]) -> None:
    """Keep the refused files of this load (in its transaction), replacing the last
    load's; nothing is written when they are the same."""
    rows = sorted({(p.path, p.line, p.reason) for p in problems})
    async with conn.execute("SELECT path, line, reason FROM load_problems ORDER BY 1, 2, 3") as c:
        held = [tuple(r) for r in await c.fetchall()]
    if held == rows:
        return
    await conn.execute("DELETE FROM load_problems")
    await conn.executemany("INSERT INTO load_problems (path, line, reason) VALUES (?,?,?)", rows)


def report(path: str | Path, first: int = 5) -> list[tuple[str, str, int, list[HealthRow]]]:
    """Every check of a database file: (kind, description, count, first findings)."""
    conn = connect(path, readonly=True)
    try:
        run = plain_run(conn)
        conn.execute("BEGIN")  # one snapshot for every check
        return [
            (kind, check.description, count(run, kind), items(run, kind, first, None))
            for kind, check in CHECKS.items()
        ]
    finally:
        conn.close()
