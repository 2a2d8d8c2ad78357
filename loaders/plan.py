"""What a load has to do: the content folder merged with the ``files`` table.

Both sides arrive in path order (:class:`loaders.walk.Walk` and
:class:`db.files.KnownFiles`), so one pass decides every file in constant
memory: unchanged (same size and mtime: not even opened), to parse (new, or
changed size or mtime; the stored hash goes along so the parser can still
call it unchanged), or gone (in the table, not in the folder).

The two lists that can be long (a first load parses every file) are spooled
to an anonymous temporary file rather than held: the loader deletes what is
gone first and then parses the rest in order, knowing how many there are.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from core.records import FileState
from db.files import KnownFile

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


def plan(disk: Iterable[FileState], known: Iterable[KnownFile]) -> Plan:
    """Merge the folder (sorted by path) with the ``files`` rows (sorted by path)."""
    out = Plan()
    try:
        out.unchanged = _merge(iter(disk), iter(known), out.todo.append, out.gone.append)
    except BaseException:
        out.close()
        raise
    return out


def _merge(
    files: Iterator[FileState],
    rows: Iterator[KnownFile],
    todo: Callable[[Todo], None],
    gone: Callable[[Gone], None],
) -> int:
    """The merge join itself; returns how many files are unchanged."""
    unchanged = 0
    last = ""
    d = next(files, None)
    k = next(rows, None)
    while d is not None and k is not None:
        if d.path <= last:
            raise ValueError(f"the walk is out of path order at {d.path!r}")
        if d.path == k[0]:
            if d.size == k[1] and d.mtime_ns == k[2]:
                unchanged += 1
            else:
                todo((d, k[3]))
            last = d.path
            d = next(files, None)
            k = next(rows, None)
        elif d.path < k[0]:
            todo((d, ""))
            last = d.path
            d = next(files, None)
        else:
            gone((k[0], k[4]))
            k = next(rows, None)
    while d is not None:
        if d.path <= last:
            raise ValueError(f"the walk is out of path order at {d.path!r}")
        todo((d, ""))
        last = d.path
        d = next(files, None)
    while k is not None:
        gone((k[0], k[4]))
        k = next(rows, None)
    return unchanged
