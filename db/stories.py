"""Stories: articles that tell the same story share a ``story_id``, kept load by load.

Two articles are one story when one of their address keys is the same
(:mod:`core.urls`: the same page with other tracking parameters, or its AMP
form), or when their titles are near-duplicates (:func:`core.titles.same_story`)
and they were published within :data:`STORY_DAYS` days of each other; a story
is what these links join (one link is enough). Its id is the least article id
among its members, so the same content gives the same ids whatever order the
files were loaded in.

The work follows what a load changed, never the whole corpus: at commit the
articles this load wrote, and the remaining members of the stories it took an
article out of (a member may have been the only link between two others), are
matched again. Their candidates come from two indexes, ``article_urls`` by key
and ``story_bands`` by title band and day, and a new link joins the older story
(the least id). Python holds only the articles that found a match. A first
load matches every article once, after the indexes are built (sorted once).
A database migrated to v8 gets the keys of the articles it holds from their
columns (:meth:`Stories.backfill`), once, in its next load.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

import aiosqlite

from core.titles import same_story, title_bands, title_words
from core.urls import url_key, url_keys
from db.article_rows import published_day

STORY_DAYS = 3
"""How many days apart two articles with near-duplicate titles may be published."""
BAND_CANDIDATES = 64
"""The most articles one title band offers as candidates (the first in the index order: by
day, then id). A band of common words in a dense week could offer thousands, and a first
load of a million articles must stay linear; true duplicates share several bands."""
_FETCH = 2_000

_TODO = "(SELECT id FROM temp.story_todo)"
# CROSS JOIN keeps the order written: the articles to match drive, each through an index
# (else the planner may scan every article first, whatever the load changed)
_URL_PAIRS = f"""
SELECT t.id, o.id, o.story_id, o.id IN {_TODO}
FROM temp.story_todo t
CROSS JOIN article_urls u ON u.article_id = t.id
CROSS JOIN article_urls v ON v.url = u.url AND v.article_id <> t.id
CROSS JOIN articles o ON o.id = v.article_id
WHERE o.id > t.id OR o.id NOT IN {_TODO}
"""
_TITLE_PAIRS = f"""
SELECT t.id, o.id, o.story_id, o.id IN {_TODO}, ta.title, o.title
FROM temp.story_todo t
CROSS JOIN articles ta ON ta.id = t.id
CROSS JOIN story_bands b ON b.article_id = t.id
CROSS JOIN story_bands c ON c.rowid IN (SELECT rowid FROM story_bands
    WHERE band = b.band AND day BETWEEN b.day - ? AND b.day + ? LIMIT ?)
    AND c.article_id <> t.id
CROSS JOIN articles o ON o.id = c.article_id
WHERE o.id > t.id OR o.id NOT IN {_TODO}
"""

_BACKFILL = 5_000
_HELD = (
    "SELECT id, title, published_at, web_url, original_url, amp_web_url, cdn_amp_web_url"
    " FROM articles WHERE id > ? ORDER BY id LIMIT ?"
)
words = lru_cache(maxsize=65_536)(title_words)


class Stories:
    """One load's changes to the stories, in the load's transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def start(self) -> None:
        """An empty list of stories to split (TEMP tables live as long as the connection)."""
        for table in ("story_split", "story_todo"):
            column = "story_id" if table == "story_split" else "id"
            await self.conn.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {table} ({column} INTEGER PRIMARY KEY)"
            )
            await self.conn.execute(f"DELETE FROM temp.{table}")

    async def backfill(self) -> int:
        """Once, after the migration to schema v8: the keys of the articles already held,
        computed from their columns (as the parsers compute them, :mod:`loaders.keys`),
        a chunk at a time; they are matched at commit. Return how many articles."""
        async with self.conn.execute(
            "SELECT 1 FROM meta WHERE key = 'story_keys' AND value = 'pending'"
        ) as cursor:
            if await cursor.fetchone() is None:
                return 0
        done, last = 0, 0
        while True:
            async with self.conn.execute(_HELD, (last, _BACKFILL)) as cursor:
                rows = list(await cursor.fetchall())
            if not rows:
                break
            urls, bands = [], []
            for article_id, title, published_at, *addresses in rows:
                urls += [(article_id, key) for key in url_keys(*addresses)]
                day = published_day(published_at)
                if day is not None:
                    bands += [(article_id, b, day) for b in title_bands(title_words(title))]
            ids = json.dumps([r[0] for r in rows])
            related = await self.conn.execute_fetchall(
                "SELECT id, web_url, amp_web_url, cdn_amp_web_url FROM related"
                " WHERE article_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
            await self.conn.executemany(
                "UPDATE related SET url_key = ? WHERE id = ?",
                [(url_key(web or amp or cdn), i) for i, web, amp, cdn in related],
            )
            await self.conn.executemany("INSERT INTO article_urls VALUES (?, ?)", urls)
            await self.conn.executemany("INSERT INTO story_bands VALUES (?, ?, ?)", bands)
            await self.conn.execute(
                "INSERT OR IGNORE INTO temp.story_todo (id) SELECT value FROM json_each(?)", (ids,)
            )
            done += len(rows)
            last = rows[-1][0]
        await self.conn.execute("DELETE FROM meta WHERE key = 'story_keys'")
        return done

    async def forget(self, ids: Sequence[int]) -> None:
        """Before articles are deleted (or replaced): note the stories they leave, which
        are matched again at commit, and delete their keys."""
        if not ids:
            return
        chosen = json.dumps(list(ids))
        await self.conn.execute(
            "INSERT OR IGNORE INTO temp.story_split (story_id) SELECT a.story_id FROM articles a"
            " WHERE a.id IN (SELECT value FROM json_each(?)) AND a.story_id IS NOT NULL"
            " AND (a.story_id <> a.id OR EXISTS (SELECT 1 FROM articles m"
            " WHERE m.story_id = a.story_id AND m.id <> a.id))",
            (chosen,),
        )
        for table in ("article_urls", "story_bands"):
            await self.conn.execute(
                f"DELETE FROM {table} WHERE article_id IN (SELECT value FROM json_each(?))",
                (chosen,),
            )

    async def cluster(self) -> int:
        """Match again what this load wrote or split; return how many stories it joined."""
        conn = self.conn
        await conn.execute(
            "INSERT OR IGNORE INTO temp.story_todo (id) SELECT l.id FROM temp.load_changes l"
            " CROSS JOIN articles a ON a.id = l.id WHERE l.kind <> 'removed'"
        )
        await conn.execute(
            "INSERT OR IGNORE INTO temp.story_todo (id) SELECT a.id FROM articles a"
            " WHERE a.story_id IN (SELECT story_id FROM temp.story_split)"
        )
        await conn.execute(
            f"UPDATE articles SET story_id = id WHERE id IN {_TODO} AND story_id IS NOT id"
        )
        links = _Links()
        async with conn.execute(_URL_PAIRS) as cursor:
            while rows := await cursor.fetchmany(_FETCH):
                for article_id, other, story, todo in rows:
                    links.join(article_id, other if todo else story, todo)
        params = (STORY_DAYS, STORY_DAYS, BAND_CANDIDATES)
        async with conn.execute(_TITLE_PAIRS, params) as cursor:
            while rows := await cursor.fetchmany(_FETCH):
                for article_id, other, story, todo, title, other_title in rows:
                    if same_story(words(title), words(other_title)):
                        links.join(article_id, other if todo else story, todo)
        words.cache_clear()
        articles, stories = links.changes()
        await conn.executemany("UPDATE articles SET story_id = ? WHERE id = ?", articles)
        await conn.executemany("UPDATE articles SET story_id = ? WHERE story_id = ?", stories)
        await conn.execute("DELETE FROM temp.story_todo")
        await conn.execute("DELETE FROM temp.story_split")
        return len(articles) + len(stories)


class _Links:
    """Union-find over the articles being matched and the stories they meet: a node is an
    article id (being matched) or a story id (a story none of whose members is)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.stories: set[int] = set()

    def join(self, article_id: int, other: int, other_is_article: bool) -> None:
        if not other_is_article:
            self.stories.add(other)
        a, b = self._root(article_id), self._root(other)
        if a != b:  # the least id is the root: the story's id
            self.parent[max(a, b)] = min(a, b)

    def _root(self, node: int) -> int:
        parent = self.parent.setdefault(node, node)
        while parent != node:
            grand = self.parent[parent]
            self.parent[node] = grand
            node, parent = parent, grand
        return node

    def changes(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(story id, article id) for articles, (story id, old story id) for stories."""
        articles: list[tuple[int, int]] = []
        stories: list[tuple[int, int]] = []
        for node in list(self.parent):
            root = self._root(node)
            if root != node:
                (stories if node in self.stories else articles).append((root, node))
        return articles, stories
