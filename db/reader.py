"""Read-side database access for the API: a pool of connections, one session per request.

A :class:`Session` is one read transaction, so everything a request reads
(a page, its ``totalCount``, its facets, nested lists) comes from one
snapshot of the content, even while a load commits. Queries are synchronous:
SQLite answers these indexed lookups in microseconds, far less than a thread
hop would cost, and a progress handler stops any statement that runs past
the request's time limit.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import orjson

from db.connection import connect
from db.dimensions import DimensionCache, Dimensions
from db.query import TOPIC_IDS, Filter, Order, Sort, only, single_topic, where
from db.rows import (
    ArticleRow,
    Columns,
    ContentInfo,
    FacetRow,
    ImageRow,
    ProviderRow,
    RelatedRow,
    TopicRow,
    article_columns,
    related_columns,
)
from newsgraph.errors import BadSearch, DatabaseError, QueryTimeout

R = TypeVar("R")
Key = Any
Tracer = Callable[[str], None]

_IDS = "(SELECT value FROM json_each(?))"
# BM25 column weights: a word in the title says more than one in the body
TITLE_WEIGHT, EXCERPT_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0
RANKED_PREFIX = 500
_IMAGE = "url, width, height, is_cached, title, attribution"
_TOPIC = "t.id, t.name, t.slug, t.parent, t.keywords, t.hashtags, t.article_count"


class Session:
    """One request's read transaction on one pooled connection."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        tracer: Tracer | None = None,
        aggregates: AggregateCache | None = None,
        dimensions: DimensionCache | None = None,
    ) -> None:
        self.conn = conn
        self.statements = 0
        self.tracer = tracer
        self.deadline = 0.0
        self.aggregates = aggregates
        self.dimensions = dimensions
        self.version: int | None = None
        self._dims: Dimensions | None = None

    # -- plumbing --------------------------------------------------------------

    def start(self, time_limit: float) -> None:
        """Open the read transaction; statements past ``time_limit`` s are stopped."""
        self.statements = 0
        self.deadline = time.monotonic() + time_limit
        self.conn.set_progress_handler(self._over_time, 4_000)
        self.conn.execute("BEGIN")

    def finish(self) -> None:
        """End the read transaction (it wrote nothing)."""
        self.conn.set_progress_handler(None, 0)
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def _over_time(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0

    def rows(
        self, sql: str, params: Sequence[Any] = (), make: Callable[..., R] | None = None
    ) -> list[Any]:
        """Run one statement; SQLite errors become newsgraph errors here."""
        self.statements += 1
        if self.tracer is not None:
            self.tracer(sql)
        try:
            found = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise _translate(exc, sql) from exc
        return [make(*r) for r in found] if make is not None else found

    # -- articles ------------------------------------------------------------

    def article_page(
        self,
        f: Filter | None,
        order: Order,
        limit: int,
        cursor: tuple[Any, int] | None,
        *,
        backward: bool = False,
        columns: Columns = None,
    ) -> list[tuple[Any, ArticleRow]]:
        """One page of articles as (sort value, row), in the order asked for."""
        cond = where(f)
        params: list[Any] = []
        descending = order.descending != backward
        direction = "DESC" if descending else "ASC"
        topic = single_topic(f) if order.sort is Sort.PUBLISHED_AT else None
        if order.sort is Sort.RELEVANCE and f is not None and only(f, "text"):
            return self._search_page(f, descending, limit, cursor, backward, columns)
        if order.sort is Sort.RELEVANCE:
            texts = f.texts() if f else []
            key, key_id = "-fts.rank", "a.id"
            source = (
                "articles a JOIN (SELECT rowid, bm25(articles_fts, "
                f"{TITLE_WEIGHT}, {EXCERPT_WEIGHT}, {BODY_WEIGHT}) AS rank"
                " FROM articles_fts WHERE articles_fts MATCH ?) fts ON fts.rowid = a.id"
            )
            params.append(" AND ".join(f"({t})" for t in texts))
        elif topic is not None:
            # the driving index already limits rows to the topic: drop that condition
            assert f is not None
            if f.topics_any == (topic,):
                cond = where(replace(f, topics_any=None))
            elif f.topics_all == (topic,):
                cond = where(replace(f, topics_all=None))
            key, key_id = "x.sk_published", "x.article_id"
            source = (
                "article_topics x CROSS JOIN articles a ON a.id = x.article_id"
                " AND x.topic_id = (SELECT id FROM topics WHERE name = ? OR slug = ? LIMIT 1)"
            )
            params.extend((topic, topic))
        else:
            key, key_id = f"a.{order.sort.value}", "a.id"
            source = "articles a"
        select, make = article_columns(columns)
        sql = f"SELECT {select}, {key} FROM {source} WHERE {cond.sql}"
        params.extend(cond.params)
        if cursor is not None:
            sql += f" AND ({key}, {key_id}) {'<' if descending else '>'} (?, ?)"
            params.extend(cursor)
        sql += f" ORDER BY {key} {direction}, {key_id} {direction} LIMIT ?"
        params.append(limit)
        found = [(r[-1], make(*r)) for r in self.rows(sql, params)]
        return found[::-1] if backward else found

    def _search_page(
        self, f: Filter, descending: bool, limit: int, cursor: tuple[Any, int] | None,
        backward: bool, columns: Columns,
    ) -> list[tuple[Any, ArticleRow]]:  # fmt: skip
        """A plain search by relevance: rank and page inside the FTS index, then join.

        The best-ranked :data:`RANKED_PREFIX` (score, id) pairs of a search are kept in
        the aggregate cache, so later pages and later requests for the same words in
        that range skip the ranking, which costs O(matches).
        """
        if descending and self.aggregates is not None:
            ranked = self._ranked(f)
            start = 0
            if cursor is not None:
                start = next((i for i, pair in enumerate(ranked) if pair < cursor), len(ranked))
            window = ranked[start : start + limit]
            if len(window) == limit or len(ranked) < RANKED_PREFIX:
                rows = self.articles_by_id((i for _, i in window), columns)
                found = [(k, rows[i]) for k, i in window if i in rows]
                return found[::-1] if backward else found
        direction = "DESC" if descending else "ASC"
        params: list[Any] = [f.text]
        inner = (
            f"SELECT rowid AS id, -bm25(articles_fts, {TITLE_WEIGHT}, {EXCERPT_WEIGHT}, "
            f"{BODY_WEIGHT}) AS k FROM articles_fts WHERE articles_fts MATCH ?"
        )
        page = f"SELECT id, k FROM ({inner})"
        if cursor is not None:
            page += f" WHERE (k, id) {'<' if descending else '>'} (?, ?)"
            params.extend(cursor)
        page += f" ORDER BY k {direction}, id {direction} LIMIT ?"
        params.append(limit)
        select, make = article_columns(columns)
        sql = (
            f"SELECT {select}, fts.k FROM ({page}) fts"
            " JOIN articles a ON a.id = fts.id"
            f" ORDER BY fts.k {direction}, fts.id {direction}"
        )
        found = [(r[-1], make(*r)) for r in self.rows(sql, params)]
        return found[::-1] if backward else found

    def _ranked(self, f: Filter) -> list[tuple[float, int]]:
        """The best (score, id) pairs of a search, best first (cached per version)."""
        sql = (
            f"SELECT -bm25(articles_fts, {TITLE_WEIGHT}, {EXCERPT_WEIGHT}, {BODY_WEIGHT}) AS k,"
            " rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY k DESC, rowid DESC"
            " LIMIT ?"
        )
        return [(k, i) for k, i in self.aggregate(sql, (f.text, RANKED_PREFIX))]

    def article_count(self, f: Filter | None) -> int:
        """How many articles match a filter (index-only for the common shapes)."""
        params: tuple[Any, ...]
        if f is None:
            sql, params = "SELECT count(*) FROM articles", ()
        elif only(f, "text"):
            sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
            params = (f.text,)
        elif only(f, "topics_any") and f.topics_any:
            topics = TOPIC_IDS.format(marks=", ".join("?" * len(f.topics_any)))
            sql = (
                "SELECT count(DISTINCT article_id) FROM article_topics"
                f" WHERE topic_id IN ({topics})"
            )
            params = (*f.topics_any, *f.topics_any)
        else:
            cond = where(f)
            sql, params = f"SELECT count(*) FROM articles a WHERE {cond.sql}", cond.params
        return int(self.aggregate(sql, params)[0][0])

    def content_version(self) -> int:
        """The content version this session's snapshot shows."""
        if self.version is None:
            self.version = int(
                self.rows("SELECT value FROM meta WHERE key = 'content_version'")[0][0]
            )
        return self.version

    def held(self) -> Dimensions | None:
        """Providers and topics from memory at this snapshot's version, if kept there."""
        if self.dimensions is None:
            return None
        if self._dims is None:
            self._dims = self.dimensions.get(self.content_version(), self.rows)
        return self._dims

    def aggregate(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Rows of a count or facet query, cached per content version and statement."""
        if self.aggregates is None:
            return self.rows(sql, params)
        key = (self.content_version(), sql, tuple(params))
        found = self.aggregates.get(key)
        if found is None:
            found = self.rows(sql, params)
            self.aggregates.put(key, found)
        return found

    def facets(self, f: Filter | None, kind: str, limit: int) -> list[FacetRow]:
        """Counts of each topic / provider / category / type among matching articles."""
        cond = where(f)
        matching = f"SELECT a.id FROM articles a WHERE {cond.sql}"
        if kind == "topics":
            sql = (
                f"SELECT t.slug, t.name, count(*) AS n FROM article_topics x"
                f" JOIN topics t ON t.id = x.topic_id WHERE x.article_id IN ({matching})"
                " GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?"
            )
        elif kind == "providers":
            sql = (
                f"SELECT p.domain, p.name, count(*) AS n FROM articles a"
                f" JOIN providers p ON p.id = a.provider_id WHERE {cond.sql}"
                " GROUP BY p.id ORDER BY n DESC, p.domain LIMIT ?"
            )
        elif kind in ("categories", "types"):
            column = "a.category" if kind == "categories" else "a.type"
            sql = (
                f"SELECT {column}, NULL, count(*) AS n FROM articles a WHERE {cond.sql}"
                f" AND {column} IS NOT NULL GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?"
            )
        else:  # pragma: no cover - the API only asks for the four kinds above
            raise ValueError(kind)
        return [FacetRow(*row) for row in self.aggregate(sql, (*cond.params, limit))]

    def matching_ids(self, f: Filter | None, ids: Iterable[int]) -> set[int]:
        """Which of these article ids match a filter."""
        cond = where(f)
        sql = f"SELECT a.id FROM articles a WHERE a.id IN {_IDS} AND {cond.sql}"
        return {r[0] for r in self.rows(sql, (_json(ids), *cond.params))}

    def articles_by_id(self, ids: Iterable[int], columns: Columns = None) -> dict[int, ArticleRow]:
        """Articles by id (missing ids are absent)."""
        select, make = article_columns(columns)
        sql = f"SELECT {select} FROM articles a WHERE a.id IN {_IDS}"
        return {r.id: r for r in self.rows(sql, (_json(ids),), make)}

    def article_by(self, column: str, value: str, columns: Columns = None) -> ArticleRow | None:
        """One article by slug, path, web URL or original URL."""
        assert column in {"slug", "path", "web_url", "original_url"}
        select, make = article_columns(columns)
        found = self.rows(
            f"SELECT {select} FROM articles a WHERE a.{column} = ? ORDER BY a.id LIMIT 1",
            (value,),
            make,
        )
        return found[0] if found else None

    # -- nested lists, batched ------------------------------------------------

    def article_images(self, ids: Iterable[int]) -> dict[int, list[ImageRow]]:
        """Images per article id, in file order."""
        return _group(self.rows(
            f"SELECT article_id, position, {_IMAGE} FROM article_images"
            f" WHERE article_id IN {_IDS} ORDER BY article_id, position",
            (_json(ids),), ImageRow,
        ))  # fmt: skip

    def related_images(self, ids: Iterable[int]) -> dict[int, list[ImageRow]]:
        """Images per related-item id."""
        return _group(self.rows(
            f"SELECT related_id, position, {_IMAGE} FROM related_images"
            f" WHERE related_id IN {_IDS} ORDER BY related_id, position",
            (_json(ids),), ImageRow,
        ))  # fmt: skip

    def provider_images(self, ids: Iterable[int]) -> dict[int, list[ImageRow]]:
        """Logos per provider id."""
        return _group(self.rows(
            f"SELECT provider_id, position, {_IMAGE} FROM provider_images"
            f" WHERE provider_id IN {_IDS} ORDER BY provider_id, position",
            (_json(ids),), ImageRow,
        ))  # fmt: skip

    def article_topics(self, ids: Iterable[int]) -> dict[int, list[TopicRow]]:
        """Topics per article id, in file order."""
        out: dict[int, list[TopicRow]] = {}
        held = self.held()
        if held is not None and held.topics is not None:
            topics = held.topics
            for article_id, topic_id in self.rows(
                f"SELECT article_id, topic_id FROM article_topics WHERE article_id IN {_IDS}"
                " ORDER BY article_id, position",
                (_json(ids),),
            ):
                out.setdefault(article_id, []).append(topics[topic_id])
            return out
        for article_id, _position, *topic in self.rows(
            f"SELECT x.article_id, x.position, {_TOPIC} FROM article_topics x"
            f" JOIN topics t ON t.id = x.topic_id WHERE x.article_id IN {_IDS}"
            " ORDER BY x.article_id, x.position",
            (_json(ids),),
        ):
            out.setdefault(article_id, []).append(TopicRow._make(topic))
        return out

    def related(self, ids: Iterable[int], columns: Columns = None) -> dict[int, list[RelatedRow]]:
        """Related items per article id, in file order."""
        select, make = related_columns(columns)
        rows: list[RelatedRow] = self.rows(
            f"SELECT {select} FROM related r WHERE r.article_id IN {_IDS}"
            " ORDER BY r.article_id, r.position",
            (_json(ids),),
            make,
        )
        out: dict[int, list[RelatedRow]] = {}
        for row in rows:
            out.setdefault(row.article_id, []).append(row)
        return out

    def providers_by_id(self, ids: Iterable[int]) -> dict[int, ProviderRow]:
        """Providers by id."""
        held = self.held()
        if held is not None and held.providers is not None:
            providers = held.providers
            return {i: providers[i] for i in sorted(set(ids)) if i in providers}
        sql = f"SELECT id, domain, name, article_count FROM providers WHERE id IN {_IDS}"
        return {r.id: r for r in self.rows(sql, (_json(ids),), ProviderRow)}

    # -- providers, topics, categories ---------------------------------------

    def provider_by_domain(self, domain: str) -> ProviderRow | None:
        """One provider by its domain (case-insensitive)."""
        found = self.rows(
            "SELECT id, domain, name, article_count FROM providers WHERE domain = ?",
            (domain.strip().lower(),),
            ProviderRow,
        )
        return found[0] if found else None

    def provider_page(
        self, limit: int, cursor: tuple[Any, int] | None
    ) -> list[tuple[Any, ProviderRow]]:
        """Providers by article count (most first), then domain."""
        sql = "SELECT id, domain, name, article_count FROM providers"
        params: list[Any] = []
        if cursor is not None:
            sql += " WHERE (-article_count, domain) > (?, ?)"
            params.extend(cursor)
        sql += " ORDER BY -article_count, domain LIMIT ?"
        params.append(limit)
        return [(-r.article_count, r) for r in self.rows(sql, params, ProviderRow)]

    def topic_by(self, slug: str | None, name: str | None) -> TopicRow | None:
        """One topic by slug or by name (case-insensitive)."""
        column, value = ("t.slug", slug) if slug is not None else ("t.name", name)
        found = self.rows(f"SELECT {_TOPIC} FROM topics t WHERE {column} = ?", (value,), TopicRow)
        return found[0] if found else None

    def topics_by_id(self, ids: Iterable[int]) -> dict[int, TopicRow]:
        """Topics by id."""
        held = self.held()
        if held is not None and held.topics is not None:
            topics = held.topics
            return {i: topics[i] for i in sorted(set(ids)) if i in topics}
        sql = f"SELECT {_TOPIC} FROM topics t WHERE t.id IN {_IDS}"
        return {r.id: r for r in self.rows(sql, (_json(ids),), TopicRow)}

    def topics_by_name(self, names: Iterable[str]) -> dict[str, TopicRow]:
        """Topics by case-folded name (the taxonomy's parent references)."""
        sql = f"SELECT {_TOPIC} FROM topics t WHERE t.name IN (SELECT value FROM json_each(?))"
        rows = self.rows(sql, (json.dumps(sorted(set(names))),), TopicRow)
        return {r.name.casefold(): r for r in rows}

    def topic_page(self, limit: int, cursor: tuple[Any, int] | None) -> list[tuple[Any, TopicRow]]:
        """Topics by article count (most first), then name."""
        sql = f"SELECT {_TOPIC} FROM topics t"
        params: list[Any] = []
        if cursor is not None:
            sql += " WHERE (-t.article_count, t.id) > (?, ?)"
            params.extend(cursor)
        sql += " ORDER BY -t.article_count, t.id LIMIT ?"
        params.append(limit)
        return [(-r.article_count, r) for r in self.rows(sql, params, TopicRow)]

    def count(self, table: Literal["providers", "topics"]) -> int:
        """How many providers or topics there are."""
        sql = {
            "providers": "SELECT count(*) FROM providers",
            "topics": "SELECT count(*) FROM topics",
        }
        return int(self.rows(sql[table])[0][0])

    def content_info(self) -> ContentInfo:
        """The content version, when it was loaded, and how many articles there are."""
        meta = dict(self.rows("SELECT key, value FROM meta"))
        count = self.rows("SELECT count(*) FROM articles")[0][0]
        return ContentInfo(
            int(meta.get("content_version", 0)), meta.get("loaded_at") or None, count
        )

    def healthy(self) -> bool:
        """Whether the schema is readable."""
        return bool(self.rows("SELECT count(*) FROM meta"))


class AggregateCache:
    """Counts and facets by (content version, statement, parameters); bounded LRU.

    A topic page's count and facets do not change from page to page, nor between
    requests, until the content version does; computing them is the slow part of
    a request over a large topic.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> list[Any] | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], rows: list[Any]) -> None:
        self._entries[key] = rows
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


class ReadPool:
    """A bounded pool of read connections; a request waits when all are busy."""

    def __init__(self, path: str | Path, size: int = 8, time_limit: float = 1.0) -> None:
        self.path = Path(path)
        self.size = size
        self.time_limit = time_limit
        self.tracer: Tracer | None = None
        self.aggregates: AggregateCache | None = AggregateCache()
        self.dimensions: DimensionCache | None = DimensionCache()
        self._idle: asyncio.Queue[sqlite3.Connection] | None = None
        self._all: list[sqlite3.Connection] = []
        self._watch: sqlite3.Connection | None = None
        self._data_version = -1
        self._version = 0

    def open(self) -> None:
        """Open the connections (the database must exist)."""
        if not self.path.exists():
            raise DatabaseError(f"no database at {self.path}; run `newsgraph load` first")
        self._idle = asyncio.LifoQueue()
        for _ in range(self.size):
            conn = connect(self.path, readonly=True)
            self._all.append(conn)
            self._idle.put_nowait(conn)

    async def acquire(self) -> Session:
        """A session with its read transaction started."""
        if self._idle is None:
            self.open()
        assert self._idle is not None
        session = Session(await self._idle.get(), self.tracer, self.aggregates, self.dimensions)
        try:
            session.start(self.time_limit)
        except BaseException:
            self._idle.put_nowait(session.conn)
            raise
        return session

    def release(self, session: Session) -> None:
        """End the session's transaction and return its connection."""
        assert self._idle is not None
        try:
            session.finish()
        finally:
            self._idle.put_nowait(session.conn)

    def content_version(self) -> int:
        """The current content version, re-read only after another connection committed."""
        if self._watch is None:
            self._watch = connect(self.path, readonly=True)
        data_version = self._watch.execute("PRAGMA data_version").fetchone()[0]
        if data_version != self._data_version:
            row = self._watch.execute(
                "SELECT value FROM meta WHERE key = 'content_version'"
            ).fetchone()
            self._version = int(row[0]) if row else 0
            self._data_version = data_version
        return self._version

    def close(self) -> None:
        """Close every connection."""
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._idle = None


def _json(ids: Iterable[int]) -> str:
    return orjson.dumps(sorted(set(ids))).decode()


def _group(rows: list[ImageRow]) -> dict[int, list[ImageRow]]:
    out: dict[int, list[ImageRow]] = {}
    for row in rows:
        out.setdefault(row.owner, []).append(row)
    return out


def _translate(exc: sqlite3.OperationalError, sql: str) -> Exception:
    message = str(exc)
    if message == "interrupted":
        return QueryTimeout("the query took longer than the time limit; narrow the filter or page")
    if " MATCH ?" in sql:
        detail = message.removeprefix("fts5: ")
        return BadSearch(
            f'the search text cannot be parsed ({detail}); use words, "a phrase", '
            "prefix* and AND / OR / NOT, or quote the text"
        )
    return DatabaseError(f"database error: {message}")
