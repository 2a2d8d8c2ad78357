"""Providers and topics held in memory per content version answer as the tables do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db.dimensions import DimensionCache
from db.reader import ReadPool
from db.rows import ProviderRow, TopicRow
from loaders.loader import load
from tests.conftest import Corpus, MakeItem

Lookups = tuple[dict[int, ProviderRow], dict[int, TopicRow], dict[int, list[TopicRow]]]


async def lookups(pool: ReadPool) -> Lookups:
    session = await pool.acquire()
    try:
        article_ids = [row[0] for row in session.rows("SELECT id FROM articles")]
        provider_ids = [row[0] for row in session.rows("SELECT id FROM providers")]
        topic_ids = [row[0] for row in session.rows("SELECT id FROM topics")]
        return (
            session.providers_by_id([*provider_ids, 10**9]),
            session.topics_by_id([*topic_ids, 10**9]),
            session.article_topics(article_ids),
        )
    finally:
        pool.release(session)


async def test_memory_and_sql_give_the_same_rows(corpus: Corpus) -> None:
    held, queried = ReadPool(corpus.db, loop_budget=None), ReadPool(corpus.db, loop_budget=None)
    queried.dimensions = None
    try:
        from_memory, from_sql = await lookups(held), await lookups(queried)
        assert from_memory == from_sql
        assert all(from_memory), "the corpus has providers, topics and tagged articles"
    finally:
        held.close()
        queried.close()


async def test_tables_over_the_limit_are_queried(corpus: Corpus) -> None:
    pool = ReadPool(corpus.db, loop_budget=None)
    pool.dimensions = DimensionCache(max_rows=1)
    statements: list[str] = []
    pool.tracer = statements.append
    try:
        session = await pool.acquire()
        try:
            held = session.held()
            assert held is not None and held.providers is None and held.topics is None
            statements.clear()
            assert session.providers_by_id([1])
            assert any("WHERE id IN" in s for s in statements)
        finally:
            pool.release(session)
    finally:
        pool.close()


async def test_a_load_that_renames_a_provider_is_seen(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1, provider={"name": "Old Name", "domain": "example.com"})
    await load(content, db_path)
    pool = ReadPool(db_path, loop_budget=None)
    try:
        first = await lookups(pool)
        make_item(1, provider={"name": "New Name", "domain": "example.com"})
        await load(content, db_path)
        second = await lookups(pool)
        names = [{p.name for p in found[0].values()} for found in (first, second)]
        assert names == [{"Old Name"}, {"New Name"}]
    finally:
        pool.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT name FROM providers").fetchall() == [("New Name",)]
