"""The merge of the folder with the files table, and the spool it writes to."""

from __future__ import annotations

import pytest

from core.records import FileState
from loaders.plan import Spool, plan
from loaders.walk import Entry


def chunked(items: list[Entry], size: int) -> list[list[Entry]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


DISK: list[Entry] = [
    ("a.md", 10, 1),  # unchanged
    ("b.md", 11, 1),  # size changed
    ("c.md", 10, 2),  # mtime changed
    ("d.md", 10, 1),  # new
    ("f.md", 10, 1),  # unchanged
    ("h.md", 10, 1),  # new, after every row
]
KNOWN = [
    ("0.md", 1, 1, "s0", 7),  # gone, before every file
    ("a.md", 10, 1, "sa", 1),
    ("b.md", 10, 1, "sb", 2),
    ("c.md", 10, 1, "sc", 3),
    ("e.md", 10, 1, "se", None),  # gone, without an article
    ("f.md", 10, 1, "sf", 5),
]


@pytest.mark.parametrize(("disk_chunk", "row_chunk"), [(100, 100), (1, 1), (2, 3), (4, 1)])
def test_the_merge_sorts_every_file_into_one_outcome(disk_chunk: int, row_chunk: int) -> None:
    work = plan(chunked(DISK, disk_chunk), chunked(KNOWN, row_chunk))  # type: ignore[arg-type]
    try:
        assert work.unchanged == 2
        todo = [row for batch in work.todo.batches() for row in batch]
        assert [(state.path, sha) for state, sha in todo] == [
            ("b.md", "sb"), ("c.md", "sc"), ("d.md", ""), ("h.md", ""),
        ]  # fmt: skip
        assert todo[0][0] == FileState("b.md", 11, 1)
        assert [row for batch in work.gone.batches() for row in batch] == [
            ("0.md", 7), ("e.md", None),
        ]  # fmt: skip
    finally:
        work.close()


def test_unchanged_chunks_of_any_shape() -> None:
    disk = [(f"{n:05d}.md", n, n) for n in range(5000)]
    known = [(p, s, m, "x", 1) for p, s, m in disk]
    for a, b in ((2048, 2048), (1000, 3000), (7, 2048)):
        work = plan(chunked(disk, a), chunked(known, b))  # type: ignore[arg-type]
        assert (work.unchanged, work.todo.count, work.gone.count) == (5000, 0, 0)
        work.close()


@pytest.mark.parametrize(("files", "rows"), [(0, 5), (5, 0), (0, 0)])
def test_one_side_empty(files: int, rows: int) -> None:
    work = plan(
        chunked([(f"{n}.md", 1, 1) for n in range(files)], 2),
        chunked([(f"{n}.md", 1, 1, "x", n) for n in range(rows)], 2),  # type: ignore[arg-type]
    )
    assert (work.todo.count, work.gone.count, work.unchanged) == (files, rows, 0)
    work.close()


@pytest.mark.parametrize(
    "disk", [[[("b.md", 1, 1), ("a.md", 1, 1)]], [[("b.md", 1, 1)], [("a.md", 1, 1)]]]
)
def test_a_walk_out_of_order_is_an_error_not_a_silent_reload(disk: list[list[Entry]]) -> None:
    with pytest.raises(ValueError, match="out of path order"):
        plan(disk, [[("c.md", 1, 1, "x", 1)]])


def test_the_spool_gives_back_what_it_took_in_batches() -> None:
    spool: Spool[tuple[int, str]] = Spool(batch=3)
    for n in range(8):
        spool.append((n, f"row {n}"))
    assert spool.count == 8
    assert [len(b) for b in spool.batches()] == [3, 3, 2]
    assert [row for b in spool.batches() for row in b] == [(n, f"row {n}") for n in range(8)]
    spool.close()
