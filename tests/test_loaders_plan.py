"""The merge of the folder with the files table, and the spool it writes to."""

from __future__ import annotations

import pytest

from core.records import FileState
from db.files import Details
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
KNOWN: list[Entry] = [
    ("0.md", 1, 1),  # gone, before every file
    ("a.md", 10, 1),
    ("b.md", 10, 1),
    ("c.md", 10, 1),
    ("e.md", 10, 1),  # gone, without an article
    ("f.md", 10, 1),
]
DETAILS: Details = {
    "0.md": ("s0", 7), "a.md": ("sa", 1), "b.md": ("sb", 2), "c.md": ("sc", 3),
    "e.md": ("se", None), "f.md": ("sf", 5),
}  # fmt: skip


class Asked:
    """A details lookup over a dict that remembers which paths it was asked for."""

    def __init__(self, details: Details) -> None:
        self.details, self.paths = details, list[str]()

    def __call__(self, paths: list[str]) -> Details:
        self.paths.extend(paths)
        return {p: self.details[p] for p in paths if p in self.details}


@pytest.mark.parametrize(("disk_chunk", "row_chunk"), [(100, 100), (1, 1), (2, 3), (4, 1)])
def test_the_merge_sorts_every_file_into_one_outcome(disk_chunk: int, row_chunk: int) -> None:
    asked = Asked(DETAILS)
    work = plan(chunked(DISK, disk_chunk), chunked(KNOWN, row_chunk), asked)
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
        assert sorted(asked.paths) == ["0.md", "b.md", "c.md", "e.md"], "only what changed"
    finally:
        work.close()


def test_unchanged_chunks_of_any_shape_ask_for_nothing() -> None:
    disk = [(f"{n:05d}.md", n, n) for n in range(5000)]
    for a, b in ((1024, 1024), (1000, 3000), (7, 1024)):
        asked = Asked({})
        work = plan(chunked(disk, a), chunked(disk, b), asked)
        assert (work.unchanged, work.todo.count, work.gone.count) == (5000, 0, 0)
        assert asked.paths == []
        work.close()


@pytest.mark.parametrize(("files", "rows"), [(0, 5), (5, 0), (0, 0)])
def test_one_side_empty(files: int, rows: int) -> None:
    work = plan(
        chunked([(f"{n}.md", 1, 1) for n in range(files)], 2),
        chunked([(f"{n}.md", 1, 1) for n in range(rows)], 2),
        Asked({f"{n}.md": ("x", n) for n in range(rows)}),
    )
    assert (work.todo.count, work.gone.count, work.unchanged) == (files, rows, 0)
    work.close()


@pytest.mark.parametrize(
    "disk", [[[("b.md", 1, 1), ("a.md", 1, 1)]], [[("b.md", 1, 1)], [("a.md", 1, 1)]]]
)
def test_a_walk_out_of_order_is_an_error_not_a_silent_reload(disk: list[list[Entry]]) -> None:
    with pytest.raises(ValueError, match="out of path order"):
        plan(disk, [[("c.md", 1, 1)]], Asked({"c.md": ("x", 1)}))


def test_the_spool_gives_back_what_it_took_in_batches() -> None:
    spool: Spool[tuple[int, str]] = Spool(batch=3)
    for n in range(8):
        spool.append((n, f"row {n}"))
    assert spool.count == 8
    assert [len(b) for b in spool.batches()] == [3, 3, 2]
    assert [row for b in spool.batches() for row in b] == [(n, f"row {n}") for n in range(8)]
    spool.close()
