"""Counts and facets over a filter: the aggregates a feed shows beside its page.

They do not change from page to page, nor between requests, until the content
version does: each is kept in the session's aggregate cache per version.
"""

from __future__ import annotations

from typing import Any

from db.query import MATCHES, TOPIC_IDS, Filter, only, where
from db.rows import FacetRow
from db.session import SessionCore


class CountReads(SessionCore):
    """How many articles match, and how they spread over topics, providers, types."""

    def article_count(self, f: Filter | None) -> int:
        """How many articles match a filter (index-only for the common shapes)."""
        params: tuple[Any, ...]
        if f is None:
            sql, params = "SELECT count(*) FROM articles", ()
        elif only(f, "text"):
            sql, params = f"SELECT count(*) FROM ({MATCHES})", (f.text, self.search_window)
        elif only(f, "topics_any") and f.topics_any:
            topics = TOPIC_IDS.format(marks=", ".join("?" * len(f.topics_any)))
            sql = (
                "SELECT count(DISTINCT article_id) FROM article_topics"
                f" WHERE topic_id IN ({topics})"
            )
            params = (*f.topics_any, *f.topics_any)
        else:
            cond = where(f, self.search_window)
            sql, params = f"SELECT count(*) FROM articles a WHERE {cond.sql}", cond.params
        return int(self.aggregate(sql, params)[0][0])

    def counts_exact(self, f: Filter | None) -> bool:
        """Whether counts over this filter cover every match: no search in it matches
        more than :data:`~db.query.SEARCH_WINDOW` articles."""
        sql = f"SELECT count(*) FROM ({MATCHES})"
        return all(
            self.aggregate(sql, (text, self.search_window + 1))[0][0] <= self.search_window
            for text in (f.texts() if f is not None else ())
        )

    def facets(self, f: Filter | None, kind: str, limit: int) -> list[FacetRow]:
        """Counts of each topic / provider / category / type among matching articles."""
        cond = where(f, self.search_window)
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
