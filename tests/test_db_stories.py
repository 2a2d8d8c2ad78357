"""Story ids as the loader keeps them: joined by address key or near-duplicate title,
the least id of the story, matched again when a load changes or removes a member."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from loaders.loader import LoadOptions, load
from tests.conftest import MakeItem


def stories(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT slug, story_id FROM articles"))


def run(content: Path, db: Path) -> None:
    report = asyncio.run(load(content, db, LoadOptions(workers=1)))
    assert report.failed == 0, report.problems


def test_story_ids_are_the_least_member_and_follow_changes(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1, title="Acme fined over data breach", webUrl="https://acme.example/a")
    make_item(2, title="Acme fined over data breach", webUrl="https://acme.example/b")
    make_item(3, title="Unrelated", webUrl="https://acme.example/a?utm_medium=mail")
    make_item(4, title="Something else", webUrl="https://acme.example/c")
    run(content, db_path)
    found = stories(db_path)
    ids = dict(sqlite3.connect(db_path).execute("SELECT slug, id FROM articles"))
    s = {int(k.rsplit("-", 1)[1]): v for k, v in found.items()}
    assert s[1] == s[2] == s[3] == min(ids.values())  # title links 1-2, the URL links 1-3
    assert s[4] == ids["2024-01-01-story-4"]
    # item 1 was the only link between 2 and 3: once it is gone they part
    (content / "_news" / "2024-01-01-story-1.md").unlink()
    run(content, db_path)
    s = {int(k.rsplit("-", 1)[1]): v for k, v in stories(db_path).items()}
    assert s[2] != s[3]
    assert s[2] == ids["2024-01-01-story-2"] and s[3] == ids["2024-01-01-story-3"]
    # a changed file joins a story (the older one's id)
    make_item(4, title="Acme fined over the data breach", webUrl="https://acme.example/c")
    run(content, db_path)
    s = {int(k.rsplit("-", 1)[1]): v for k, v in stories(db_path).items()}
    assert s[4] == s[2] == ids["2024-01-01-story-2"]
    with sqlite3.connect(db_path) as conn:
        keys = conn.execute("SELECT count(DISTINCT article_id) FROM article_urls")
        assert keys.fetchone() == (3,)  # the removed article's keys went with it


def test_copies_loaded_in_one_batch_are_one_story(
    make_item: MakeItem, content: Path, tmp_path: Path
) -> None:
    for n, name in enumerate(("c", "a", "b")):
        make_item(n, name=f"{name}.md", title="Rocket launch delayed by weather again")
    run(content, tmp_path / "one.db")
    assert len(set(stories(tmp_path / "one.db").values())) == 1


def test_a_database_from_before_stories_gets_them_at_its_next_load(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1, title="Acme fined over data breach", webUrl="https://acme.example/a")
    make_item(2, title="Other words entirely here", webUrl="https://acme.example/a/amp")
    make_item(3, title="Third", related=[{"title": "r", "webUrl": "https://acme.example/a?ref=x"}])
    run(content, db_path)
    with sqlite3.connect(db_path) as conn:  # as the migration to v8 leaves a database
        conn.execute("DELETE FROM article_urls")
        conn.execute("DELETE FROM story_bands")
        conn.execute("UPDATE articles SET story_id = id")
        conn.execute("UPDATE related SET url_key = NULL, target_id = NULL")
        conn.execute("INSERT INTO meta (key, value) VALUES ('story_keys', 'pending')")
    report = asyncio.run(load(content, db_path, LoadOptions(workers=1)))
    assert (report.unchanged, report.updated) == (3, 0)  # no file is parsed again
    s = {int(k.rsplit("-", 1)[1]): v for k, v in stories(db_path).items()}
    assert s[1] == s[2] != s[3]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT target_id IS NOT NULL FROM related").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'story_keys'").fetchone() == (0,)
