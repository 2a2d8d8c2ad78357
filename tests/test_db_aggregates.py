"""The counts the loader keeps (facet_counts) agree with counting the articles.

After a first load, after small loads that add, change and remove items (kept
up to date batch by batch), after a large load (rebuilt at commit), and after
migrating a database that had no such table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db import aggregates
from db.aggregates import REBUILD
from db.connection import prepare
from db.query import Filter
from db.reader import ReadPool
from loaders.loader import LoadOptions, load
from tests.conftest import Corpus, MakeItem

KINDS = ("topics", "providers", "categories", "types")


def stored(db: Path) -> set[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return set(conn.execute("SELECT scope, scope_key, facet, value, n FROM facet_counts"))


def recounted(db: Path) -> set[tuple[object, ...]]:
    """The whole table computed afresh from the articles, beside the stored one."""
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TEMP TABLE fresh AS SELECT * FROM facet_counts WHERE 0")
        for statement in REBUILD:
            conn.execute(statement.replace("INSERT INTO facet_counts", "INSERT INTO temp.fresh"))
        return set(conn.execute("SELECT scope, scope_key, facet, value, n FROM temp.fresh"))


async def test_kept_counts_and_facets_equal_grouping_the_articles(corpus: Corpus) -> None:
    pool = ReadPool(corpus.db, loop_budget=None)
    session = await pool.acquire()
    try:
        topics = [r[0] for r in session.rows("SELECT slug FROM topics")]
        providers = [r[0] for r in session.rows("SELECT domain FROM providers")]
        types = [r[0] for r in session.rows("SELECT DISTINCT type FROM articles")]
        filters: list[Filter | None] = [None, Filter(topics_any=("no-such-topic",))]
        filters += [Filter(topics_any=(t,)) for t in topics] + [Filter(topics_all=(topics[0],))]
        filters += [Filter(provider_in=(p,)) for p in providers[:40]]
        filters += [Filter(type=t) for t in types if t] + [Filter(category="news")]
        for f in filters:
            assert session.scope(f) is not None, f
            assert session.article_count(f) == session.article_count(f, kept_counts=False), f
            for kind in KINDS:
                kept = session.facets(f, kind, 100)
                assert kept == session.facets(f, kind, 100, kept_counts=False), (f, kind)
        assert session.scope(Filter(topics_any=("a", "b"))) is None  # two scopes: grouped
        assert session.article_count(None) == len(corpus.items)
    finally:
        pool.release(session)
        pool.close()


async def test_small_loads_keep_the_counts_in_step(
    content: Path, make_item: MakeItem, db_path: Path
) -> None:
    options = LoadOptions(workers=1)
    for n in range(12):
        make_item(n, topics=["Testing", f"T{n % 3}"], type="article" if n % 2 else "video")
    await load(content, db_path, options)
    assert stored(db_path) == recounted(db_path)
    steps = [
        lambda: make_item(1, topics=["Other"], provider={"name": "B", "domain": "b.example"}),
        lambda: (content / "_news" / "2024-01-01-story-2.md").unlink(),
        lambda: make_item(40, topics=["Testing", "Testing", "Fresh"], category="opinion"),
        lambda: make_item(3, publishedDateTime=None, type=None),
        lambda: [p.unlink() for p in (content / "_news").glob("*.md")],
    ]
    for step in steps:
        step()
        report = await load(content, db_path, options)
        assert report.changed
        assert stored(db_path) == recounted(db_path)
    assert stored(db_path) == set()  # nothing left: no zero counts kept


async def test_a_large_load_rebuilds_the_counts_at_commit(
    content: Path, make_item: MakeItem, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aggregates, "DELTA_LIMIT", 3)
    for n in range(10):
        make_item(n, topics=[f"T{n % 4}"])
    await load(content, db_path, LoadOptions(workers=1))
    assert stored(db_path) == recounted(db_path)
    make_item(4, topics=["Changed"])  # one item: kept up to date batch by batch
    await load(content, db_path, LoadOptions(workers=1))
    assert stored(db_path) == recounted(db_path)


async def test_migrating_a_database_without_kept_counts_fills_them(
    content: Path, make_item: MakeItem, db_path: Path
) -> None:
    for n in range(6):
        make_item(n, topics=["A", f"B{n % 2}"])
    await load(content, db_path, LoadOptions(workers=1))
    expected = stored(db_path)
    with sqlite3.connect(db_path) as conn:  # as a database of schema version 3 was
        conn.execute("DROP TABLE facet_counts")
        conn.execute("PRAGMA user_version = 3")
    prepare(db_path)
    assert stored(db_path) == expected
    assert expected
