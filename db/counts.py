"""Counts and facets over a filter: the aggregates a feed shows beside its page.

Every answer is bounded work, whatever the size of the corpus:

* a filter of one scope, or of several scopes of one kind that no article
  shares (two providers, three types), reads the counts the loader keeps
  (:mod:`db.aggregates`): exact, an index lookup;
* a full-text search counts and facets its window (:mod:`db.search`);
* any other filter counts and facets its *window*: the ``search_window``
  (10,000) most recently published matching articles, found within a fixed
  amount of SQLite work (:data:`WINDOW_WORK`, counted in virtual-machine steps,
  so every replica finds the same window). ``countsExact`` says when that is
  not every match.

Either way the result is kept in the session's aggregate cache until the
content version changes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson

from db.lookups import LookupReads
from db.query import Filter, only, where
from db.rows import FacetRow
from db.search import SearchReads
from db.session import IDS, ids_json
from db.window import subtract_facets

WINDOW_WORK = 1_000
"""Ticks of :data:`WINDOW_STEP` SQLite steps a filter's window may take to find."""
WINDOW_STEP = 4_000

_IN = f"IN {IDS}"
KEPT_COUNT = (
    f"SELECT sum(n) FROM facet_counts WHERE scope = ? AND scope_key {_IN} AND facet = 'count'"
    " AND value = ''"
)
_KEPT = f" FROM facet_counts c {{join}} WHERE c.scope = ? AND c.scope_key {_IN} AND c.facet = ?"
KEPT_FACETS = {
    "topics": "SELECT t.slug, t.name, sum(c.n) AS n"
    + _KEPT.format(join="JOIN topics t ON t.id = c.value")
    + " GROUP BY c.value ORDER BY n DESC, t.name LIMIT ?",
    "providers": "SELECT p.domain, p.name, sum(c.n) AS n"
    + _KEPT.format(join="JOIN providers p ON p.id = c.value")
    + " GROUP BY c.value ORDER BY n DESC, p.domain LIMIT ?",
    "categories": "SELECT c.value, NULL, sum(c.n) AS n" + _KEPT.format(join="")
    + " GROUP BY c.value ORDER BY n DESC, c.value LIMIT ?",
    "types": "SELECT c.value, NULL, sum(c.n) AS n" + _KEPT.format(join="")
    + " GROUP BY c.value ORDER BY n DESC, c.value LIMIT ?",
    "years": "SELECT c.value, NULL, sum(c.n) AS n" + _KEPT.format(join="")
    + " GROUP BY c.value ORDER BY c.value DESC LIMIT ?",
    "months": "SELECT c.value, NULL, sum(c.n) AS n" + _KEPT.format(join="")
    + " GROUP BY c.value ORDER BY c.value DESC LIMIT ?",
}  # fmt: skip
"""Facets read from the kept counts, ordered as the grouping below orders them: most
frequent first, except years and months, newest first (an archive's navigation)."""
CHOSEN = {
    "topics": " AND (t.slug {_IN} OR t.name {_IN})",
    "providers": " AND p.domain {_IN}",
}
"""The condition that keeps only some values of a facet (default: ``c.value``/``a.x``)."""

_GROUPED = {
    "topics": "SELECT t.slug, t.name, count(*) AS n FROM article_topics x"
    " JOIN topics t ON t.id = x.topic_id WHERE x.article_id IN ({ids})"
    " GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?",
    "providers": "SELECT p.domain, p.name, count(*) AS n FROM articles a"
    " JOIN providers p ON p.id = a.provider_id WHERE a.id IN ({ids})"
    " GROUP BY p.id ORDER BY n DESC, p.domain LIMIT ?",
    "categories": "SELECT a.category, NULL, count(*) AS n FROM articles a"
    " WHERE a.id IN ({ids}) AND a.category IS NOT NULL"
    " GROUP BY a.category ORDER BY n DESC, a.category LIMIT ?",
    "types": "SELECT a.type, NULL, count(*) AS n FROM articles a"
    " WHERE a.id IN ({ids}) AND a.type IS NOT NULL"
    " GROUP BY a.type ORDER BY n DESC, a.type LIMIT ?",
    "years": "SELECT substr(a.published_at, 1, 4) AS v, NULL, count(*) AS n FROM articles a"
    " WHERE a.id IN ({ids}) AND v IS NOT NULL GROUP BY v ORDER BY v DESC LIMIT ?",
    "months": "SELECT substr(a.published_at, 1, 7) AS v, NULL, count(*) AS n FROM articles a"
    " WHERE a.id IN ({ids}) AND v IS NOT NULL GROUP BY v ORDER BY v DESC LIMIT ?",
}  # fmt: skip
"""Facets of a set of articles, given as SQL that selects their ids."""

_WINDOW = "a.id, a.provider_id, a.type, a.category, substr(a.published_at, 1, 7)"
_TEXT_IDS = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ?"
Window = tuple[int, int | None, str | None, str | None, str | None]
"""An article of a filter's window: id, provider id, type, category, month."""

Scope = tuple[str, str]
"""A kept scope's name and its keys as a JSON array (several keys: a disjoint union)."""


class CountReads(LookupReads, SearchReads):
    """How many articles match, and how they spread over topics, providers, types."""

    def scope(self, f: Filter | None) -> Scope | None:
        """The kept scopes whose union is exactly this filter, if there are any."""
        if f is None or f == Filter():
            return ("all", '[""]')
        for name in ("topics_any", "topics_all"):
            values = getattr(f, name)
            if only(f, name) and len(values) == 1:
                found = self.rows("SELECT id FROM topics WHERE name = ? OR slug = ?", values * 2)
                if len(found) > 1:
                    return None  # one topic's name is another's slug: count the union
                return ("topic", _keys([r[0] for r in found]))
        if only(f, "provider_in") and f.provider_in:
            found = self.rows(
                f"SELECT id FROM providers WHERE domain {_IN}", (_json(f.provider_in),)
            )
            return ("provider", _keys([r[0] for r in found]))
        for name in ("category", "type"):
            if only(f, name):
                return (name, _keys([getattr(f, name)]))
            values = getattr(f, f"{name}_in")
            if only(f, f"{name}_in") and values:
                return (name, _keys(values))
        if only(f, "published_in") and f.published_in:
            kinds = {len(p) for p in f.published_in}
            if len(kinds) == 1:  # years, or months, never overlap one another
                return ("year" if kinds == {4} else "month", _keys(f.published_in))
        return None

    def article_count(self, f: Filter | None, *, kept_counts: bool = True) -> int:
        """How many articles match a filter: exact where cheap, else its window's count."""
        if not kept_counts:
            cond = self.cond(f)
            sql = f"SELECT count(*) FROM articles a WHERE {cond.sql}"
            return int(self.aggregate(sql, cond.params)[0][0])
        kept = self.scope(f)
        if kept is not None:
            found = self.aggregate(KEPT_COUNT, kept, quick=True)
            return int(found[0][0] or 0) - self.hidden_count(f)
        if f is not None and only(f, "text") and f.text is not None:
            return self.window(f.text).matches - self.hidden_count(f)
        return min(len(self.filter_window(f)[0]), self.search_window)

    def hidden_count(self, f: Filter | None) -> int:
        """How many of the articles the publication window hides match a filter (the
        counts the loader keeps, and a search's window, include them)."""
        window = self.visibility()
        if not window.hides:
            return 0
        cond = where(f, self.search_window)
        sql = f"SELECT count(*) FROM articles a WHERE a.id IN {IDS} AND {cond.sql}"
        params = (window.hidden_json, *cond.params)
        return int(self.aggregate(sql, params, quick=not (f and f.texts()))[0][0])

    def hidden_facets(
        self, f: Filter | None, kind: str, values: tuple[str, ...] | None
    ) -> dict[Any, int]:
        """A facet's counts among the hidden articles that match a filter, by value."""
        window = self.visibility()
        if not window.hides:
            return {}
        cond = where(f, self.search_window)
        matching = f"SELECT a.id FROM articles a WHERE a.id IN {IDS} AND {cond.sql}"
        sql = _GROUPED[kind].format(ids=matching)
        params = (window.hidden_json, *cond.params, 1_000_000_000)
        rows = self.aggregate(sql, params, quick=not (f and f.texts()))
        return {v: n for v, label, n in rows if values is None or v in values or label in values}

    def counts_exact(self, f: Filter | None) -> bool:
        """Whether counts over this filter cover every match (see the module doc)."""
        if f is None or self.scope(f) is not None:
            return True
        if not all(self.window(text).exact for text in f.texts()):
            return False
        if only(f, "text"):
            return True
        ids, complete = self.filter_window(f)
        return complete and len(ids) <= self.search_window

    def filter_window(self, f: Filter | None) -> tuple[list[Window], bool]:
        """Up to ``search_window`` + 1 newest matching articles (id, provider, type and
        category), and whether the search for them finished within :data:`WINDOW_WORK`
        (cached per content version)."""
        cond = self.cond(f)
        if f is not None and only(f, "text") and f.text is not None:
            window = self.window(f.text)
            visible = self.visibility().condition()
            sql = f"SELECT {_WINDOW} FROM articles a WHERE a.id IN ({_TEXT_IDS}) AND {visible.sql}"
            params: tuple[Any, ...] = (f.text, window.low, *visible.params)
        elif f is not None and f.text is not None:  # at most the text's window matches
            window = self.window(f.text)
            rest = self.cond(f, text=None)
            sql = (
                f"SELECT {_WINDOW} FROM ({_TEXT_IDS}) m CROSS JOIN articles a ON a.id = m.rowid"
                f" WHERE {rest.sql}"
            )
            params = (f.text, window.low, *rest.params)
        else:
            sql = (
                f"SELECT {_WINDOW} FROM articles a WHERE {cond.sql}"
                " ORDER BY a.sk_published DESC, a.id DESC LIMIT ?"
            )
            params = (*cond.params, self.search_window + 1)
        key = ("window", self.content_version(), sql, params)
        found = self.aggregates.get(key) if self.aggregates is not None else None
        if found is None:
            self.slow()
            rows, complete = self.bounded_rows(sql, params, WINDOW_WORK, WINDOW_STEP)
            found = [rows, complete]
            if self.aggregates is not None:
                self.aggregates.put(key, found)
        return found[0], found[1]

    def window_facets(
        self, f: Filter | None, kind: str, limit: int, values: tuple[str, ...] | None = None
    ) -> list[FacetRow]:
        """Facets of a filter's window, ordered as the grouping in SQL orders them; the
        whole list is counted once per content version (then sliced), since a sidebar asks
        several groups of the same window on every page."""
        epoch = (self.content_version(), self.visibility().bound)
        key = ("window-facets", epoch, f, self.search_window, kind)
        cache = self.aggregates
        found: list[FacetRow] | None = cache.get(key) if cache is not None else None
        if found is None:
            found = self._count_window(f, kind)
            if cache is not None:
                cache.put(key, found)
        if values is not None:
            found = [
                r for r in found if r.value in values or (kind == "topics" and r.label in values)
            ]
        return found[:limit]

    def _count_window(self, f: Filter | None, kind: str) -> list[FacetRow]:
        """Every value of a facet in a filter's window, counted here from the rows of its
        one scan (and one statement for the topics)."""
        rows = self.filter_window(f)[0][: self.search_window]
        found: list[tuple[Any, Any, int]]
        if kind == "topics":
            sql = (
                "SELECT topic_id, count(*) FROM article_topics"
                f" WHERE article_id IN {IDS} GROUP BY topic_id"
            )
            counted = dict(self.aggregate(sql, (ids_json(r[0] for r in rows),)))
            topics = self.topics_by_id(counted)
            found = [(t.slug, t.name, counted[i]) for i, t in topics.items()]
            found.sort(key=lambda r: (-r[2], _nocase(r[1])))
        elif kind == "providers":
            by_id = Counter(r[1] for r in rows if r[1] is not None)
            providers = self.providers_by_id(by_id)
            found = [(p.domain, p.name, by_id[i]) for i, p in providers.items()]
            found.sort(key=lambda r: (-r[2], r[0]))
        else:
            column, width = _WINDOW_VALUE[kind]
            values = Counter(str(r[column])[:width] for r in rows if r[column] is not None)
            found = [(v, None, n) for v, n in values.items()]
            if kind in ("years", "months"):
                found.sort(key=lambda r: r[0], reverse=True)
            else:
                found.sort(key=lambda r: (-r[2], r[0]))
        return [FacetRow(*row) for row in found]

    def facets(
        self,
        f: Filter | None,
        kind: str,
        limit: int,
        *,
        kept_counts: bool = True,
        values: tuple[str, ...] | None = None,
    ) -> list[FacetRow]:
        """Counts of each topic / provider / category / type / year / month among matching
        articles: exact where cheap, else over the filter's window (``kept_counts=False``:
        exact, grouping every matching article, however long that takes). ``values``
        keeps only those values (topics by slug or name, providers by domain)."""
        if kind not in _GROUPED:  # pragma: no cover - the API only asks for these
            raise ValueError(kind)
        if not kept_counts:
            cond = self.cond(f)
            matching = f"SELECT a.id FROM articles a WHERE {cond.sql}"
            sql = _GROUPED[kind].format(ids=matching)
            rows = self.aggregate(sql, (*cond.params, 1_000_000_000))
            found = [FacetRow(*row) for row in rows]
            if values is not None:
                found = [r for r in found if r.value in values or r.label in values]
            return found[:limit]
        kept = self.scope(f)
        if kept is None:
            return self.window_facets(f, kind, limit, values)
        sql = KEPT_FACETS[kind]
        hidden = self.hidden_facets(f, kind, values)
        wanted = limit + sum(hidden.values())  # enough rows to subtract from (db.window)
        params_: tuple[Any, ...] = (*kept, kind, wanted)
        if values is not None:
            chosen = CHOSEN.get(kind, " AND c.value {_IN}").format(_IN=_IN)
            sql = sql.replace(" GROUP BY", chosen + " GROUP BY")
            listed = _json(values)
            params_ = (*kept, kind, *([listed] * chosen.count("?")), wanted)
        rows = self.aggregate(sql, params_, quick=True)
        if hidden:
            rows = subtract_facets(rows, hidden, kind, limit)
        return [FacetRow(*row) for row in rows]


_WINDOW_VALUE: dict[str, tuple[int, int | None]] = {
    "types": (2, None), "categories": (3, None), "years": (4, 4), "months": (4, 7),
}  # fmt: skip
"""Where a window row holds a facet's value (column, and how many leading characters)."""


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _nocase(text: str) -> str:
    """SQLite's NOCASE order: ASCII letters folded, everything else compared as is."""
    return text.translate(_ASCII_LOWER)


def _json(values: Any) -> str:
    return orjson.dumps(list(values)).decode()


def _keys(values: Any) -> str:
    """Scope keys as a JSON array (an impossible key when there are none)."""
    unique = sorted(set(values), key=str)
    return _json(unique or [-1])
