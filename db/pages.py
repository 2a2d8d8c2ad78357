"""Pages of articles: keyset paging over the sort indexes, and search by relevance.

Every sort has an index on ``(key, id)``, so a page is a range scan from the
cursor, whatever its depth; so do the common pairs of keys (see
:attr:`db.query.Order.served`), and other orders of several keys sort their
matches (slow work, off the event loop). A plain search pages inside the FTS5 index and
joins only the page's rows; the best-ranked :data:`RANKED_PREFIX` results of
a search are kept per content version, so later pages skip the ranking.
"""

from __future__ import annotations

from typing import Any

from db.lookups import LookupReads
from db.query import (
    Filter,
    Order,
    Sort,
    Where,
    after,
    only,
    single_topic,
)
from db.rows import ArticleRow, Columns, article_columns
from db.search import MATCHES_FROM, SCORE, SearchReads

RANKED_PREFIX = 500


class PageReads(LookupReads, SearchReads):
    """Pages of articles in any order, under any filter."""

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
        """One page of articles as (sort value, row), in the order asked for.

        With several keys the sort value is the tuple of the keys' values, and so is
        the first item of ``cursor``. TRENDING pages are :meth:`trending_page`'s.
        """
        assert order.sort is not Sort.TRENDING, "a trending page ranks as of an instant"
        cond = self.cond(f)
        params: list[Any] = []
        descending = order.descending != backward
        topic = single_topic(f) if order.sort is Sort.PUBLISHED_AT else None
        if order.sort is Sort.RELEVANCE and f is not None and only(f, "text"):
            return self.search_page(f, descending, limit, cursor, backward, columns)
        if f is not None and f.texts():
            self.slow()
        if order.sort is Sort.RELEVANCE and descending and f is not None and f.text is not None:
            found = self.relevance_page(f, limit, cursor, columns)
            return found[::-1] if backward else found
        if order.sort is Sort.RELEVANCE:
            text = " AND ".join(f"({t})" for t in (f.texts() if f else []))
            window = self.window(text)
            key, key_id = "fts.k", "a.id"
            # the window's matches drive (CROSS JOIN keeps that order): never a look-up in
            # the text index for each article the other conditions leave
            source = (
                f"(SELECT rowid, {SCORE} AS k {MATCHES_FROM}) fts"
                " CROSS JOIN articles a ON a.id = fts.rowid"
            )
            params.extend((window.rank_low, text, window.low))
            if f is not None and f.text is not None:  # the join applies it already
                cond = self.cond(f, text=None)
        elif topic is not None:
            assert f is not None
            source, key, key_id, cond = self.topic_source(f, topic)
            params.extend((topic, topic))
        else:
            key, key_id = f"a.{order.sort.value}", "a.id"
            source = "articles a"
        if not order.served:
            self.slow()  # no index gives this order: its matches are sorted
        columns_sql = [key, *(f"a.{k.sort.value}" for k in order.then), key_id]
        downs = [k.descending != backward for k in order.keys]
        downs.append(order.last_descending != backward)
        select, make = article_columns(columns)
        sql = f"SELECT {select}, {', '.join(columns_sql[:-1])} FROM {source} WHERE {cond.sql}"
        params.extend(cond.params)
        if cursor is not None:
            values = [*cursor[0], cursor[1]] if order.then else list(cursor)
            keyset = after(columns_sql, downs, values)
            sql += f" AND {keyset.sql}"
            params.extend(keyset.params)
        ordering = (
            f"{c} {'DESC' if d else 'ASC'}" for c, d in zip(columns_sql, downs, strict=True)
        )
        sql += f" ORDER BY {', '.join(ordering)} LIMIT ?"
        params.append(limit)
        if order.then:
            width = len(order.keys)
            found = [(tuple(r[-width:]), make(*r)) for r in self.rows(sql, params)]
        else:
            found = [(r[-1], make(*r)) for r in self.rows(sql, params)]
        return found[::-1] if backward else found

    def topic_source(self, f: Filter, topic: str) -> tuple[str, str, str, Where]:
        """Rows of one topic newest first, from its index: (source, date key, id key, the
        rest of the filter). The source takes the topic twice as its parameters."""
        # the driving index already limits rows to the topic: drop that condition
        cond = self.cond(f)
        if f.topics_any == (topic,):
            cond = self.cond(f, topics_any=None)
        elif f.topics_all and topic in f.topics_all:
            rest = tuple(t for t in f.topics_all if t != topic) or None
            cond = self.cond(f, topics_all=rest)
        source = (
            "article_topics x CROSS JOIN articles a ON a.id = x.article_id"
            " AND x.topic_id = (SELECT id FROM topics WHERE name = ? OR slug = ? LIMIT 1)"
        )
        return source, "x.sk_published", "x.article_id", cond

    def relevance_page(
        self, f: Filter, limit: int, cursor: tuple[Any, int] | None, columns: Columns
    ) -> list[tuple[Any, ArticleRow]]:
        """A search with other conditions, best first, in two parts that each stop at the
        page's end: the ranked matches (bm25 > 0) by score, then the rest of the window
        (score 0) newest first, read in the text index's own order."""
        text = f.text or ""
        window = self.window(text)
        cond = self.cond(f, text=None)
        select, make = article_columns(columns)
        found: list[tuple[Any, ArticleRow]] = []
        if cursor is None or cursor[0] > 0:
            sql = (
                f"SELECT {select}, fts.k FROM (SELECT rowid, {SCORE} AS k"
                f" {MATCHES_FROM}) fts CROSS JOIN articles a ON a.id = fts.rowid"
                f" WHERE {cond.sql}"
            )
            params: list[Any] = [window.rank_low, text, window.rank_low, *cond.params]
            if cursor is not None:
                sql += " AND (fts.k, a.id) < (?, ?)"
                params.extend(cursor)
            sql += " ORDER BY fts.k DESC, a.id DESC LIMIT ?"
            params.append(limit)
            found = [(r[-1], make(*r)) for r in self.rows(sql, params)]
        if len(found) < limit:
            sql = (
                f"SELECT {select}, 0 FROM articles_fts fts CROSS JOIN articles a"
                " ON a.id = fts.rowid WHERE articles_fts MATCH ? AND fts.rowid >= ?"
                f" AND fts.rowid < ? AND {cond.sql}"
            )
            params = [text, window.low, window.rank_low, *cond.params]
            if cursor is not None and cursor[0] <= 0:
                sql += " AND fts.rowid < ?"
                params.append(cursor[1])
            sql += " ORDER BY fts.rowid DESC LIMIT ?"  # the text index's order: no sort
            params.append(limit - len(found))
            found += [(r[-1], make(*r)) for r in self.rows(sql, params)]
        return found

    def search_page(
        self, f: Filter, descending: bool, limit: int, cursor: tuple[Any, int] | None,
        backward: bool, columns: Columns,
    ) -> list[tuple[Any, ArticleRow]]:  # fmt: skip
        """A plain search by relevance: rank and page inside the FTS index, then join.

        Only the search's window is considered (see :mod:`db.search`). The
        best-ranked :data:`RANKED_PREFIX` (score, id) pairs of a search are kept in
        the aggregate cache, so later pages and later requests for the same words in
        that range skip the ranking, which costs O(matches).
        """
        hidden = self.visibility().hidden
        if descending and self.aggregates is not None:
            found_ranked = self.ranked(f)
            ranked = [p for p in found_ranked if p[1] not in hidden] if hidden else found_ranked
            start = 0
            if cursor is not None:
                start = next((i for i, pair in enumerate(ranked) if pair < cursor), len(ranked))
            chosen = ranked[start : start + limit]
            if len(chosen) == limit or len(found_ranked) < RANKED_PREFIX:
                rows = self.articles_by_id((i for _, i in chosen), columns)
                found = [(k, rows[i]) for k, i in chosen if i in rows]
                return found[::-1] if backward else found
        self.slow()
        direction = "DESC" if descending else "ASC"
        text = f.text or ""
        window = self.window(text)
        visible = self.visibility().excluding("rowid")
        params: list[Any] = [window.rank_low, text, window.low, *visible.params]
        inner = f"SELECT rowid AS id, {SCORE} AS k {MATCHES_FROM} AND {visible.sql}"
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

    def ranked(self, f: Filter) -> list[tuple[float, int]]:
        """The best (score, id) pairs of a search, best first (cached per version)."""
        text = f.text or ""
        window = self.window(text)
        sql = f"SELECT {SCORE} AS k, rowid {MATCHES_FROM} ORDER BY k DESC, rowid DESC LIMIT ?"
        params = (window.rank_low, text, window.low, RANKED_PREFIX)
        return [(k, i) for k, i in self.aggregate(sql, params)]
