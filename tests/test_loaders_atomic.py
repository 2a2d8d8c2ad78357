"""A load is all or nothing: killed mid-way or read while running.

These tests write a generated corpus, load it, rewrite every title, and then
either kill a loading subprocess at a random moment or read the database from
another thread while the load runs. Every observation must show exactly the
old or exactly the new content.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.corpus import generate
from loaders.loader import load

ITEMS = 1200


def rewrite_titles(root: Path) -> None:
    for path in (root / "_news").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('\ntitle: "', '\ntitle: "V2 ', 1), encoding="utf-8")


def observe(db: Path) -> tuple[int, int]:
    """(articles, articles with a new title) in one read transaction."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        new = conn.execute("SELECT count(*) FROM articles WHERE title LIKE 'V2 %'").fetchone()[0]
        conn.execute("COMMIT")
        return total, new
    finally:
        conn.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    generate(root, ITEMS, seed=7)
    return root


def mark_titles(root: Path, mark: str) -> None:
    """Prefix every title with ``mark`` (replacing an earlier mark)."""
    for path in (root / "_news").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'\ntitle: "(R\d+ )?', f'\ntitle: "{mark} ', text, count=1)
        path.write_text(text, encoding="utf-8")


def children(pid: int) -> set[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def marks(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT substr(title, 1, instr(title, ' ')) FROM articles"
            )
        }
    finally:
        conn.close()


def test_a_killed_load_leaves_the_previous_content(
    corpus: Path, tmp_path: Path, long_run: bool
) -> None:
    db = tmp_path / "kill.db"
    mark_titles(corpus, "R0")
    asyncio.run(load(corpus, db))
    rng = random.Random(11)
    current = "R0 "
    rounds = 40 if long_run else 3
    kept = completed = 0
    orphans: set[int] = set()
    for n in range(1, rounds + 1):
        mark_titles(corpus, f"R{n}")
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsgraph.cli", "load", str(corpus), "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 4.0 if long_run else 1.5))
        workers = children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        orphans.update(workers)
        found = marks(db)
        assert found in ({current}, {f"R{n} "}), f"round {n}: half a load is visible: {found}"
        assert observe(db)[0] == ITEMS
        if found == {current}:
            kept += 1
        else:
            completed += 1
        current = found.pop()
    print(f"kill test: {rounds} kills, {kept} left the old content, {completed} had committed")
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in orphans) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in orphans if alive(pid)], "parser processes outlived their loader"
    report = asyncio.run(load(corpus, db))
    assert report.failed == 0
    assert marks(db) == {f"R{rounds} "}


def test_a_reader_sees_old_or_new_never_a_mix(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "read.db"
    asyncio.run(load(corpus, db))
    rewrite_titles(corpus)
    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.append(observe(db))
            time.sleep(0.002)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        report = asyncio.run(load(corpus, db))
    finally:
        time.sleep(0.05)
        stop.set()
        thread.join()
    assert report.updated == ITEMS
    assert seen, "the reader never ran"
    assert {new for _, new in seen} <= {0, ITEMS}
    assert {total for total, _ in seen} == {ITEMS}
    assert seen[0][1] == 0 and seen[-1][1] == ITEMS
