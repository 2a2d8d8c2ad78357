"""Reads by key: articles by id, slug or URL, the lists that hang off them, and the
small tables (providers, topics) with their pages.

Nested lists are read for a whole page at once (ids as one bound JSON array),
so a page of articles costs one statement per table, whatever its size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal, TypeVar

from db.query import Filter
from db.rows import (
    IMAGE_COLUMNS,
    PROVIDER_COLUMNS,
    TOPIC_COLUMNS,
    ArticleRow,
    Columns,
    ContentInfo,
    ImageRow,
    ProviderRow,
    RelatedRow,
    TopicRow,
    article_columns,
    related_columns,
)
from db.session import IDS, SessionCore, group, ids_json

Counted = TypeVar("Counted", ProviderRow, TopicRow)

_HIDDEN_BY = {
    ProviderRow: f"SELECT provider_id, count(*) FROM articles WHERE id IN {IDS}"
    " AND provider_id IS NOT NULL GROUP BY provider_id",
    TopicRow: f"SELECT topic_id, count(*) FROM article_topics WHERE article_id IN {IDS}"
    " GROUP BY topic_id",
}
"""How many hidden articles (published after now) each provider or topic has."""
MAX_DUPLICATES = 100
"""The most duplicates an article lists (``Article.duplicates`` takes at most 100)."""


class LookupReads(SessionCore):
    """Reads of rows by key, and of the lists under them."""

    def matching_ids(self, f: Filter | None, ids: Iterable[int]) -> set[int]:
        """Which of these article ids match a filter."""
        cond = self.cond(f)
        sql = f"SELECT a.id FROM articles a WHERE a.id IN {IDS} AND {cond.sql}"
        return {r[0] for r in self.rows(sql, (ids_json(ids), *cond.params))}

    def articles_by_id(self, ids: Iterable[int], columns: Columns = None) -> dict[int, ArticleRow]:
        """Articles by id (missing ids are absent)."""
        select, make = article_columns(columns)
        visible = self.visibility().condition()
        sql = f"SELECT {select} FROM articles a WHERE a.id IN {IDS} AND {visible.sql}"
        return {r.id: r for r in self.rows(sql, (ids_json(ids), *visible.params), make)}

    def article_by(self, column: str, value: str, columns: Columns = None) -> ArticleRow | None:
        """One article by slug, path, web URL or original URL."""
        assert column in {"slug", "path", "web_url", "original_url"}
        select, make = article_columns(columns)
        visible = self.visibility().condition()
        found = self.rows(
            f"SELECT {select} FROM articles a WHERE a.{column} = ? AND {visible.sql}"
            " ORDER BY a.id LIMIT 1",
            (value, *visible.params),
            make,
        )
        return found[0] if found else None

    def counted(self, row: Counted) -> Counted:
        """A provider or topic with the articles the publication window hides uncounted."""
        window = self.visibility()
        if not window.hides:
            return row
        sql = _HIDDEN_BY[type(row)]
        hidden = dict(self.aggregate(sql, (window.hidden_json,), quick=True))
        n = hidden.get(row.id)
        return row._replace(article_count=row.article_count - n) if n else row

    def article_by_key(self, key: str | None, columns: Columns = None) -> ArticleRow | None:
        """The article (the least id) one of whose addresses has this key (core/urls.py)."""
        if key is None:
            return None
        select, make = article_columns(columns)
        found = self.rows(
            f"SELECT {select} FROM articles a WHERE a.id = (SELECT article_id FROM article_urls"
            " WHERE url = ? ORDER BY article_id LIMIT 1)",
            (key,),
            make,
        )
        return found[0] if found else None

    # -- nested lists, batched ------------------------------------------------

    def article_images(self, ids: Iterable[int]) -> dict[int, list[ImageRow]]:
        """Images per article id, in file order."""
        return group(self.rows(
            f"SELECT article_id, position, {IMAGE_COLUMNS} FROM article_images"
            f" WHERE article_id IN {IDS} ORDER BY article_id, position",
            (ids_json(ids),), ImageRow,
        ))  # fmt: skip

    def related_images(self, ids: Iterable[int]) -> dict[int, list[ImageRow]]:
        """Images per related-item id."""
        return group(self.rows(
            f"SELECT related_id, position, {IMAGE_COLUMNS} FROM related_images"
            f" WHERE related_id IN {IDS} ORDER BY related_id, position",
            (ids_json(ids),), ImageRow,
        ))  # fmt: skip

    def provider_images(self, ids: Iterable[int]) -> dict[int, list[ImageRow]]:
        """Logos per provider id."""
        return group(self.rows(
            f"SELECT provider_id, position, {IMAGE_COLUMNS} FROM provider_images"
            f" WHERE provider_id IN {IDS} ORDER BY provider_id, position",
            (ids_json(ids),), ImageRow,
        ))  # fmt: skip

    def article_topics(self, ids: Iterable[int]) -> dict[int, list[TopicRow]]:
        """Topics per article id, in file order."""
        out: dict[int, list[TopicRow]] = {}
        held = self.held()
        if held is not None and held.topics is not None:
            topics = held.topics
            for article_id, topic_id in self.rows(
                f"SELECT article_id, topic_id FROM article_topics WHERE article_id IN {IDS}"
                " ORDER BY article_id, position",
                (ids_json(ids),),
            ):
                out.setdefault(article_id, []).append(self.counted(topics[topic_id]))
            return out
        for article_id, _position, *topic in self.rows(
            f"SELECT x.article_id, x.position, {TOPIC_COLUMNS} FROM article_topics x"
            f" JOIN topics t ON t.id = x.topic_id WHERE x.article_id IN {IDS}"
            " ORDER BY x.article_id, x.position",
            (ids_json(ids),),
        ):
            out.setdefault(article_id, []).append(self.counted(TopicRow._make(topic)))
        return out

    def duplicate_ids(self, ids: Iterable[int]) -> dict[int, list[int]]:
        """The other articles of each article's story, best first (as ``dedupe`` ranks
        them: quality, then newest, then highest id), at most :data:`MAX_DUPLICATES`."""
        out: dict[int, list[int]] = {}
        for article_id, other in self.rows(
            "SELECT article_id, other FROM (SELECT a.id AS article_id, d.id AS other,"
            " row_number() OVER (PARTITION BY a.id ORDER BY d.sk_quality DESC,"
            " d.sk_published DESC, d.id DESC) AS n FROM articles a"
            " JOIN articles d ON d.story_id = a.story_id AND d.id <> a.id"
            f" WHERE a.id IN {IDS}) WHERE n <= ? ORDER BY article_id, n",
            (ids_json(ids), MAX_DUPLICATES),
        ):
            out.setdefault(article_id, []).append(other)
        return out

    def related(self, ids: Iterable[int], columns: Columns = None) -> dict[int, list[RelatedRow]]:
        """Related items per article id, in file order."""
        select, make = related_columns(columns)
        rows: list[RelatedRow] = self.rows(
            f"SELECT {select} FROM related r WHERE r.article_id IN {IDS}"
            " ORDER BY r.article_id, r.position",
            (ids_json(ids),),
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
            return {i: self.counted(providers[i]) for i in sorted(set(ids)) if i in providers}
        sql = f"SELECT {PROVIDER_COLUMNS} FROM providers WHERE id IN {IDS}"
        return {r.id: self.counted(r) for r in self.rows(sql, (ids_json(ids),), ProviderRow)}

    # -- providers, topics, categories ---------------------------------------

    def provider_by_domain(self, domain: str) -> ProviderRow | None:
        """One provider by its domain (case-insensitive)."""
        found = self.rows(
            f"SELECT {PROVIDER_COLUMNS} FROM providers WHERE domain = ?",
            (domain.strip().lower(),),
            ProviderRow,
        )
        return self.counted(found[0]) if found else None

    def provider_page(
        self, limit: int, cursor: tuple[Any, int] | None
    ) -> list[tuple[Any, ProviderRow]]:
        """Providers by article count (most first), then domain."""
        sql = f"SELECT {PROVIDER_COLUMNS} FROM providers"
        params: list[Any] = []
        if cursor is not None:
            sql += " WHERE (-article_count, domain) > (?, ?)"
            params.extend(cursor)
        sql += " ORDER BY -article_count, domain LIMIT ?"
        params.append(limit)
        return [(-r.article_count, self.counted(r)) for r in self.rows(sql, params, ProviderRow)]

    def topic_by(self, slug: str | None, name: str | None) -> TopicRow | None:
        """One topic by slug or by name (case-insensitive)."""
        column, value = ("t.slug", slug) if slug is not None else ("t.name", name)
        sql = f"SELECT {TOPIC_COLUMNS} FROM topics t WHERE {column} = ?"
        found = self.rows(sql, (value,), TopicRow)
        return self.counted(found[0]) if found else None

    def topics_by_id(self, ids: Iterable[int]) -> dict[int, TopicRow]:
        """Topics by id."""
        held = self.held()
        if held is not None and held.topics is not None:
            topics = held.topics
            return {i: self.counted(topics[i]) for i in sorted(set(ids)) if i in topics}
        sql = f"SELECT {TOPIC_COLUMNS} FROM topics t WHERE t.id IN {IDS}"
        return {r.id: self.counted(r) for r in self.rows(sql, (ids_json(ids),), TopicRow)}

    def topics_by_name(self, names: Iterable[str]) -> dict[str, TopicRow]:
        """Topics by case-folded name (the taxonomy's parent references)."""
        sql = f"SELECT {TOPIC_COLUMNS} FROM topics t WHERE t.name IN {IDS}"
        rows = self.rows(sql, (json.dumps(sorted(set(names))),), TopicRow)
        return {r.name.casefold(): self.counted(r) for r in rows}

    def topics_by_parent(self, names: Iterable[str]) -> dict[str, list[TopicRow]]:
        """The children of topics, by the case-folded name of their parent, sorted by name.

        The mirror of :meth:`topics_by_name`: a child names its parent, compared the same
        way, so a topic lists exactly the topics whose ``parent`` resolves to it.
        """
        sql = (
            f"SELECT {TOPIC_COLUMNS} FROM topics t WHERE t.parent COLLATE NOCASE IN {IDS}"
            " ORDER BY t.name, t.id"
        )
        out: dict[str, list[TopicRow]] = {}
        for row in self.rows(sql, (json.dumps(sorted(set(names))),), TopicRow):
            out.setdefault((row.parent or "").casefold(), []).append(self.counted(row))
        return out

    def topic_page(self, limit: int, cursor: tuple[Any, int] | None) -> list[tuple[Any, TopicRow]]:
        """Topics by article count (most first), then name."""
        sql = f"SELECT {TOPIC_COLUMNS} FROM topics t"
        params: list[Any] = []
        if cursor is not None:
            sql += " WHERE (-t.article_count, t.id) > (?, ?)"
            params.extend(cursor)
        sql += " ORDER BY -t.article_count, t.id LIMIT ?"
        params.append(limit)
        return [(-r.article_count, self.counted(r)) for r in self.rows(sql, params, TopicRow)]

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
        found = self.aggregate(
            "SELECT n FROM facet_counts WHERE scope = 'all' AND facet = 'count'", (), quick=True
        )
        count = (found[0][0] if found else 0) - len(self.visibility().hidden)
        return ContentInfo(
            int(meta.get("content_version", 0)),
            meta.get("loaded_at") or None,
            count,
            meta.get("content_digest") or "",
        )

    def healthy(self) -> bool:
        """Whether the schema is readable."""
        return bool(self.rows("SELECT count(*) FROM meta"))
