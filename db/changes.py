"""The change log: what each changing load did, read by every server process.

:class:`db.writer.LoadWriter` appends one row per changing load (in the load's
own transaction). :class:`ChangeLog` notices new rows cheaply: SQLite's
``PRAGMA data_version`` changes only when another connection committed.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from core.errors import DatabaseError
from db.connection import connect


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

    def __init__(self, db: str | Path) -> None:
        self.db = Path(db)
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
            self._conn = connect(self.db, readonly=True)
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
