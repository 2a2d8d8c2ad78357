"""The load writer on its own: what the loader never asks of it today must still hold."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.records import Article, FileState
from db.connection import connect_async
from db.writer import LoadWriter
from tests.test_loaders_loader import assert_text_index_matches_articles, rows


async def test_an_article_written_twice_in_one_load_is_indexed_once(db_path: Path) -> None:
    conn = await connect_async(db_path)
    try:
        writer = LoadWriter(conn)
        await writer.begin()
        state = FileState("_news/a.md", 10, 1, "x")
        await writer.put_articles([(state, Article(path="_news/a.md", slug="a", title="First"))])
        await writer.put_articles([(state, Article(path="_news/a.md", slug="a", title="Second"))])
        await writer.commit()
    finally:
        await conn.close()
    assert rows(db_path, "SELECT title FROM articles") == [("Second",)]
    match = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
    assert rows(db_path, match, "first") == [(0,)]
    assert rows(db_path, match, "second") == [(1,)]
    assert_text_index_matches_articles(db_path)
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
