"""Walk a content folder in sorted path order, in memory that does not grow with it.

Why sorted: the loader compares the folder with the ``files`` table read in
primary-key order (a merge join), so neither side is ever held whole. SQLite
orders ``TEXT`` by its UTF-8 bytes, which is the order of Python's ``str``
comparison; sorting a folder's entries with ``name + "/"`` for sub-folders
puts every path below a sub-folder where it belongs among its siblings
(``a-b/x`` < ``a.md`` < ``a/x`` < ``a0``).

Why bounded: one folder may hold a million files (Jekyll collections are often
flat). Its names are sorted in runs of :data:`RUN` names; a folder with more
spills each sorted run to a temporary file and merges the runs back, so memory
stays at one run of names whatever the folder's size.

What is walked matches what the loader always loaded: hidden entries and
``_site`` are skipped, symlinked folders are not followed (symlinked files
are), unreadable entries are reported, and ``_data`` site files are set aside.
"""

from __future__ import annotations

import fnmatch
import heapq
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO

from core.records import FileState, Problem
from loaders.site import is_site_file

RUN = 50_000
"""Names of one folder sorted in memory at a time (about 5 MB); more spill to disk."""

_BUFFER = 4096  # read buffer per spilled run: a million names in 20 runs need 80 KB


class Patterns:
    """Glob patterns compiled once: ``fnmatch`` per file per pattern was a visible cost."""

    def __init__(self, patterns: Sequence[str]) -> None:
        alternatives = []
        for pattern in patterns:
            alternatives.append(fnmatch.translate(pattern))
            if pattern.startswith("**/"):  # a leading **/ also matches files at the top
                alternatives.append(fnmatch.translate(pattern[3:]))
        self._match = re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)").match

    def __call__(self, rel: str) -> bool:
        """Whether ``rel`` (a path relative to the content root) matches a pattern."""
        return self._match(rel) is not None


def matches(rel: str, patterns: Sequence[str]) -> bool:
    """Glob match where a leading ``**/`` also matches files at the top level."""
    return Patterns(patterns)(rel)


class Walk:
    """The item files under ``root`` in sorted path order, with their size and mtime.

    Read it in batches (:meth:`batch`); site files (``_data``) and problems
    collect in :attr:`site` and :attr:`problems` as the walk passes them.
    """

    def __init__(self, root: Path, patterns: Sequence[str], run: int = RUN) -> None:
        self.root = str(root)
        self.site: list[FileState] = []
        self.problems: list[Problem] = []
        self._matches = Patterns(patterns).__call__
        self._run = run
        self._files = self._folder("")

    def __iter__(self) -> Iterator[FileState]:
        return self._files

    def batch(self, size: int) -> list[FileState]:
        """The next ``size`` item files (fewer at the end, none when done)."""
        return list(islice(self._files, size))

    def _folder(self, prefix: str) -> Iterator[FileState]:
        """Item files under the folder ``prefix`` (``""`` or ending in ``/``), sorted.

        Depth first with an explicit stack: one generator frame per file, not one
        per folder level (this loop runs a million times on a no-change reload).
        """
        stack = [(prefix, self._sorted_entries(prefix))]
        matches, site_files, problems = self._matches, self.site, self.problems
        while stack:
            prefix, keys = stack[-1]
            folder = f"{self.root}/{prefix}"
            for key in keys:
                if key[-1] == "/":
                    stack.append((prefix + key, self._sorted_entries(prefix + key)))
                    break  # this folder's entries resume after the sub-folder's
                rel = prefix + key
                site = "_data/" in rel and is_site_file(rel)
                if not site and not matches(rel):
                    continue
                if not rel.isascii() and not _utf8(rel):
                    shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    problems.append(Problem(shown, "the file name is not valid UTF-8; rename it"))
                    continue
                try:
                    st = os.stat(folder + key)
                except OSError as exc:
                    problems.append(Problem(rel, f"cannot read the file: {exc.strerror or exc}"))
                    continue
                if site:
                    site_files.append(FileState(rel, st.st_size, st.st_mtime_ns))
                else:
                    yield FileState(rel, st.st_size, st.st_mtime_ns)
            else:
                stack.pop()

    def _sorted_entries(self, prefix: str) -> Iterator[str]:
        """The entries of folder ``prefix`` to visit, sub-folders as ``name/``, sorted."""
        folder = f"{self.root}/{prefix}"
        names: list[str] = []
        runs: list[IO[bytes]] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if is_dir:
                        if name == "_site" or entry.is_symlink():
                            continue
                        name += "/"
                    names.append(name)
                    if len(names) >= self._run:
                        runs.append(_spill(names))
                        names = []
        except OSError as exc:
            for run in runs:
                run.close()
            self.problems.append(
                Problem(prefix.rstrip("/") or ".", f"cannot read the folder: {exc.strerror or exc}")
            )
            return iter(())
        names.sort()
        if not runs:
            return iter(names)
        return _merged(runs, names)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _spill(names: list[str]) -> IO[bytes]:
    """Write one sorted run of names, a line each, to an anonymous temporary file.

    A name may hold a newline or a backslash (rarely): those are escaped.
    """
    names.sort()
    run = tempfile.TemporaryFile(buffering=_BUFFER)  # noqa: SIM115 - closed by _read_run
    for name in names:
        raw = name.encode("utf-8", "surrogateescape")
        if b"\\" in raw or b"\n" in raw:
            raw = raw.replace(b"\\", b"\\\\").replace(b"\n", b"\\n")
        run.write(raw + b"\n")
    run.seek(0)
    return run


def _read_run(run: IO[bytes]) -> Iterator[str]:
    """The names of a spilled run, read back a line at a time; closes the file."""
    with run:
        for line in run:
            raw = line[:-1]
            if b"\\" in raw:
                raw = _ESCAPED.sub(_unescape, raw)
            yield raw.decode("utf-8", "surrogateescape")


_ESCAPED = re.compile(rb"\\(.)", re.DOTALL)


def _unescape(match: re.Match[bytes]) -> bytes:
    return b"\n" if match[1] == b"n" else match[1]


def _merged(runs: Iterable[IO[bytes]], last: list[str]) -> Iterator[str]:
    """Spilled runs and the last run (still in memory) merged into one sorted stream."""
    return heapq.merge(*(_read_run(run) for run in runs), last)
