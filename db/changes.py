"""The change log: what each changing load did, read by every server process.

:class:`db.writer.LoadWriter` appends one row per changing load (in the load's
own transaction) through a :class:`ChangeRecorder`, which keeps the load's
article ids in a TEMP table until commit instead of Python lists (a first load
of a million items would hold a million ints, ~36 MB). :class:`ChangeLog`
notices new rows cheaply: SQLite's ``PRAGMA data_version`` changes only when
another connection committed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import aiosqlite

from core.errors import DatabaseError
from db.connection import connect

Kind = Literal["added", "updated", "removed"]


class ChangeRecorder:
    """The ids one load added, updated and removed, in its connection's TEMP table."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def start(self) -> None:
        """An empty log for this load (the table lives as long as the connection)."""
        await self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS load_changes (kind TEXT NOT NULL, id INTEGER NOT NULL)"
        )
        await self.conn.execute("DELETE FROM temp.load_changes")

    async def add(self, kind: Kind, ids: Sequence[int]) -> None:
        """Note article ids, in the order they were written."""
        if ids:
            await self.conn.executemany(
                "INSERT INTO temp.load_changes (kind, id) VALUES (?, ?)", [(kind, i) for i in ids]
            )

    async def record(self, loaded_at: str) -> None:
        """Append the change-log row of the content version ``meta`` now holds."""
        lists = ", ".join(
            "(SELECT json_group_array(id) FROM (SELECT id FROM temp.load_changes"
            f" WHERE kind = '{kind}' ORDER BY rowid))"
            for kind in ("added", "updated", "removed")
        )
        await self.conn.execute(
            f"INSERT INTO changes (version, loaded_at, added, updated, removed)"
            f" SELECT CAST(value AS INTEGER), ?, {lists} FROM meta WHERE key = 'content_version'",
            (loaded_at,),
        )


@dataclass(frozen=True, slots=True)
class Change:
    """One changing load: the new version and the article ids it touched."""

    version: int
    loaded_at: str
    added: tuple[int, ...]
    updated: tuple[int, ...]
    removed: tuple[int, ...]


class ChangeLog:
    """Reads rows added to the change log since the last :meth:`poll`."""

    def __init__(self, db: str | Path, *, immutable: bool = False) -> None:
        self.db = Path(db)
        self.immutable = immutable
        self._conn: sqlite3.Connection | None = None
        self._data_version = -1
        self._last = -1

    def poll(self) -> list[Change]:
        """New changes (none on the first call: it marks where the log is now)."""
        try:
            return self._poll()
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot read the change log: {exc}") from exc

    def _poll(self) -> list[Change]:
        if self._conn is None:
            self._conn = connect(self.db, readonly=True, immutable=self.immutable)
        data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if data_version == self._data_version:
            return []
        self._data_version = data_version
        if self._last < 0:
            row = self._conn.execute("SELECT coalesce(max(version), 0) FROM changes").fetchone()
            self._last = int(row[0])
            return []
        rows = self._conn.execute(
            "SELECT version, loaded_at, added, updated, removed FROM changes"
            " WHERE version > ? ORDER BY version",
            (self._last,),
        ).fetchall()
        if not rows:
            return []
        self._last = rows[-1][0]
        return [
            Change(v, at, tuple(json.loads(a)), tuple(json.loads(u)), tuple(json.loads(r)))
            for v, at, a, u, r in rows
        ]

    def close(self) -> None:
        """Close the log's connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
