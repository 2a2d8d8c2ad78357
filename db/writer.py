"""Apply one load to the database in one ``BEGIN IMMEDIATE`` transaction.

The writer owns the transaction and the ids; the rows of a batch are laid out
by :mod:`db.article_rows`, the text index by :mod:`db.text_index`, the site's
taxonomy and provider records by :mod:`db.site_data`, the ``files`` table by
:mod:`db.files`, the change log by :mod:`db.changes`, and what is derived at
commit by :mod:`db.derived`.

The loader streams batches of parsed files in; nothing is visible to readers
until :meth:`LoadWriter.commit`, and a crash or kill before it leaves the
previous content intact (WAL). Ids are assigned here so that every table is
written with ``executemany`` rather than row by row; an article keeps its id
when its file changes, so global ids stay stable.

Memory does not grow with the database: what a batch needs to know (the ids of
the articles its files had, who owns a slug) is looked up per batch through
the unique indexes on ``articles.path`` and ``articles.slug``, and the ids a
load touched wait in a TEMP table for the change log. Only providers and
topics (thousands, not millions) are held in dicts. The counts kept with the
content (:mod:`db.aggregates`) follow every deletion and insertion.

Articles leave through :meth:`LoadWriter._delete` and arrive through
:meth:`LoadWriter._insert`, each the one place for its kind of change.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from core.errors import DatabaseError
from core.records import Article, FileState, Provider, TopicInfo
from db import digest, files, renders, site_data
from db.aggregates import DELTA_LIMIT, FacetCounts
from db.article_rows import (
    RowBatch,
    article_row,
    image_rows,
    insert_batch,
    key_rows,
    related_row,
)
from db.changes import ChangeRecorder
from db.deferred import DeferredIndexes
from db.derived import derive, next_version
from db.filed import FiledForms
from db.stories import Stories
from db.text_index import delete_articles, index_articles


@dataclass(slots=True)
class Known:
    """The small tables and the next free ids, read when the load begins."""

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
        self.changes = ChangeRecorder(conn)
        self.indexes = DeferredIndexes(conn)
        self.filed = FiledForms(conn)
        self.stories = Stories(conn)
        self._path = ""
        self._changed = False
        self.digest = ""
        """The content digest at commit (:mod:`db.digest`)."""
        self._provider_seen: dict[str, Provider] = {}
        self._new_providers: list[tuple[int, str, str | None]] = []

    async def follow_embed_hosts(self, digest: str) -> int:
        """Before :meth:`begin`: if the embeds were rendered with another allow-list, make
        this load parse their files again (:mod:`db.renders`); return how many."""
        return await renders.follow_embed_hosts(self.conn, digest)

    async def begin(self) -> Known:
        """Take the write lock and read the small tables."""
        try:
            await self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseError(
                f"cannot start writing ({exc}); is another load running on this database?"
            ) from exc
        k = self.known
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
        ((self._path,),) = await self._all("SELECT file FROM pragma_database_list WHERE seq = 0")
        await self.changes.start()
        await self.filed.start()
        await self.stories.start()
        if await self.stories.backfill():  # once, after the migration to schema v9
            self._changed = True
        return k

    def known_files(self) -> files.KnownFiles:
        """The ``files`` table in path order, readable from another thread.

        Call after :meth:`begin` and read it before writing anything: its read
        transaction then sees exactly what this one does.
        """
        if not self._path:
            raise DatabaseError("loading needs a database file, not an in-memory database")
        return files.KnownFiles(Path(self._path))

    async def expect(self, writes: int) -> None:
        """Say how many files this load may write: a bulk load defers some indexes, and
        counts its aggregates once at commit instead of batch by batch."""
        await self.indexes.defer_if_bulk(writes)
        if writes > DELTA_LIMIT:
            self.counts.rebuild = True  # it would switch to that after DELTA_LIMIT deltas

    async def put_articles(self, batch: Sequence[tuple[FileState, Article]]) -> tuple[int, int]:
        """Insert new and replace changed articles; return (added, updated)."""
        if not batch:
            return 0, 0
        k = self.known
        held = dict(
            await self._all(
                "SELECT path, id FROM articles WHERE path IN (SELECT value FROM json_each(?))",
                json.dumps([s.path for s, _ in batch]),
            )
        )
        updated = list(held.values())
        ids: list[int] = []
        added: list[int] = []
        for state, _ in batch:
            article_id = held.get(state.path)
            if article_id is None:
                article_id = held[state.path] = k.next_article
                k.next_article += 1
                added.append(article_id)
            ids.append(article_id)
        # before the old rows go: an article being replaced still holds its slug
        slugs = await self._slugs(batch, ids)
        await self._delete(updated)
        rows, topics, filed = RowBatch(), k.topics, self.filed
        for (_, art), article_id, slug in zip(batch, ids, slugs, strict=True):
            provider_id, filed_id = self._provider_id(art.provider), filed.id_of(art.provider)
            rows.articles.append(article_row(article_id, slug, provider_id, art, filed_id))
            sort_key = art.published_at or ""
            for position, name in enumerate(art.topics):
                topic_id = topics.get(name.casefold()) or await self._topic_id(name)
                rows.topics.append((topic_id, sort_key, article_id, position))
            rows.images.extend(image_rows(article_id, art.images))
            urls, bands = key_rows(article_id, art)
            rows.urls.extend(urls)
            rows.bands.extend(bands)
            for position, rel in enumerate(art.related):
                related_id = k.next_related
                k.next_related += 1
                provider_id, filed_id = self._provider_id(rel.provider), filed.id_of(rel.provider)
                rows.related.append(
                    related_row(related_id, article_id, position, rel, provider_id, filed_id)
                )
                rows.related_images.extend(image_rows(related_id, rel.images))
        await self._pending_providers()
        await filed.flush()
        await self._insert(rows)
        await files.save(self.conn, [(s, i) for (s, _), i in zip(batch, ids, strict=True)])
        await self.changes.add("added", added)
        await self.changes.add("updated", updated)
        self._changed = True
        return len(added), len(updated)

    async def touch_files(self, states: Sequence[FileState]) -> None:
        """Record a new size/mtime for files whose content hash did not change."""
        await files.touch(self.conn, states)

    async def remove(self, gone: Sequence[tuple[str, int | None]]) -> int:
        """Delete the articles of files gone from disk (path, article id); return how many."""
        if not gone:
            return 0
        ids = [i for _, i in gone if i is not None]
        await self._delete(ids)
        await files.forget(self.conn, [p for p, _ in gone])
        await self.changes.add("removed", ids)
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
            await self.indexes.restore()
            if self._changed:
                await self._apply_provider_details()
                await self.stories.cluster()
                await derive(self.conn)
                await self.counts.finish()
                await next_version(self.conn, self.changes)
                await self.conn.execute("PRAGMA optimize")
            self.digest = await digest.store(self.conn, changed=self._changed)
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

    # -- the two doors articles pass through -----------------------------------

    async def _delete(self, ids: Sequence[int]) -> None:
        """Every deletion or replacement of articles (and their rows) goes through here."""
        await self.counts.subtract(ids)
        await self.stories.forget(ids)
        await delete_articles(self.conn, ids)

    async def _insert(self, rows: RowBatch) -> None:
        """Every insertion of articles (and their rows) goes through here."""
        await insert_batch(self.conn, rows)
        # one statement per batch: as cheap as one per load, and done while parsers work
        await index_articles(self.conn, rows.article_ids)
        await self.counts.add(rows.article_ids)

    # -- helpers -------------------------------------------------------------

    async def _slugs(self, batch: Sequence[tuple[FileState, Article]], ids: list[int]) -> list[str]:
        """A unique slug per article: its own, or made distinct with a hash of its path."""
        owners: dict[str, int] = dict(
            await self._all(
                "SELECT slug, id FROM articles WHERE slug IN (SELECT value FROM json_each(?))",
                json.dumps([art.slug for _, art in batch]),
            )
        )
        out = []
        for (_, art), article_id in zip(batch, ids, strict=True):
            slug = art.slug
            owner = owners.get(slug)
            if owner is not None and owner != article_id:
                slug = await self._distinct_slug(art, article_id, owners)
            owners[slug] = article_id
            out.append(slug)
        return out

    async def _distinct_slug(self, art: Article, article_id: int, owners: dict[str, int]) -> str:
        """``slug-<hash of path>``, longer (or numbered) in the rare case that is taken too."""
        digest = hashlib.sha1(art.path.encode()).hexdigest()  # noqa: S324 - not security
        candidates = [f"{art.slug}-{digest[:n]}" for n in (8, 16, 40)]
        candidates += [f"{art.slug}-{digest}-{n}" for n in range(2, 1000)]
        for slug in candidates:
            owner = owners.get(slug)
            if owner is None:
                rows = await self._all("SELECT id FROM articles WHERE slug = ?", slug)
                owner = rows[0][0] if rows else None
            if owner is None or owner == article_id:
                return slug
        raise DatabaseError(f"cannot find a free slug for {art.path}")

    def _provider_id(self, provider: Provider | None) -> int | None:
        if provider is None:
            return None
        k = self.known
        seen = self._provider_seen.get(provider.domain)
        if seen is None or (provider.name and provider.images):
            self._provider_seen[provider.domain] = provider
        elif (provider.name and provider.name != seen.name) or (
            provider.images and provider.images != seen.images
        ):  # most occurrences repeat what was seen: no new record for those
            self._provider_seen[provider.domain] = _merge(seen, provider)
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

    async def _all(self, sql: str, *args: Any) -> list[Any]:
        async with self.conn.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    async def _next(self, sql: str) -> int:
        async with self.conn.execute(sql) as cursor:
            row = await cursor.fetchone()
        return int(row[0] or 0) + 1 if row else 1


def _merge(old: Provider | None, new: Provider) -> Provider:
    if old is None or (new.name and new.images):
        return new
    return Provider(domain=new.domain, name=new.name or old.name, images=new.images or old.images)
