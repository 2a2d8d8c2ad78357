"""Schema migrations: an older database is brought up to date and stays consistent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db import schema
from db.connection import prepare
from loaders.loader import load
from tests.conftest import MakeItem
from tests.test_loaders_loader import assert_text_index_matches_articles, rows


def make_database_at(db: Path, version: int) -> None:
    """A database as an older newsgraph left it: the first ``version`` migrations only."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for script in schema.MIGRATIONS[:version]:
            for statement in schema._statements(script):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()


def test_a_fresh_database_is_at_the_latest_version(db_path: Path) -> None:
    prepare(db_path)
    assert rows(db_path, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]


async def test_version_2_database_keeps_its_text_index_in_step_after_migrating(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    # before version 3, triggers filled the text index row by row
    make_database_at(db_path, 2)
    make_item(1, title="Original wording")
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        triggers = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        assert triggers.fetchone() == (3,)
    finally:
        conn.close()

    await load(content, db_path)  # migrates to the latest version, then writes
    assert rows(db_path, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]
    assert rows(db_path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'") == [(0,)]

    make_item(1, title="Replacement wording")
    make_item(2)
    report = await load(content, db_path)
    assert (report.added, report.updated) == (1, 1)
    match = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
    assert rows(db_path, match, "original") == [(0,)]
    assert rows(db_path, match, "replacement") == [(1,)]
    assert_text_index_matches_articles(db_path)


def test_a_newer_database_is_refused(db_path: Path) -> None:
    prepare(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(Exception, match="newer than this newsgraph"):
        prepare(db_path)


async def test_version_7_database_parses_the_files_that_name_a_provider_again(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    make_item(2, provider=None)
    make_item(3, provider=None, related=[{"title": "R", "webUrl": "https://other.org/r"}])
    await load(content, db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:  # as version 7 left it: no filed providers
        conn.execute("ALTER TABLE articles DROP COLUMN filed_provider_id")
        conn.execute("ALTER TABLE related DROP COLUMN filed_provider_id")
        conn.execute("DROP TABLE filed_providers")
        conn.execute("PRAGMA user_version = 7")
    finally:
        conn.close()
    report = await load(content, db_path)  # migrates, then parses item 1 again
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert rows(db_path, "SELECT slug, filed_provider_id IS NOT NULL FROM articles") == [
        ("2024-01-01-story-1", 1), ("2024-01-01-story-2", 0), ("2024-01-01-story-3", 0),
    ]  # fmt: skip
