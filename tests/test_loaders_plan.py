"""The merge of the folder with the files table, and the spool it writes to."""

from __future__ import annotations

import pytest

from core.records import FileState
from loaders.plan import Spool, plan


def test_the_merge_sorts_every_file_into_one_outcome() -> None:
    disk = [
        FileState("a.md", 10, 1),  # unchanged
        FileState("b.md", 11, 1),  # size changed
        FileState("c.md", 10, 2),  # mtime changed
        FileState("d.md", 10, 1),  # new
        FileState("f.md", 10, 1),  # unchanged
        FileState("h.md", 10, 1),  # new, after every row
    ]
    known = [
        ("0.md", 1, 1, "s0", 7),  # gone, before every file
        ("a.md", 10, 1, "sa", 1),
        ("b.md", 10, 1, "sb", 2),
        ("c.md", 10, 1, "sc", 3),
        ("e.md", 10, 1, "se", None),  # gone, without an article
        ("f.md", 10, 1, "sf", 5),
    ]
    work = plan(disk, known)
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


@pytest.mark.parametrize(("files", "rows"), [(0, 5), (5, 0), (0, 0)])
def test_one_side_empty(files: int, rows: int) -> None:
    work = plan(
        [FileState(f"{n}.md", 1, 1) for n in range(files)],
        [(f"{n}.md", 1, 1, "x", n) for n in range(rows)],
    )
    assert (work.todo.count, work.gone.count, work.unchanged) == (files, rows, 0)
    work.close()


def test_a_walk_out_of_order_is_an_error_not_a_silent_reload() -> None:
    with pytest.raises(ValueError, match="out of path order"):
        plan([FileState("b.md", 1, 1), FileState("a.md", 1, 1)], [("c.md", 1, 1, "x", 1)])


def test_the_spool_gives_back_what_it_took_in_batches() -> None:
    spool: Spool[tuple[int, str]] = Spool(batch=3)
    for n in range(8):
        spool.append((n, f"row {n}"))
    assert spool.count == 8
    assert [len(b) for b in spool.batches()] == [3, 3, 2]
    assert [row for b in spool.batches() for row in b] == [(n, f"row {n}") for n in range(8)]
    spool.close()
