"""The ``files`` table: what the last load saw of each content file.

A load compares the content folder with this table to skip unchanged files.
It reads the table in primary-key order (path, which SQLite orders by UTF-8
bytes) while it walks the folder in the same order, so the comparison is a
merge join that holds neither side in memory: a no-change reload of a million
files used to keep every row in a dict (about 1.2 KB per item).

The rows are read through a read-only connection of their own, opened after
the writer has taken the write lock and before it writes: that read
transaction sees exactly what the writer sees, and it can run in another
thread while the writer's connection stays on its own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import aiosqlite

from core.errors import DatabaseError
from core.records import FileState
from db.connection import connect

KnownFile = tuple[str, int, int]
"""A row of ``files`` as the merge compares it: path, size, mtime_ns."""

Details = dict[str, tuple[str, int | None]]
"""For some paths: the stored hash and the article id."""

FETCH = 1024
"""Rows fetched from SQLite per call while streaming the table (~200 KB)."""


class KnownFiles:
    """Every row of ``files`` in path order, from one read transaction of its own.

    Only what tells a file unchanged is streamed (no hash: 64 characters a row that
    a no-change reload never looks at); :meth:`details` fetches hash and article
    id for the few paths that need them.
    """

    def __init__(self, db: str | Path) -> None:
        self._conn = connect(db, readonly=True)
        self._conn.execute("PRAGMA cache_size = -2048")  # read once, in order: no reuse
        self._conn.execute("BEGIN")

    def batches(self, size: int = FETCH) -> Iterator[list[KnownFile]]:
        """Every row, in path order, in lists of at most ``size``."""
        try:
            cursor = self._conn.execute("SELECT path, size, mtime_ns FROM files ORDER BY path")
            while rows := cursor.fetchmany(size):
                yield rows
                del rows  # not two batches alive while the next one is fetched
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot read the files table: {exc}") from exc

    def details(self, paths: Sequence[str]) -> Details:
        """The stored hash and article id of each of ``paths`` (in the same snapshot)."""
        try:
            rows = self._conn.execute(
                "SELECT path, sha256, article_id FROM files"
                " WHERE path IN (SELECT value FROM json_each(?))",
                (json.dumps(list(paths)),),
            ).fetchall()
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot read the files table: {exc}") from exc
        return {path: (sha, article_id) for path, sha, article_id in rows}

    def __iter__(self) -> Iterator[KnownFile]:
        for rows in self.batches():
            yield from rows

    def close(self) -> None:
        """End the read transaction and close the connection."""
        self._conn.close()


async def save(conn: aiosqlite.Connection, rows: Sequence[tuple[FileState, int | None]]) -> None:
    """Record what was loaded from each file (and which article it became)."""
    await conn.executemany(
        "INSERT INTO files (path, size, mtime_ns, sha256, article_id) VALUES (?,?,?,?,?)"
        " ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
        " sha256 = excluded.sha256, article_id = excluded.article_id",
        [(s.path, s.size, s.mtime_ns, s.sha256, article_id) for s, article_id in rows],
    )


async def touch(conn: aiosqlite.Connection, states: Sequence[FileState]) -> None:
    """New size and mtime for files whose bytes did not change (same hash)."""
    await conn.executemany(
        "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
        [(s.size, s.mtime_ns, s.path) for s in states],
    )


async def forget(conn: aiosqlite.Connection, paths: Sequence[str]) -> None:
    """Drop the rows of files gone from the folder."""
    await conn.execute(
        "DELETE FROM files WHERE path IN (SELECT value FROM json_each(?))", (json.dumps(paths),)
    )
