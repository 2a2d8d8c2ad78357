"""The content digest: the same for the same files, whatever loads got a database there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db import digest
from loaders.loader import LoadOptions, load
from tests.conftest import MakeItem, copy_tree

ONE = LoadOptions(workers=1)


def stored(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        found = digest.stored(conn)
        assert found is not None
        assert found == digest.compute(conn)  # what the writer kept is what the rows say
        return found
    finally:
        conn.close()


async def test_same_files_same_digest_whatever_the_history(
    make_item: MakeItem, content: Path, tmp_path: Path
) -> None:
    for n in range(6):
        make_item(n)
    (content / "_data" / "topics").mkdir(parents=True)
    (content / "_data" / "topics" / "ai.yaml").write_text("name: AI\n_id: ai\n", encoding="utf-8")
    at_once = tmp_path / "at-once.db"
    report = await load(content, at_once, ONE)
    assert report.content_digest == stored(at_once)

    # another database: half the files, then an edit, then everything with the edit undone
    steps = tmp_path / "steps"
    copy_tree(content, steps)
    later = [steps / "_news" / f"2024-01-01-story-{n}.md" for n in range(3, 6)]
    kept = {p: p.read_bytes() for p in later}
    for p in later:
        p.unlink()
    stepwise = tmp_path / "stepwise.db"
    first = await load(steps, stepwise, ONE)
    assert first.content_digest != report.content_digest
    for p, raw in kept.items():
        p.write_bytes(raw.replace(b"title:", b"title: Edited", 1))
    await load(steps, stepwise, ONE)
    for p, raw in kept.items():
        p.write_bytes(raw)
    final = await load(steps, stepwise, ONE)
    assert final.content_version == 3  # three loads, the first database had one
    assert final.content_digest == report.content_digest == stored(stepwise)


async def test_a_change_to_an_item_or_the_site_data_changes_the_digest(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    first = (await load(content, db_path, ONE)).content_digest
    make_item(1, title="Another title")
    second = (await load(content, db_path, ONE)).content_digest
    orgs = content / "_data" / "organizations"
    orgs.mkdir(parents=True)
    (orgs / "wsj.md").write_text("---\nname: WSJ\ndomain: wsj.com\n---\n", encoding="utf-8")
    third = (await load(content, db_path, ONE)).content_digest
    assert len({first, second, third}) == 3
    assert (await load(content, db_path, ONE)).content_digest == third  # no change, same


async def test_an_older_database_gets_its_digest_at_the_next_load(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    expected = (await load(content, db_path, ONE)).content_digest
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM meta WHERE key = ?", (digest.KEY,))
    conn.commit()
    conn.close()
    report = await load(content, db_path, ONE)  # nothing changed: no new version
    assert report.content_version == 1
    assert report.content_digest == expected == stored(db_path)
