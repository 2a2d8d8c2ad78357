"""Walk a content folder in sorted path order, in memory that does not grow with it.

Why sorted: the loader compares the folder with the ``files`` table read in
primary-key order (a merge join), so neither side is ever held whole. SQLite
orders ``TEXT`` by its UTF-8 bytes, which is the order of Python's ``str``
comparison; sorting a folder's entries with ``name + "/"`` for sub-folders
puts every path below a sub-folder where it belongs among its siblings
(``a-b/x`` < ``a.md`` < ``a/x`` < ``a0``).

Why bounded: one folder may hold a million files (Jekyll collections are often
flat). Its entries are sorted in runs of :data:`RUN`; a folder with more spills
each sorted run to a temporary file and merges the runs back, so memory stays
at one run whatever the folder's size.

What is walked matches what the loader always loaded: hidden entries and
``_site`` are skipped, symlinked folders are not followed (symlinked files
are), unreadable entries are reported, and ``_data`` site files are set aside.
"""

from __future__ import annotations

import fnmatch
import heapq
import os
import pickle
import re
import tempfile
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO

from core.records import FileState, Problem
from loaders.site import is_site_file

_SUFFIX = re.compile(r"(?:\*\*/)?\*(\.[^*?\[\]/]+)")

_BLOCK = 4096  # directory entries looked at together

RUN = 250_000
"""Entries of one folder sorted in memory at a time (about 60 MB); more spill to disk.

Large enough that the folders of a collection split by year (200,000 files at a
million items) sort in memory: a spilled entry costs about 2 us more."""


class Patterns:
    """Glob patterns compiled once: ``fnmatch`` per file per pattern was a visible cost."""

    def __init__(self, patterns: Sequence[str]) -> None:
        alternatives = []
        for pattern in patterns:
            alternatives.append(fnmatch.translate(pattern))
            if pattern.startswith("**/"):  # a leading **/ also matches files at the top
                alternatives.append(fnmatch.translate(pattern[3:]))
        self.match = re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)").match
        """The compiled match: not ``None`` when a path matches."""
        suffixes = [_SUFFIX.fullmatch(pattern) for pattern in patterns]
        self.suffixes: tuple[str, ...] | None = (
            tuple(m[1] for m in suffixes if m is not None) if all(suffixes) else None
        )
        """When every pattern is ``*.ext`` or ``**/*.ext`` (``*`` matches ``/`` too): the
        endings a file name must have, which is all a match needs to look at."""

    def __call__(self, rel: str) -> bool:
        """Whether ``rel`` (a path relative to the content root) matches a pattern."""
        return self.match(rel) is not None


def matches(rel: str, patterns: Sequence[str]) -> bool:
    """Glob match where a leading ``**/`` also matches files at the top level."""
    return Patterns(patterns)(rel)


Entry = tuple[str, int, int]
"""An item file as the walk finds it: path (relative to the root), size, mtime_ns."""

CHUNK = 1024
"""Entries per chunk the walk hands out."""

_path = itemgetter(0)


class Walk:
    """The item files under ``root`` in sorted path order, with their size and mtime.

    Read it once, in sorted chunks of plain tuples (:meth:`chunks`, what the merge
    compares at C speed) or file by file (iterating it). Site files (``_data``)
    and problems collect in :attr:`site` and :attr:`problems` as it goes.
    """

    def __init__(self, root: Path, patterns: Sequence[str], run: int = RUN) -> None:
        self.root = str(root)
        self.site: list[FileState] = []
        self.problems: list[Problem] = []
        self._patterns = Patterns(patterns)
        self._run = run

    def __iter__(self) -> Iterator[FileState]:
        for chunk in self.chunks():
            for path, size, mtime_ns in chunk:
                yield FileState(path, size, mtime_ns)

    def chunks(self, size: int = CHUNK) -> Iterator[list[Entry]]:
        """The files in path order, in lists of at most ``size``."""
        return self._folder("", size)

    def _folder(self, prefix: str, size: int) -> Iterator[list[Entry]]:
        """The files below folder ``prefix`` (``""`` or ending in ``/``), in chunks.

        A folder's files are sorted (in runs, if there are many) and its sub-folders,
        sorted apart, are walked where they fall among them: each file costs no
        Python step here, only slicing.
        """
        files, folders = self._entries(prefix)
        pending = iter(folders)
        folder = next(pending, None)
        while chunk := list(islice(files, size)):
            start = 0
            while folder is not None and folder < chunk[-1][0]:
                cut = bisect_left(chunk, folder, start, key=_path)
                if cut > start:
                    yield chunk[start:cut]
                yield from self._folder(folder, size)
                start, folder = cut, next(pending, None)
            yield chunk[start:] if start else chunk
        while folder is not None:
            yield from self._folder(folder, size)
            folder = next(pending, None)

    def _entries(self, prefix: str) -> tuple[Iterator[Entry], list[str]]:
        """Folder ``prefix``'s item files in path order, and its sub-folders (``a/b/``)."""
        files: list[Entry] = []
        folders: list[str] = []
        runs: list[IO[bytes]] = []
        try:
            block_size = min(_BLOCK, self._run)
            with os.scandir(f"{self.root}/{prefix}") as listing:
                while block := list(islice(listing, block_size)):
                    start = len(files)
                    self._scan(prefix, block, files, folders)
                    if not "".join(map(_path, files[start:])).isascii():
                        self._drop_bad_names(files, start)
                    if len(files) >= self._run:
                        runs.append(_spill(files, max(1, self._run // 64)))
                        files = []
        except OSError as exc:
            for spilled in runs:
                spilled.close()
            self.problems.append(
                Problem(prefix.rstrip("/") or ".", f"cannot read the folder: {exc.strerror or exc}")
            )
            return iter(()), []
        files.sort(key=_path)
        folders.sort()
        if not runs:
            return iter(files), folders
        return heapq.merge(*(_read_run(spilled) for spilled in runs), files, key=_path), folders

    def _scan(
        self, prefix: str, block: list[os.DirEntry[str]], files: list[Entry], folders: list[str]
    ) -> None:
        """Sort a block of a folder's entries into files (stat'ed) and sub-folders.

        Files are stat'ed with ``entry.stat()``, a ``fstatat`` relative to the open
        folder (no path to resolve again per file, as ``os.stat(path)`` does). This
        loop runs once per file: with plain suffix patterns outside ``_data`` (the
        usual case) it does nothing else a file does not need.
        """
        suffixes = self._patterns.suffixes
        if suffixes is None or "_data" in prefix.split("/"):
            return self._scan_slowly(prefix, block, files, folders)
        append = files.append
        for entry in block:
            name = entry.name
            if name[0] == ".":
                continue
            try:
                if entry.is_dir():
                    self._sub_folder(prefix, entry, folders)
                    continue
                if not name.endswith(suffixes):
                    continue
                st = entry.stat()
            except OSError as exc:
                if name.endswith(suffixes):
                    self._unreadable(prefix + name, exc)
                continue
            append((prefix + name, st.st_size, st.st_mtime_ns))
        return None

    def _scan_slowly(
        self, prefix: str, block: list[os.DirEntry[str]], files: list[Entry], folders: list[str]
    ) -> None:
        """:meth:`_scan` for any pattern, and below ``_data`` (site files)."""
        match = self._patterns.match
        in_data = "_data" in prefix.split("/")  # site files live below a _data folder
        for entry in block:
            name = entry.name
            if name[0] == ".":
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                self._sub_folder(prefix, entry, folders)
                continue
            rel = prefix + name
            site = in_data and is_site_file(rel)
            if not site and match(rel) is None:
                continue
            try:
                st = entry.stat()
            except OSError as exc:
                self._unreadable(rel, exc)
                continue
            if site:
                if rel.isascii() or _utf8(rel):
                    self.site.append(FileState(rel, st.st_size, st.st_mtime_ns))
                else:
                    self._bad_name(rel)
            else:
                files.append((rel, st.st_size, st.st_mtime_ns))

    @staticmethod
    def _sub_folder(prefix: str, entry: os.DirEntry[str], folders: list[str]) -> None:
        if entry.name != "_site" and not entry.is_symlink():
            folders.append(f"{prefix}{entry.name}/")

    def _drop_bad_names(self, files: list[Entry], start: int) -> None:
        """Refuse the files from ``start`` on whose names are not UTF-8 (SQLite stores
        UTF-8; ``os`` hands such names over with surrogate escapes)."""
        kept = []
        for entry in files[start:]:
            if entry[0].isascii() or _utf8(entry[0]):
                kept.append(entry)
            else:
                self._bad_name(entry[0])
        files[start:] = kept

    def _site_file(self, rel: str, entry: os.DirEntry[str]) -> None:
        try:
            st = entry.stat()
        except OSError as exc:
            self._unreadable(rel, exc)
            return
        self.site.append(FileState(rel, st.st_size, st.st_mtime_ns))

    def _unreadable(self, rel: str, exc: OSError) -> None:
        self.problems.append(Problem(rel, f"cannot read the file: {exc.strerror or exc}"))

    def _bad_name(self, rel: str) -> None:
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        self.problems.append(Problem(shown, "the file name is not valid UTF-8; rename it"))


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _spill(entries: list[Entry], chunk: int) -> IO[bytes]:
    """Write one sorted run of entries to an anonymous temporary file, pickled in chunks
    (read back a chunk at a time: a run's reader holds ``chunk`` entries, not the run)."""
    entries.sort()
    run = tempfile.TemporaryFile(buffering=4096)  # noqa: SIM115 - closed by _read_run
    for i in range(0, len(entries), chunk):
        pickle.dump(entries[i : i + chunk], run, protocol=pickle.HIGHEST_PROTOCOL)
    run.seek(0)
    return run


def _read_run(run: IO[bytes]) -> Iterator[Entry]:
    """The entries of a spilled run, in order; closes the file."""
    with run:
        while True:
            try:
                entries: list[Entry] = pickle.load(run)  # noqa: S301 - our own temp file
            except EOFError:
                return
            yield from entries
