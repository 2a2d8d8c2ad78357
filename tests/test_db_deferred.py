"""Indexes deferred during a bulk load come back exactly as declared, and a rollback keeps
them; the database is the same as one written row by row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.corpus import generate
from core.records import Article, FileState
from db.connection import connect_async
from db.writer import LoadWriter
from loaders.parse import Job, Limits, parse_jobs
from loaders.walk import Walk
from tests.test_loaders_loader import assert_text_index_matches_articles


def parsed(root: Path) -> list[tuple[FileState, Article]]:
    jobs = [Job(str(root), state) for state in Walk(root, ("**/*.md",))]
    return [(o.state, o.article) for o in parse_jobs(jobs, Limits()) if o.article is not None]


async def write(db: Path, items: list[tuple[FileState, Article]], bulk: bool) -> bool:
    conn = await connect_async(db)
    try:
        writer = LoadWriter(conn)
        await writer.begin()
        deferred = await writer.indexes.defer_if_bulk(len(items), minimum=1 if bulk else 10**9)
        for i in range(0, len(items), 50):
            await writer.put_articles(items[i : i + 50])
        await writer.commit()
        return deferred
    finally:
        await conn.close()


def dump(db: Path) -> tuple[list[tuple[object, ...]], ...]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        articles = conn.execute("SELECT * FROM articles ORDER BY id").fetchall()
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM articles ORDER BY sk_title, id LIMIT 5"
        ).fetchall()
    return schema, articles, plan


async def test_a_bulk_load_gives_the_same_database(tmp_path: Path) -> None:
    generate(tmp_path / "content", 120, seed=4)
    items = parsed(tmp_path / "content")
    assert await write(tmp_path / "rows.db", items, bulk=False) is False
    assert await write(tmp_path / "bulk.db", items, bulk=True) is True
    rows, bulk = dump(tmp_path / "rows.db"), dump(tmp_path / "bulk.db")
    assert bulk == rows
    assert "articles_title" in str(bulk[2]), "the rebuilt index is used"
    assert_text_index_matches_articles(tmp_path / "bulk.db")


async def test_a_rolled_back_bulk_load_keeps_the_indexes(tmp_path: Path) -> None:
    generate(tmp_path / "content", 30, seed=4)
    items = parsed(tmp_path / "content")
    db = tmp_path / "n.db"
    await write(db, items[:10], bulk=False)
    before = dump(db)
    conn = await connect_async(db)
    try:
        writer = LoadWriter(conn)
        await writer.begin()
        assert await writer.indexes.defer_if_bulk(20, minimum=1)
        await writer.put_articles(items[10:])
        await writer.rollback()
    finally:
        await conn.close()
    assert dump(db) == before


async def test_a_load_smaller_than_the_table_defers_nothing(tmp_path: Path) -> None:
    generate(tmp_path / "content", 30, seed=4)
    items = parsed(tmp_path / "content")
    db = tmp_path / "n.db"
    await write(db, items[:20], bulk=False)
    conn = await connect_async(db)
    try:
        writer = LoadWriter(conn)
        await writer.begin()
        assert await writer.indexes.defer_if_bulk(10, minimum=1) is False
        assert await writer.indexes.defer_if_bulk(25, minimum=1) is True
        await writer.rollback()
    finally:
        await conn.close()
