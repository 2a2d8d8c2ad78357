"""The sorted walk: SQLite's path order, what is skipped, and big folders in bounded memory."""

from __future__ import annotations

import os
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from loaders.walk import Patterns, Walk

TRICKY = [
    "a.md", "a-b/x.md", "a/x.md", "a/y/z.md", "a0.md", "B.md", "b.md", "é.md", "e.md",
    "z/ü/x.md", "z/u/x.md", "z.md", "ä-ä.md", "中文.md", "a b.md", "_news/2024/x.md",
    "new\nline.md", "back\\slash.md", "back\\n.md", "back\\\nboth.md",
]  # fmt: skip


def touch_all(root: Path, rels: list[str]) -> None:
    for rel in rels:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")


def walked(root: Path, run: int = 50_000) -> list[str]:
    return [state.path for state in Walk(root, ("**/*.md",), run=run)]


def sqlite_order(paths: list[str]) -> list[str]:
    """The order of ``SELECT path FROM files ORDER BY path``, from SQLite itself."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE files (path TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.executemany("INSERT INTO files VALUES (?)", [(p,) for p in paths])
    return [p for (p,) in conn.execute("SELECT path FROM files ORDER BY path")]


@pytest.mark.parametrize("run", [50_000, 3])
def test_walk_order_is_sqlites_path_order(tmp_path: Path, run: int) -> None:
    touch_all(tmp_path, TRICKY)
    assert walked(tmp_path, run) == sqlite_order(TRICKY)


def test_skipped_entries_and_site_files(tmp_path: Path) -> None:
    touch_all(tmp_path, ["a.md", ".hidden/x.md", ".x.md", "_site/x.md", "notes.txt", "k.markdown"])
    touch_all(tmp_path, ["_data/topics/ai.yaml", "_data/organizations/o.md", "_data/other.md"])
    (tmp_path / "linked").symlink_to(tmp_path / "_site", target_is_directory=True)
    (tmp_path / "link.md").symlink_to(tmp_path / "a.md")
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    walk = Walk(tmp_path, ("**/*.md",))
    assert [s.path for s in walk] == ["_data/other.md", "a.md", "link.md"]
    assert sorted(s.path for s in walk.site) == ["_data/organizations/o.md", "_data/topics/ai.yaml"]
    assert [(p.path, "cannot read the file" in p.reason) for p in walk.problems] == [
        ("loop.md", True)
    ]


def test_sizes_and_mtimes(tmp_path: Path) -> None:
    touch_all(tmp_path, ["a.md"])
    os.utime(tmp_path / "a.md", ns=(5, 1_234_567_890))
    (state,) = Walk(tmp_path, ("*.md",))
    assert (state.size, state.mtime_ns) == (len("---\ntitle: x\n---\n"), 1_234_567_890)


def test_a_file_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    touch_all(tmp_path, ["a.md", "b.md"])
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.md"), "wb") as fh:
        fh.write(b"---\ntitle: x\n---\n")
    walk = Walk(tmp_path, ("*.md",))
    assert [s.path for s in walk] == ["a.md", "b.md"]
    assert [(p.path, p.reason) for p in walk.problems] == [
        ("caf\ufffd.md", "the file name is not valid UTF-8; rename it")
    ]


@pytest.mark.parametrize(
    ("pattern", "path", "ok"),
    [
        ("**/*.md", "a.md", True), ("**/*.md", "x/y/a.md", True), ("*.md", "x/a.md", True),
        ("_news/*.md", "a.md", False), ("**/*.md", "a.markdown", False),
    ],
)  # fmt: skip
def test_patterns(pattern: str, path: str, ok: bool) -> None:
    assert Patterns([pattern])(path) is ok


def walk_peak(root: Path, run: int) -> int:
    """Peak Python memory while walking ``root`` in chunks of 100 (nothing kept but a count)."""
    tracemalloc.start()
    try:
        count = sum(len(chunk) for chunk in Walk(root, ("*.md",), run=run).chunks(100))
        return tracemalloc.get_traced_memory()[1] if count else 0
    finally:
        tracemalloc.stop()


def test_a_big_flat_folder_is_sorted_in_runs_in_bounded_memory(tmp_path: Path) -> None:
    small, big = tmp_path / "small", tmp_path / "big"
    for root, count in ((small, 1000), (big, 12_000)):
        root.mkdir()
        for n in range(count):  # empty files: only the names matter here
            (root / f"item-{(n * 7919) % count:06d}.md").touch()
    assert walked(big, run=1000) == sorted(f"item-{n:06d}.md" for n in range(12_000))
    # 12x the names in 12 runs of 1,000: the peak is one run plus a reader per run (a file
    # object, a 4 KB buffer, a chunk of 15 entries), not every name; unspilled, it grows
    one_run, spilled, whole = walk_peak(small, 1000), walk_peak(big, 1000), walk_peak(big, 50_000)
    assert spilled < one_run + 12 * 32 * 1024, (one_run, spilled)
    assert whole > 3 * spilled, (whole, spilled)
