"""Open SQLite the way newsgraph relies on: WAL, foreign keys, a busy timeout.

Readers and the one writer share a file. WAL lets each reader see one
snapshot per read transaction while a load writes; the loader writes with
``BEGIN IMMEDIATE`` so that it never fails half-way on a lock upgrade.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from core.errors import DatabaseError
from db.schema import migrate

READER_CACHE_KB = 8192
"""Page cache per read connection (the loader's one connection gets 64 MB)."""

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",
)


_LOADER_PRAGMAS = (
    # the loader's TEMP tables (the ids a load touched) can hold a row per item: on disk,
    # behind a small cache, rather than in memory
    "PRAGMA temp_store = FILE",
    # the writer assigns every id itself and deletes child rows explicitly
    # (db/text_index.py, db/derived.py); checking each inserted row's references cost
    # ~25 us per item, a tenth of writing it. Tests check foreign_key_check after loads.
    "PRAGMA foreign_keys = OFF",
    # PRAGMA optimize at commit analyzes the tables a load grew: from a sample of each
    # index (as SQLite advises), not a full scan of every index (seconds at 1M items)
    "PRAGMA analysis_limit = 1000",
)


def prepare(path: str | Path) -> None:
    """Create the file if needed, switch it to WAL and migrate the schema."""
    conn = connect(path)
    try:
        migrate(conn)
    finally:
        conn.close()


def connect(
    path: str | Path, *, readonly: bool = False, immutable: bool = False
) -> sqlite3.Connection:
    """A synchronous connection in autocommit mode with our pragmas applied.

    ``immutable`` (read-only): the file never changes while open (a built database,
    :mod:`db.built`): SQLite then takes no locks and creates no ``-wal`` or ``-shm``
    file, so it works on a read-only file system.
    """
    target = Path(path)
    try:
        if readonly:
            mode = "mode=ro&immutable=1" if immutable else "mode=ro"
            conn = sqlite3.connect(
                f"{target.resolve().as_uri()}?{mode}",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        for pragma in _PRAGMAS[1 if readonly else 0 :]:
            conn.execute(pragma)
        if readonly:
            # a pool holds several read connections; the OS page cache is shared by all
            conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KB}")
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseError(f"cannot open the database {target}: {exc}") from exc
    return conn


async def connect_async(path: str | Path) -> aiosqlite.Connection:
    """An aiosqlite connection for the loader, with the schema up to date."""
    prepare(path)
    try:
        conn = await aiosqlite.connect(Path(path), isolation_level=None)
        for pragma in (*_PRAGMAS, *_LOADER_PRAGMAS):
            await conn.execute(pragma)
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseError(f"cannot open the database {path}: {exc}") from exc
    return conn


def content_version(path: str | Path) -> int:
    """The content version a database holds: 0 when nothing was ever loaded into it.

    ``serve`` asks this to decide whether it may answer before its load: a
    database that held content once answers from it while the folder is
    reconciled in the background.
    """
    if not Path(path).exists():
        return 0
    conn = connect(path, readonly=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'content_version'").fetchone()
    except sqlite3.OperationalError:  # an empty file: no schema yet
        return 0
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot read the database {path}: {exc}") from exc
    finally:
        conn.close()
    return int(row[0]) if row else 0
