"""Counts and facets over a filter: the aggregates a feed shows beside its page.

A filter of one scope (none, one topic, one provider, one category, one type)
reads the counts the loader keeps (:mod:`db.aggregates`): an index lookup,
whatever the size of the corpus. Any other filter is counted and grouped here;
that may take long on a large corpus, so it is slow work (see
:mod:`db.session`). Either way the result is kept in the session's aggregate
cache until the content version changes.
"""

from __future__ import annotations

from typing import Any

from db.query import MATCHES, Filter, only, where
from db.rows import FacetRow
from db.session import SessionCore

KEPT_COUNT = (
    "SELECT n FROM facet_counts WHERE scope = ? AND scope_key = ? AND facet = 'count'"
    " AND value = ''"
)
_KEPT = " FROM facet_counts c {join} WHERE c.scope = ? AND c.scope_key = ? AND c.facet = ?"
KEPT_FACETS = {
    "topics": "SELECT t.slug, t.name, c.n"
    + _KEPT.format(join="JOIN topics t ON t.id = c.value")
    + " ORDER BY c.n DESC, t.name LIMIT ?",
    "providers": "SELECT p.domain, p.name, c.n"
    + _KEPT.format(join="JOIN providers p ON p.id = c.value")
    + " ORDER BY c.n DESC, p.domain LIMIT ?",
    "categories": "SELECT c.value, NULL, c.n" + _KEPT.format(join="")
    + " ORDER BY c.n DESC, c.value LIMIT ?",
    "types": "SELECT c.value, NULL, c.n" + _KEPT.format(join="")
    + " ORDER BY c.n DESC, c.value LIMIT ?",
}  # fmt: skip
"""Facets read from the kept counts, ordered as :meth:`CountReads.facets` orders them."""

Scope = tuple[str, Any]


class CountReads(SessionCore):
    """How many articles match, and how they spread over topics, providers, types."""

    def scope(self, f: Filter | None) -> Scope | None:
        """The kept scope that is exactly this filter, if there is one."""
        if f is None:
            return ("all", "")
        for name in ("topics_any", "topics_all"):
            values = getattr(f, name)
            if only(f, name) and len(values) == 1:
                found = self.rows("SELECT id FROM topics WHERE name = ? OR slug = ?", values * 2)
                if len(found) > 1:
                    return None  # one topic's name is another's slug: count the union
                return ("topic", found[0][0] if found else -1)
        if only(f, "provider_in") and f.provider_in and len(f.provider_in) == 1:
            found = self.rows("SELECT id FROM providers WHERE domain = ?", f.provider_in)
            return ("provider", found[0][0] if found else -1)
        for name, scope in (("category", "category"), ("type", "type")):
            if only(f, name):
                return (scope, getattr(f, name))
            values = getattr(f, f"{name}_in")
            if only(f, f"{name}_in") and len(values) == 1:
                return (scope, values[0])
        return None

    def article_count(self, f: Filter | None, *, kept_counts: bool = True) -> int:
        """How many articles match a filter (read from the kept counts when it can be)."""
        kept = self.scope(f) if kept_counts else None
        if kept is not None:
            found = self.aggregate(KEPT_COUNT, kept, quick=True)
            return int(found[0][0]) if found else 0
        params: tuple[Any, ...]
        if f is not None and only(f, "text"):
            sql, params = f"SELECT count(*) FROM ({MATCHES})", (f.text, self.search_window)
        else:
            cond = where(f, self.search_window)
            sql, params = f"SELECT count(*) FROM articles a WHERE {cond.sql}", cond.params
        return int(self.aggregate(sql, params)[0][0])

    def counts_exact(self, f: Filter | None) -> bool:
        """Whether counts over this filter cover every match: no search in it matches
        more than the search window (:data:`~db.query.SEARCH_WINDOW`) articles."""
        sql = f"SELECT count(*) FROM ({MATCHES})"
        return all(
            self.aggregate(sql, (text, self.search_window + 1))[0][0] <= self.search_window
            for text in (f.texts() if f is not None else ())
        )

    def facets(
        self, f: Filter | None, kind: str, limit: int, *, kept_counts: bool = True
    ) -> list[FacetRow]:
        """Counts of each topic / provider / category / type among matching articles
        (read from the kept counts when they can be, unless ``kept_counts`` is off)."""
        kept = self.scope(f) if kept_counts else None
        if kept is not None:
            rows = self.aggregate(KEPT_FACETS[kind], (*kept, kind, limit), quick=True)
            return [FacetRow(*row) for row in rows]
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
