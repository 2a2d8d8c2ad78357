"""What is in a loaded database, looked up with SQL, to choose benchmark parameters.

Why: the first-request and isolation benchmarks must not warm the server's caches while
they choose what to send (the topics, the largest provider, the most common words), so
they read the SQLite file directly through a read-only connection instead of asking the
API. The full-text vocabulary comes from FTS5's own ``fts5vocab`` table: which words
occur in how many articles, from one article to nearly all of them.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FTS_TABLE = "articles_fts"


@contextmanager
def read_only(db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection (``mode=ro``), closed afterwards."""
    if not db.exists():
        raise SystemExit(f"no database at {db}; load a corpus first (newsgraph load)")
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


@dataclass(frozen=True)
class Value:
    """A value of a dimension (topic slug, provider domain, type, category) and how many
    articles have it."""

    value: str
    count: int


@dataclass(frozen=True)
class Dataset:
    """The dimensions of a loaded corpus, most frequent first."""

    articles: int
    topics: list[Value]
    providers: list[Value]
    types: list[Value]
    categories: list[Value]


def _values(conn: sqlite3.Connection, sql: str) -> list[Value]:
    return [Value(str(v), int(n)) for v, n in conn.execute(sql) if v is not None]


def describe(db: Path) -> Dataset:
    """Counts per topic, provider, type and category (types and categories are grouped
    over the articles table's indexes: about a second at a million articles)."""
    with read_only(db) as conn:
        count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return Dataset(
            articles=int(count),
            topics=_values(
                conn, "SELECT slug, article_count FROM topics ORDER BY article_count DESC, slug"
            ),
            providers=_values(
                conn,
                "SELECT domain, article_count FROM providers ORDER BY article_count DESC, domain",
            ),
            types=_values(
                conn, "SELECT type, count(*) n FROM articles GROUP BY type ORDER BY n DESC, type"
            ),
            categories=_values(
                conn,
                "SELECT category, count(*) n FROM articles GROUP BY category"
                " ORDER BY n DESC, category",
            ),
        )


def vocabulary(db: Path) -> list[Value]:
    """Every indexed word with the number of articles containing it, most common first."""
    with read_only(db) as conn:
        conn.execute(f"CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, {FTS_TABLE}, row)")
        return _values(conn, "SELECT term, doc FROM temp.vocab ORDER BY doc DESC, term")


def spread(words: list[Value], count: int, most_common: int = 5) -> list[Value]:
    """``count`` words from the most common to the rarest: the ``most_common`` most
    frequent, then words whose article counts are evenly spaced on a log scale down to
    the rarest (topped up with evenly spaced ones where the counts bunch up). Only plain
    words (letters, at least two, or ``a``) are taken, so every one is a valid search."""
    plain = [w for w in words if (w.value.isalpha() and len(w.value) >= 2) or w.value == "a"]
    if len(plain) <= count:
        return plain
    head, rest = plain[:most_common], plain[most_common:]
    steps = max(1, count - len(head))
    logs = [math.log(max(w.count, 1)) for w in rest]
    top, bottom = logs[0], logs[-1]
    picked: set[int] = set()
    for step in range(steps):
        target = top - (top - bottom) * step / max(1, steps - 1)
        picked.add(min(range(len(rest)), key=lambda i: (abs(logs[i] - target), i)))
    spacing = len(rest) / steps
    for step in range(steps):
        if len(picked) >= steps:
            break
        picked.add(min(len(rest) - 1, int(step * spacing)))
    return head + [rest[i] for i in sorted(picked)][:steps]
