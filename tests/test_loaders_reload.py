"""Reloads: the folder merged with the files table, end to end, on real folders and files.

What a reload must get right: which files are added, updated, unchanged, removed or
moved; slugs that stay unique; the change log; a cancelled load leaving the old
content; and memory that does not grow with the number of items.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import tracemalloc
from pathlib import Path

import pytest

from loaders.loader import LoadOptions, load
from tests.conftest import MakeItem, front_matter, item_fields, wait_for_reader
from tests.test_loaders_loader import (
    assert_references_hold,
    assert_text_index_matches_articles,
    fingerprint,
    rows,
)
from tests.test_loaders_walk import TRICKY


def slugs(db: Path) -> dict[str, str]:
    return dict(rows(db, "SELECT path, slug FROM articles"))  # type: ignore[arg-type]


def last_change(db: Path) -> tuple[list[int], list[int], list[int]]:
    ((added, updated, removed),) = rows(
        db, "SELECT added, updated, removed FROM changes ORDER BY version DESC LIMIT 1"
    )
    return json.loads(str(added)), json.loads(str(updated)), json.loads(str(removed))


async def test_paths_in_every_order_reload_as_unchanged(content: Path, db_path: Path) -> None:
    """The walk and SQLite agree on order: otherwise these would be removed and re-added."""
    for n, rel in enumerate(TRICKY):
        path = content / "_news" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter(item_fields(n)), encoding="utf-8")
    first = await load(content, db_path)
    assert (first.added, first.failed) == (len(TRICKY), 0)
    before = fingerprint(db_path)
    again = await load(content, db_path)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, len(TRICKY))
    assert fingerprint(db_path) == before


async def test_one_load_adds_updates_touches_removes_and_moves(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    paths = {n: make_item(n) for n in range(6)}
    await load(content, db_path)
    ids = dict(rows(db_path, "SELECT path, id FROM articles"))
    make_item(1, title="Changed")  # updated
    os.utime(paths[2], ns=(1, 1))  # touched, same bytes: unchanged
    paths[3].unlink()  # removed
    moved = content / "_news" / "2023" / paths[4].name  # moved: removed, then added
    moved.parent.mkdir()
    paths[4].rename(moved)
    make_item(7)  # added
    report = await load(content, db_path)
    assert (report.added, report.updated, report.unchanged, report.removed) == (2, 1, 3, 2)
    after = dict(rows(db_path, "SELECT path, id FROM articles"))
    assert after[f"_news/{paths[1].name}"] == ids[f"_news/{paths[1].name}"]
    assert slugs(db_path)[f"_news/2023/{paths[4].name}"] == paths[4].stem, (
        "removals come first, so a moved file keeps its slug"
    )
    added, updated, removed = last_change(db_path)
    assert sorted(added) == sorted(after[p] for p in after if p not in ids)
    assert updated == [ids[f"_news/{paths[1].name}"]]
    assert sorted(removed) == sorted(ids[f"_news/{paths[n].name}"] for n in (3, 4))
    assert rows(db_path, "SELECT count(*) FROM files") == [(6,)]
    assert_text_index_matches_articles(db_path)
    assert_references_hold(db_path)
    again = await load(content, db_path)
    assert (again.unchanged, again.content_version) == (6, report.content_version)


async def test_slugs_stay_unique_across_loads(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1, name="same.md")
    make_item(2, name="sub/same.md")
    await load(content, db_path)
    first = slugs(db_path)
    assert first["_news/same.md"] == "same"
    hashed = first["_news/sub/same.md"]
    assert hashed.startswith("same-") and len(hashed) == len("same-") + 8
    make_item(3, name=f"{hashed}.md")  # a file whose own slug is the hashed one
    make_item(2, name="sub/same.md", title="Edited")  # and the hashed one is rewritten
    report = await load(content, db_path)
    assert (report.added, report.updated, report.failed) == (1, 1, 0)
    now = slugs(db_path)
    assert now["_news/sub/same.md"] == hashed, "an updated article keeps its slug"
    assert now[f"_news/{hashed}.md"].startswith(f"{hashed}-")
    assert len(set(now.values())) == 3
    assert_references_hold(db_path)


async def test_no_prune_keeps_gone_files_and_their_rows(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    make_item(2).unlink()
    report = await load(content, db_path, LoadOptions(prune=False))
    assert report.added == 1
    make_item(2)
    await load(content, db_path)
    (content / "_news" / "2024-01-01-story-2.md").unlink()
    kept = await load(content, db_path, LoadOptions(prune=False))
    assert (kept.removed, kept.unchanged) == (0, 1)
    assert rows(db_path, "SELECT count(*) FROM files") == [(2,)]
    pruned = await load(content, db_path)
    assert pruned.removed == 1


async def test_a_cancelled_load_leaves_the_old_content_and_the_lock_free(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    await load(content, db_path)
    before = fingerprint(db_path)
    make_item(2)
    fifo = content / "_news" / "3-slow.md"
    os.mkfifo(fifo)  # the parser blocks opening it until a writer comes
    task = asyncio.create_task(load(content, db_path))
    writer = await wait_for_reader(fifo)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    os.close(writer)  # the parser thread reads an empty file and ends
    assert fingerprint(db_path)[""] == before[""]
    assert rows(db_path, "SELECT count(*) FROM articles") == [(1,)]
    fifo.unlink()
    report = await load(content, db_path)
    assert (report.added, report.unchanged) == (1, 1)


def write_items(root: Path, count: int) -> None:
    """``count`` small items in folders of 500, as collections are often split by year."""
    for n in range(count):
        folder = root / "_news" / f"{n // 500:03d}"
        if n % 500 == 0:
            folder.mkdir(parents=True)
        (folder / f"story-{n}.md").write_text(front_matter(item_fields(n)), encoding="utf-8")


async def no_change_peak(root: Path, db: Path) -> int:
    """Peak Python memory of a reload where nothing changed."""
    gc.collect()
    tracemalloc.start()
    try:
        report = await load(root, db, LoadOptions(workers=2))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.changed is False and report.failed == 0
    return peak


async def test_a_no_change_reload_needs_no_memory_per_item(tmp_path: Path) -> None:
    peaks = {}
    for count in (2000, 20_000):
        root, db = tmp_path / f"c{count}", tmp_path / f"c{count}.db"
        write_items(root, count)
        first = await load(root, db, LoadOptions(workers=2))
        assert first.added == count
        peaks[count] = await no_change_peak(root, db)
        assert rows(db, "SELECT count(*) FROM files") == [(count,)]
    # 18,000 more items: the loader used to hold ~1.2 KB each (21 MB here); now the peak
    # stays put (within what other threads of a test session allocate meanwhile)
    assert peaks[20_000] - peaks[2000] < 18_000 * 16, peaks
    assert_references_hold(tmp_path / "c20000.db")  # a bulk load: indexes built at commit
