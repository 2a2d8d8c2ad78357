"""Built databases: one self-contained file per content, served read-only by replicas.

``newsgraph build`` loads a content folder into a working database and then
writes a compacted copy (``VACUUM INTO``) in rollback-journal mode, so the file
needs no ``-wal`` or ``-shm`` beside it; it is renamed into place only when
complete. A replica (``serve --read-only``) opens it with ``immutable=1``: no
locks, no journal, nothing written, on a read-only file system too.

:func:`check` is what a replica asks of a file before it serves it (at start,
and before switching to a new one): a SQLite file, a newsgraph schema this code
reads, a content digest; ``thorough`` adds SQLite's ``quick_check``, which
reads every page (a few seconds per GB) and is run off the event loop when a
replica switches files. :func:`diff` tells what changed between two built files,
for the live clients of a replica that switched.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.errors import DatabaseError
from db import digest
from db.connection import connect
from db.schema import SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class BuiltInfo:
    """What a built file holds: its content version, digest, and size in bytes."""

    version: int
    digest: str
    loaded_at: str
    size: int


def write(work: Path, out: Path) -> BuiltInfo:
    """Write the compacted, self-contained copy of the database ``work`` to ``out``.

    The copy is written beside ``out`` and renamed over it when complete: a
    replica never sees half a file, and one that has the old file open keeps
    reading the old file (never overwrite a served file in place).
    """
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    source = connect(work, readonly=True)
    try:
        source.execute("VACUUM INTO ?", (str(partial),))
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot write {partial}: {exc}") from exc
    finally:
        source.close()
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # no -wal / -shm needed to read it
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()
    os.replace(partial, out)
    return check(out)


def check(path: Path, *, thorough: bool = False) -> BuiltInfo:
    """What a built file holds, or a :class:`DatabaseError` that says what is wrong."""
    if not path.is_file():
        raise DatabaseError(f"no database file at {path}; write one with `newsgraph build`")
    try:
        conn = connect(path, readonly=True, immutable=True)
    except DatabaseError as exc:
        raise DatabaseError(f"{path} is not a newsgraph database ({exc.__cause__})") from exc
    try:
        return _check(conn, path, thorough)
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path} is not a newsgraph database ({exc})") from exc
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, path: Path, thorough: bool) -> BuiltInfo:
    schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    if "meta" not in tables or "articles" not in tables:
        raise DatabaseError(f"{path} is not a newsgraph database (no meta or articles table)")
    if schema > SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} is at schema version {schema}, newer than this newsgraph "
            f"({SCHEMA_VERSION}); upgrade newsgraph on this replica"
        )
    if schema < SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} is at schema version {schema}, older than this newsgraph "
            f"({SCHEMA_VERSION}), and a read-only replica does not migrate; build it again "
            "with this newsgraph"
        )
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if not meta.get(digest.KEY):
        raise DatabaseError(
            f"{path} has no content digest; write it with `newsgraph build` (or load it "
            "once with this newsgraph)"
        )
    if thorough:
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise DatabaseError(f"{path} is damaged: {'; '.join(problems)}")
    return BuiltInfo(
        int(meta.get("content_version", 0)),
        meta[digest.KEY],
        meta.get("loaded_at", ""),
        path.stat().st_size,
    )


@dataclass(frozen=True, slots=True)
class Diff:
    """Article ids added and updated (in the new file) and removed (from the old one)."""

    added: tuple[int, ...]
    updated: tuple[int, ...]
    removed: tuple[int, ...]


def diff(old: sqlite3.Connection, new: sqlite3.Connection) -> Diff:
    """What changed from one database to another, by their ``files`` tables (a merge of
    both in path order: neither is held in memory)."""
    added: list[int] = []
    updated: list[int] = []
    removed: list[int] = []
    olds, news = _files(old), _files(new)
    o, n = next(olds, None), next(news, None)
    while o is not None or n is not None:
        if n is None or (o is not None and o[0] < n[0]):
            assert o is not None
            if o[2] is not None:
                removed.append(o[2])
            o = next(olds, None)
        elif o is None or n[0] < o[0]:
            if n[2] is not None:
                added.append(n[2])
            n = next(news, None)
        else:
            if n[2] is not None and (o[1] != n[1] or o[2] != n[2]):
                updated.append(n[2])
            o, n = next(olds, None), next(news, None)
    return Diff(tuple(added), tuple(updated), tuple(removed))


def _files(conn: sqlite3.Connection) -> Iterator[tuple[str, str, int | None]]:
    cursor = conn.execute("SELECT path, sha256, article_id FROM files ORDER BY path")
    while rows := cursor.fetchmany(4096):
        yield from rows
