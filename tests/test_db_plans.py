"""The page queries use indexes: no full table scans, no sort of every match.

``EXPLAIN QUERY PLAN`` of the SQL that :class:`db.reader.Session` runs for each
sort and for the common filters must show index searches or index-ordered
scans that stop at the page size, so that a page costs the same at 1,000 or
200,000 articles.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

from db.query import Filter, Key, Order, Sort
from db.reader import ReadPool, Session
from db.session import SlowWork
from db.window import SCHEDULED_SQL
from tests.conftest import Corpus


def plans(corpus: Corpus, call: Any) -> list[str]:
    captured: list[tuple[str, Any]] = []

    async def run() -> None:
        pool = ReadPool(corpus.db, loop_budget=None)
        session = await pool.acquire()
        original = session.rows

        def spy(sql: str, params: Any = (), make: Any = None) -> list[Any]:
            if sql != SCHEDULED_SQL:  # the publication window's, once per version (below)
                captured.append((sql, params))
            return original(sql, params, make)

        session.rows = spy  # type: ignore[method-assign]
        try:
            call(session)
        finally:
            pool.release(session)
            pool.close()

    asyncio.run(run())
    conn = sqlite3.connect(corpus.db)
    out = []
    for sql, params in captured:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        out.append("\n".join(r[3] for r in rows))
    conn.close()
    return out


SORTS = [Order(s, d) for s in (Sort.PUBLISHED_AT, Sort.QUALITY, Sort.HEAT, Sort.TITLE)
         for d in (True, False)]  # fmt: skip


@pytest.mark.parametrize("order", SORTS, ids=lambda o: f"{o.sort.name}-{o.descending}")
def test_each_sort_walks_its_index(corpus: Corpus, order: Order) -> None:
    def call(s: Session) -> None:
        s.article_page(None, order, 21, None)
        s.article_page(None, order, 21, ("~", 10**9) if order.sort in (Sort.PUBLISHED_AT,
                       Sort.TITLE) else (10**6, 10**9))  # fmt: skip

    for plan in plans(corpus, call):
        assert "TEMP B-TREE" not in plan, plan
        assert "USING INDEX articles_" in plan or "USING COVERING INDEX" in plan, plan


PAIRS = [Order(s, d, (Key(Sort.PUBLISHED_AT, d),)) for s in (Sort.QUALITY, Sort.HEAT)
         for d in (True, False)]  # fmt: skip


@pytest.mark.parametrize("order", PAIRS, ids=lambda o: f"{o.sort.name}-{o.descending}")
def test_best_then_newest_walks_its_index(corpus: Corpus, order: Order) -> None:
    def call(s: Session) -> None:
        s.article_page(None, order, 21, None)
        s.article_page(None, order, 21, ((10**6, "~"), 10**9))
        s.article_page(None, order, 21, ((10**6, "~"), 10**9), backward=True)

    for plan in plans(corpus, call):
        assert "TEMP B-TREE" not in plan, plan
        assert "_published" in plan and "USING INDEX articles_" in plan, plan


def test_an_order_no_index_serves_is_slow_work(corpus: Corpus) -> None:
    order = Order(Sort.HEAT, False, (Key(Sort.QUALITY, True),))
    assert not order.served

    async def run() -> None:
        pool = ReadPool(corpus.db)  # on the event loop: slow work must move
        session = await pool.acquire()
        try:
            with pytest.raises(SlowWork):
                session.article_page(None, order, 21, None)
            session.article_page(None, Order(Sort.HEAT, False, (Key(Sort.PUBLISHED_AT, False),)),
                                 21, None)  # fmt: skip
        finally:
            pool.release(session)
            pool.close()

    asyncio.run(run())


@pytest.mark.parametrize(
    ("f", "index"),
    [(None, "USING INDEX articles_published"), (Filter(topics_any=("data",)), "SEARCH x USING PRIMARY KEY (topic_id=?)"),
     (Filter(provider_in=("techcrunch.com",)), "articles_provider")],
    ids=["all", "topic", "provider"],
)  # fmt: skip
def test_a_trending_walk_reads_newest_first_from_an_index(
    corpus: Corpus, f: Filter | None, index: str
) -> None:
    def call(s: Session) -> None:
        s.trending_page(f, 0.01, "2030-01-01T00:00:00Z", 21, None)
        s.trending_page(f, 500.0, "2030-01-01T00:00:00Z", 21, (1.0, 10**9))

    found = plans(corpus, call)
    walks = [p for p in found if index in p]
    assert len(walks) >= 2, found  # the first chunk of each walk
    for plan in found:
        assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize(
    "f",
    [
        Filter(category="news"),
        Filter(type="video"),
        Filter(provider_in=("techcrunch.com",)),
        Filter(topics_any=("data",)),
        Filter(published=True),
    ],
    ids=["category", "type", "provider", "topic", "published"],
)
def test_common_filters_use_an_index_in_sort_order(corpus: Corpus, f: Filter) -> None:
    for plan in plans(corpus, lambda s: s.article_page(f, Order(), 21, None)):
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
        assert "SCAN a\n" not in plan + "\n", plan


def test_counts_and_search_stay_inside_indexes(corpus: Corpus) -> None:
    def call(s: Session) -> None:
        s.article_count(None)
        s.article_count(Filter(text="cloud"))
        s.article_count(Filter(topics_any=("data",)))
        s.article_page(Filter(text="cloud"), Order(Sort.RELEVANCE), 21, None)

    for plan in plans(corpus, call):
        assert "SCAN a\n" not in plan + "\n", plan
        assert "SCAN articles\n" not in plan + "\n" or "COVERING" in plan, plan


@pytest.mark.parametrize("sort", [Sort.PUBLISHED_AT, Sort.QUALITY, Sort.HEAT])
def test_a_providers_page_walks_an_index_in_its_sort_order(corpus: Corpus, sort: Sort) -> None:
    f = Filter(provider_in=("techcrunch.com",))
    for plan in plans(corpus, lambda s: s.article_page(f, Order(sort), 21, None)):
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
        assert "articles_provider" in plan, plan


def test_the_schedule_reads_a_range_of_the_date_index(corpus: Corpus) -> None:
    conn = sqlite3.connect(corpus.db)
    try:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {SCHEDULED_SQL}", ("2024-01-01",)).fetchall()
    finally:
        conn.close()
    plan = "\n".join(r[3] for r in rows)
    assert "INDEX articles_published (sk_published>?)" in plan, plan  # scheduled: few
    assert "TEMP B-TREE" not in plan, plan
