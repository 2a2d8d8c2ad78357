"""Apply one load to the database in one ``BEGIN IMMEDIATE`` transaction.

The writer owns the transaction and the ids; the rows of a batch are laid out
by :mod:`db.article_rows`, the text index by :mod:`db.text_index`, the site's
taxonomy and provider records by :mod:`db.site_data`, and what is derived at
commit by :mod:`db.derived`.

The loader streams batches of parsed files in; nothing is visible to readers
until :meth:`LoadWriter.commit`, and a crash or kill before it leaves the
previous content intact (WAL). Ids are assigned here, in memory, so that
every table is written with ``executemany`` rather than row by row: an
article keeps its id when its file changes, so global ids stay stable.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from core.errors import DatabaseError
from core.records import Article, FileState, Provider, TopicInfo
from db import site_data
from db.aggregates import FacetCounts
from db.article_rows import RowBatch, article_row, image_rows, insert_batch, related_row
from db.derived import derive, next_version
from db.text_index import delete_articles, index_articles


@dataclass(slots=True)
class Known:
    """What the database holds before this load, to decide what to write."""

    files: dict[str, FileState] = field(default_factory=dict)
    file_articles: dict[str, int] = field(default_factory=dict)
    slugs: dict[str, int] = field(default_factory=dict)
    providers: dict[str, int] = field(default_factory=dict)
    site_providers: set[str] = field(default_factory=set)
    topics: dict[str, int] = field(default_factory=dict)
    topic_slugs: set[str] = field(default_factory=set)
    next_article: int = 1
    next_related: int = 1
    next_provider: int = 1
    next_topic: int = 1


def topic_slug(name: str) -> str:
    """A URL-safe slug for a topic name (``"Model-driven apps"`` -> ``model-driven-apps``)."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "topic"


class LoadWriter:
    """One load's writes, in one transaction on one aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.known = Known()
        self.counts = FacetCounts(conn)
        self._changed = False
        self._provider_seen: dict[str, Provider] = {}
        self._new_providers: list[tuple[int, str, str | None]] = []
        self.added_ids: list[int] = []
        self.updated_ids: list[int] = []
        self.removed_ids: list[int] = []

    async def begin(self) -> Known:
        """Take the write lock and read what the database already holds."""
        try:
            await self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseError(
                f"cannot start writing ({exc}); is another load running on this database?"
            ) from exc
        k = self.known
        for path, size, mtime, sha, article_id in await self._all(
            "SELECT path, size, mtime_ns, sha256, article_id FROM files"
        ):
            k.files[path] = FileState(path, size, mtime, sha)
            if article_id is not None:
                k.file_articles[path] = article_id
        k.slugs = {slug: id_ for id_, slug in await self._all("SELECT id, slug FROM articles")}
        for id_, domain, from_site in await self._all(
            "SELECT id, domain, from_site FROM providers"
        ):
            k.providers[domain] = id_
            if from_site:
                k.site_providers.add(domain)
        for id_, name, slug in await self._all("SELECT id, name, slug FROM topics"):
            k.topics[name.casefold()] = id_
            k.topic_slugs.add(slug)
        k.next_article = await self._next(
            "SELECT max(seq) FROM sqlite_sequence WHERE name='articles'"
        )
        k.next_article = max(k.next_article, await self._next("SELECT max(id) FROM articles"))
        k.next_related = await self._next("SELECT max(id) FROM related")
        k.next_provider = await self._next("SELECT max(id) FROM providers")
        k.next_topic = await self._next("SELECT max(id) FROM topics")
        return k

    async def put_articles(self, batch: Sequence[tuple[FileState, Article]]) -> tuple[int, int]:
        """Insert new and replace changed articles; return (added, updated)."""
        if not batch:
            return 0, 0
        k = self.known
        replaced = [k.file_articles[s.path] for s, _ in batch if s.path in k.file_articles]
        await self.counts.subtract(replaced)
        await delete_articles(self.conn, replaced)
        rows = RowBatch()
        for state, art in batch:
            article_id = k.file_articles.get(state.path)
            if article_id is None:
                article_id = k.next_article
                k.next_article += 1
                k.file_articles[state.path] = article_id
                self.added_ids.append(article_id)
            else:
                self.updated_ids.append(article_id)
            slug = self._slug_for(art, article_id)
            rows.articles.append(
                article_row(article_id, slug, self._provider_id(art.provider), art)
            )
            sort_key = art.published_at or ""
            for position, name in enumerate(art.topics):
                rows.topics.append((await self._topic_id(name), sort_key, article_id, position))
            rows.images.extend(image_rows(article_id, art.images))
            for position, rel in enumerate(art.related):
                related_id = k.next_related
                k.next_related += 1
                provider_id = self._provider_id(rel.provider)
                rows.related.append(related_row(related_id, article_id, position, rel, provider_id))
                rows.related_images.extend(image_rows(related_id, rel.images))
        await self._pending_providers()
        await insert_batch(self.conn, rows)
        # one statement per batch: as cheap as one per load, and done while parsers work
        await index_articles(self.conn, rows.article_ids)
        await self.counts.add(rows.article_ids)
        await self._save_files([s for s, _ in batch])
        self._changed = True
        return len(batch) - len(replaced), len(replaced)

    async def touch_files(self, states: Sequence[FileState]) -> None:
        """Record a new size/mtime for files whose content hash did not change."""
        await self._save_files(states)

    async def remove(self, paths: Iterable[str]) -> int:
        """Delete the articles of files gone from disk; return how many."""
        doomed = list(paths)
        if not doomed:
            return 0
        ids = [(self.known.file_articles.pop(p),) for p in doomed if p in self.known.file_articles]
        self.removed_ids.extend(i for (i,) in ids)
        await self.counts.subtract([i for (i,) in ids])
        await delete_articles(self.conn, [i for (i,) in ids])
        await self.conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in doomed])
        self._changed = self._changed or bool(ids)
        return len(ids)

    async def site_matches(self, topics: Sequence[TopicInfo], orgs: Sequence[Provider]) -> bool:
        """Whether the database already holds exactly this taxonomy and these records."""
        return await site_data.site_matches(self.conn, topics, orgs)

    async def put_site(self, topics: Sequence[TopicInfo], orgs: Sequence[Provider]) -> None:
        """Replace the site's taxonomy (topics) and provider records (organizations)."""
        k = self.known
        await self.conn.execute("UPDATE topics SET from_site = 0 WHERE from_site = 1")
        await self.conn.execute("UPDATE providers SET from_site = 0 WHERE from_site = 1")
        k.site_providers.clear()
        for info in topics:
            topic_id = await self._topic_id(info.name, wanted_slug=info.slug)
            await self.conn.execute(
                "UPDATE topics SET parent = ?, keywords = ?, hashtags = ?, extra = ?,"
                " from_site = 1 WHERE id = ?",
                (
                    info.parent,
                    json.dumps(list(info.keywords)),
                    json.dumps(list(info.hashtags)),
                    info.extra,
                    topic_id,
                ),
            )
        for org in orgs:
            provider_id = self._provider_id(org)
            assert provider_id is not None  # an organization always has a domain
            await self._pending_providers()
            await self.conn.execute(
                "UPDATE providers SET name = COALESCE(?, name), from_site = 1 WHERE id = ?",
                (org.name, provider_id),
            )
            await site_data.replace_provider_images(self.conn, provider_id, org.images)
            k.site_providers.add(org.domain)
        self._changed = True

    async def commit(self) -> int:
        """Finish derived data, bump the content version if anything changed, commit."""
        try:
            if self._changed:
                await self._apply_provider_details()
                await derive(self.conn)
                await self.counts.finish()
                await next_version(self.conn, self.added_ids, self.updated_ids, self.removed_ids)
                await self.conn.execute("PRAGMA optimize")
            version = await self._next("SELECT value FROM meta WHERE key='content_version'") - 1
            await self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            await self.rollback()
            raise DatabaseError(f"cannot commit the load: {exc}") from exc
        if self._changed:
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return version

    async def rollback(self) -> None:
        """Undo everything this load wrote."""
        if self.conn.in_transaction:
            await self.conn.execute("ROLLBACK")

    @property
    def changed(self) -> bool:
        """Whether this load wrote content (and so will bump the version)."""
        return self._changed

    # -- helpers -------------------------------------------------------------

    def _slug_for(self, art: Article, article_id: int) -> str:
        slugs = self.known.slugs
        slug = art.slug
        owner = slugs.get(slug)
        if owner is not None and owner != article_id:
            slug = f"{art.slug}-{hashlib.sha1(art.path.encode()).hexdigest()[:8]}"  # noqa: S324
        slugs[slug] = article_id
        return slug

    def _provider_id(self, provider: Provider | None) -> int | None:
        if provider is None:
            return None
        k = self.known
        self._provider_seen[provider.domain] = _merge(
            self._provider_seen.get(provider.domain), provider
        )
        found = k.providers.get(provider.domain)
        if found is None:
            found = k.next_provider
            k.next_provider += 1
            k.providers[provider.domain] = found
            self._new_providers.append((found, provider.domain, provider.name))
        return found

    async def _pending_providers(self) -> None:
        if self._new_providers:
            await self.conn.executemany(
                "INSERT INTO providers (id, domain, name) VALUES (?,?,?)", self._new_providers
            )
            self._new_providers = []

    async def _topic_id(self, name: str, wanted_slug: str | None = None) -> int:
        k = self.known
        found = k.topics.get(name.casefold())
        if found is not None:
            if wanted_slug and wanted_slug not in k.topic_slugs:
                await self.conn.execute(
                    "UPDATE topics SET slug = ? WHERE id = ?", (wanted_slug, found)
                )
                k.topic_slugs.add(wanted_slug)
            return found
        base = wanted_slug or topic_slug(name)
        slug, n = base, 2
        while slug in k.topic_slugs:
            slug, n = f"{base}-{n}", n + 1
        found = k.next_topic
        k.next_topic += 1
        k.topics[name.casefold()] = found
        k.topic_slugs.add(slug)
        await self.conn.execute(
            "INSERT INTO topics (id, name, slug) VALUES (?,?,?)", (found, name, slug)
        )
        return found

    async def _apply_provider_details(self) -> None:
        """Providers without a site record take the name and logos last seen in items."""
        k = self.known
        names, logos = [], []
        for domain, prov in self._provider_seen.items():
            if domain in k.site_providers:
                continue
            provider_id = k.providers[domain]
            if prov.name is not None:
                names.append((prov.name, provider_id))
            if prov.images:
                logos.append((provider_id, prov.images))
        await self.conn.executemany(
            "UPDATE providers SET name = ? WHERE id = ? AND name IS NOT ?",
            [(n, i, n) for n, i in names],
        )
        for provider_id, images in logos:
            await site_data.replace_provider_images(self.conn, provider_id, images)

    async def _save_files(self, states: Sequence[FileState]) -> None:
        k = self.known
        await self.conn.executemany(
            "INSERT INTO files (path, size, mtime_ns, sha256, article_id) VALUES (?,?,?,?,?)"
            " ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " sha256 = excluded.sha256, article_id = excluded.article_id",
            [(s.path, s.size, s.mtime_ns, s.sha256, k.file_articles.get(s.path)) for s in states],
        )
        for s in states:
            k.files[s.path] = s

    async def _all(self, sql: str) -> list[Any]:
        async with self.conn.execute(sql) as cursor:
            return list(await cursor.fetchall())

    async def _next(self, sql: str) -> int:
        async with self.conn.execute(sql) as cursor:
            row = await cursor.fetchone()
        return int(row[0] or 0) + 1 if row else 1


def _merge(old: Provider | None, new: Provider) -> Provider:
    if old is None or (new.name and new.images):
        return new
    return Provider(domain=new.domain, name=new.name or old.name, images=new.images or old.images)
