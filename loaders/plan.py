"""What a load has to do: the content folder merged with the ``files`` table.

Both sides arrive in path order, in chunks (:class:`loaders.walk.Walk` and
:class:`db.files.KnownFiles`), so one pass decides every file in constant
memory: unchanged (same size and mtime: not even opened), to parse (new, or
changed size or mtime; the stored hash goes along so the parser can still call
it unchanged), or gone (in the table, not in the folder). A chunk where nothing
changed costs one list comparison, not a Python step per file.

The two lists that can be long (a first load parses every file) are spooled
to an anonymous temporary file rather than held: the loader deletes what is
gone first and then parses the rest in order, knowing how many there are.
"""

from __future__ import annotations

import pickle
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter, lt
from typing import Generic, TypeVar

from core.records import FileState
from db.files import Details, KnownFile
from loaders.walk import Entry

T = TypeVar("T")

SPOOL_BATCH = 2000
"""Rows pickled together; also the size of the batches read back."""


class Spool(Generic[T]):
    """Rows written once and read back once, in order, in batches, through a temp file."""

    def __init__(self, batch: int = SPOOL_BATCH) -> None:
        self.count = 0
        self._batch = batch
        self._pending: list[T] = []
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()

    def append(self, row: T) -> None:
        """Add a row at the end."""
        self._pending.append(row)
        self.count += 1
        if len(self._pending) >= self._batch:
            self._flush()

    def batches(self) -> Iterator[list[T]]:
        """The rows in the order they were appended, a batch at a time."""
        self._flush()
        self._file.seek(0)
        while True:
            try:
                batch: list[T] = pickle.load(self._file)  # noqa: S301 - our own temp file
            except EOFError:
                return
            yield batch

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()

    def _flush(self) -> None:
        if self._pending:
            pickle.dump(self._pending, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._pending = []


Todo = tuple[FileState, str]
"""A file to parse and the hash stored for it ("" when it is new)."""

Gone = tuple[str, int | None]
"""A path gone from the folder and the article it had (if any)."""


@dataclass(slots=True)
class Plan:
    """The outcome of the merge: counts, and the spooled files to parse and to remove."""

    todo: Spool[Todo] = field(default_factory=Spool)
    gone: Spool[Gone] = field(default_factory=Spool)
    unchanged: int = 0

    def close(self) -> None:
        """Delete the spools."""
        self.todo.close()
        self.gone.close()


def plan(disk: Iterable[list[Entry]], known: Iterable[list[KnownFile]], details: DetailsOf) -> Plan:
    """Merge the folder's files with the ``files`` rows, both in path order, in chunks;
    ``details`` gives the stored hash and article id of paths that changed or went."""
    out = Plan()
    try:
        out.unchanged = _merge(iter(disk), iter(known), details, out)
    except BaseException:
        out.close()
        raise
    return out


DetailsOf = Callable[[list[str]], Details]

_path = itemgetter(0)


def _merge(
    disk: Iterator[list[Entry]], rows: Iterator[list[KnownFile]], details: DetailsOf, out: Plan
) -> int:
    """The merge join; returns how many files are unchanged.

    Each round takes the files and rows up to the smaller of the two chunks' last
    paths (so both sides are bounded by a chunk) and compares them: when nothing
    changed, the two lists are equal and one C-level comparison decides them all.
    """
    unchanged = 0
    last = ""
    d, di = _ordered(next(disk, []), last), 0
    k, ki = next(rows, []), 0
    while d and k:
        high = min(d[-1][0], k[-1][0])
        dj = bisect_right(d, high, di, key=_path)
        kj = bisect_right(k, high, ki, key=_path)
        files, known = d[di:dj], k[ki:kj]
        if files == known:
            unchanged += len(files)
        else:
            unchanged += _compare(files, known, details, out)
        di, ki = dj, kj
        if di == len(d):
            last = d[-1][0]
            d, di = _ordered(next(disk, []), last), 0
        if ki == len(k):
            k, ki = next(rows, []), 0
    while d:
        for path, size, mtime_ns in d[di:]:
            out.todo.append((FileState(path, size, mtime_ns), ""))
        last = d[-1][0]
        d, di = _ordered(next(disk, []), last), 0
    while k:
        gone = k[ki:]
        found = details([row[0] for row in gone])
        for path, _, _ in gone:
            out.gone.append((path, found[path][1]))
        k, ki = next(rows, []), 0
    return unchanged


def _ordered(chunk: list[Entry], last: str) -> list[Entry]:
    """The chunk, after checking it continues the path order (the merge relies on it)."""
    paths = list(map(_path, chunk))
    if paths and (paths[0] <= last or not all(map(lt, paths, islice(paths, 1, None)))):
        raise ValueError(f"the walk is out of path order after {last!r}")
    return chunk


def _compare(files: list[Entry], rows: list[KnownFile], details: DetailsOf, out: Plan) -> int:
    """Files and rows with paths in the same range, not all equal: how many are unchanged."""
    unchanged = 0
    known = {row[0]: row for row in rows}
    differ: list[tuple[Entry, bool]] = []  # (file, whether it has a row)
    for entry in files:
        row = known.pop(entry[0], None)
        if row == entry:
            unchanged += 1
        else:
            differ.append((entry, row is not None))
    found = details([e[0] for e, held in differ if held] + list(known))
    for (path, size, mtime_ns), held in differ:
        out.todo.append((FileState(path, size, mtime_ns), found[path][0] if held else ""))
    for path in known:
        out.gone.append((path, found[path][1]))
    return unchanged
