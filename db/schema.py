"""Tables, indexes and versioned migrations (``PRAGMA user_version``).

Design notes, for the API's queries:

* ``articles`` keeps every front-matter field; sortable values also exist as
  generated ``sk_*`` columns with NULLs mapped to the lowest value, so that
  keyset pagination compares plain values and each sort has an index
  ``(sk_x, id)``; ``id`` is the unique tie-breaker.
* ``article_topics`` repeats the article's publication sort key so that a
  topic page sorted by date walks one index, however deep the page.
* ``articles_fts`` is an FTS5 index over title, excerpt and body. The writer
  keeps it in step with one statement per batch of files (schema v3 dropped
  the per-row triggers: FTS5 takes about 0.1 ms per row inserted one statement
  at a time, and a 10,000-item load spent 1.2 s of its 1.8 s of writing there).
* ``files`` remembers size, mtime and hash per path for incremental loads;
  ``meta`` holds the content version that changes on every changing load.
* ``facet_counts`` (v4) keeps counts and facets per scope of a simple filter,
  so a feed's sidebar is read, not computed (:mod:`db.aggregates`).
* ``body_html`` and ``featured_content_html`` (v6) hold the body and the embed
  as safe HTML, rendered by the parser processes at load time; ``meta``'s
  ``embed_hosts`` is the digest of the allow-list the embeds were rendered
  with (:mod:`db.renders`).
* v7 indexes the common pairs of sort keys (quality or heat, then date) and
  carries heat and quality in the date index, which a trending page walks
  (:mod:`db.trending`).
* v8 keeps the provider as each file wrote it (``filed_providers``, one row per
  distinct form), beside the shared record per domain (:mod:`db.filed`), and what
  content health lists (:mod:`db.health`): the last load's refused files, and an
  index of the related links that match no article.
* v9 adds stories: ``articles.story_id``, the address keys of articles
  (``article_urls``) and of related items (``related.url_key``), and the title
  bands (``story_bands``) that near-duplicates are found by (:mod:`db.stories`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from core.errors import DatabaseError
from db.aggregates import REBUILD

LOW_INT = -(2**62)

_V1 = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    name TEXT,
    from_site INTEGER NOT NULL DEFAULT 0,
    article_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE provider_images (
    provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    is_cached INTEGER,
    title TEXT,
    attribution TEXT,
    PRIMARY KEY (provider_id, position)
) WITHOUT ROWID;

CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    slug TEXT NOT NULL UNIQUE,
    parent TEXT,
    keywords TEXT,
    hashtags TEXT,
    from_site INTEGER NOT NULL DEFAULT 0,
    article_count INTEGER NOT NULL DEFAULT 0,
    extra TEXT
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    category TEXT,
    title TEXT,
    excerpt TEXT,
    body TEXT,
    published_at TEXT,
    original_url TEXT,
    web_url TEXT,
    amp_web_url TEXT,
    cdn_amp_web_url TEXT,
    type TEXT,
    quality INTEGER,
    heat INTEGER,
    published INTEGER,
    featured_content TEXT,
    secured TEXT,
    provider_id INTEGER REFERENCES providers(id),
    image_count INTEGER NOT NULL DEFAULT 0,
    extra TEXT,
    sk_published TEXT GENERATED ALWAYS AS (IFNULL(published_at, '')) VIRTUAL,
    sk_quality INTEGER GENERATED ALWAYS AS (IFNULL(quality, {LOW_INT})) VIRTUAL,
    sk_heat INTEGER GENERATED ALWAYS AS (IFNULL(heat, {LOW_INT})) VIRTUAL,
    sk_title TEXT GENERATED ALWAYS AS (IFNULL(title, '')) VIRTUAL
);
CREATE INDEX articles_published ON articles (sk_published, id);
CREATE INDEX articles_quality ON articles (sk_quality, id);
CREATE INDEX articles_heat ON articles (sk_heat, id);
CREATE INDEX articles_title ON articles (sk_title, id);
CREATE INDEX articles_category ON articles (category, sk_published, id);
CREATE INDEX articles_type ON articles (type, sk_published, id);
CREATE INDEX articles_provider ON articles (provider_id, sk_published, id);
CREATE INDEX articles_flag ON articles (published, sk_published, id);
CREATE INDEX articles_images ON articles (image_count, sk_published, id);
CREATE INDEX articles_web_url ON articles (web_url);
CREATE INDEX articles_original_url ON articles (original_url);

CREATE TABLE article_topics (
    topic_id INTEGER NOT NULL REFERENCES topics(id),
    sk_published TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (topic_id, sk_published, article_id)
) WITHOUT ROWID;
CREATE INDEX article_topics_article ON article_topics (article_id, position);

CREATE TABLE article_images (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    is_cached INTEGER,
    title TEXT,
    attribution TEXT,
    PRIMARY KEY (article_id, position)
) WITHOUT ROWID;

CREATE TABLE related (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT,
    excerpt TEXT,
    published_at TEXT,
    web_url TEXT,
    amp_web_url TEXT,
    cdn_amp_web_url TEXT,
    type TEXT,
    quality INTEGER,
    provider_id INTEGER REFERENCES providers(id),
    target_id INTEGER,
    extra TEXT,
    UNIQUE (article_id, position)
);
CREATE INDEX related_web_url ON related (web_url);
CREATE INDEX related_provider ON related (provider_id);

CREATE TABLE related_images (
    related_id INTEGER NOT NULL REFERENCES related(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    is_cached INTEGER,
    title TEXT,
    attribution TEXT,
    PRIMARY KEY (related_id, position)
) WITHOUT ROWID;

CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL
) WITHOUT ROWID;

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, excerpt, body,
    content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, excerpt, body)
    VALUES (new.id, new.title, new.excerpt, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body)
    VALUES ('delete', old.id, old.title, old.excerpt, old.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, excerpt, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body)
    VALUES ('delete', old.id, old.title, old.excerpt, old.body);
    INSERT INTO articles_fts (rowid, title, excerpt, body)
    VALUES (new.id, new.title, new.excerpt, new.body);
END;

INSERT INTO meta (key, value) VALUES ('content_version', '0'), ('loaded_at', '');
"""

_V2 = """
-- counting and faceting many articles by id reads this narrow index, not the wide rows
CREATE INDEX articles_facets ON articles
    (id, provider_id, type, category, published, image_count, sk_published, sk_quality, sk_heat);

-- what each changing load did, for live clients (subscriptions) in any process
CREATE TABLE changes (
    version INTEGER PRIMARY KEY,
    loaded_at TEXT NOT NULL,
    added TEXT NOT NULL,
    updated TEXT NOT NULL,
    removed TEXT NOT NULL
);
"""

_V3 = """
-- the writer keeps articles_fts in step with one INSERT ... SELECT per batch
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
-- no query looks related items up by URL (links are resolved from the articles side)
DROP INDEX related_web_url;
"""

_V4 = """
-- counts and facets per scope of a simple filter, kept by the writer (db/aggregates.py):
-- scope 'all' / 'topic' / 'provider' / 'category' / 'type' / 'year' / 'month' and its key,
-- facet 'count' / 'topics' / 'providers' / 'categories' / 'types' / 'years' / 'months'
-- and its value (ids for topics and providers), and how many articles
CREATE TABLE facet_counts (
    scope TEXT NOT NULL,
    scope_key NOT NULL,
    facet TEXT NOT NULL,
    value NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_key, facet, value)
) WITHOUT ROWID;
""" + "".join(f"{statement};\n" for statement in REBUILD)

_V5 = """
-- a provider's articles by quality or heat without sorting all of them (ProviderPage)
CREATE INDEX IF NOT EXISTS articles_provider_quality ON articles (provider_id, sk_quality, id);
CREATE INDEX IF NOT EXISTS articles_provider_heat ON articles (provider_id, sk_heat, id);
-- statistics for them, or the planner takes one for a provider's page by date and sorts
ANALYZE articles_provider_quality;
ANALYZE articles_provider_heat;
"""

_V6 = """
-- the body and the featured embed as safe HTML, rendered when a file is parsed
ALTER TABLE articles ADD COLUMN body_html TEXT;
ALTER TABLE articles ADD COLUMN featured_content_html TEXT;
-- the articles that have something to render forget their file's hash and mtime, so the
-- next load parses (and renders) them again in its parser processes: the others' new
-- columns are rightly NULL. One UPDATE through the files table; no file is read here.
UPDATE files SET mtime_ns = -1, sha256 = '' WHERE article_id IN
    (SELECT id FROM articles WHERE body IS NOT NULL OR featured_content IS NOT NULL);
-- a topic's children (Topic.children) by the name of their parent, as parents are matched
CREATE INDEX IF NOT EXISTS topics_parent ON topics (parent COLLATE NOCASE);
"""

_V7 = """
-- the common pairs of sort keys, best (or hottest) then newest, in either direction,
-- without sorting a group of equal values (at 1M, 100,000 articles share heat -1)
CREATE INDEX IF NOT EXISTS articles_quality_published ON articles (sk_quality, sk_published, id);
CREATE INDEX IF NOT EXISTS articles_heat_published ON articles (sk_heat, sk_published, id);
-- a trending page walks articles newest first for their heat and quality: from the date
-- index alone, not a look-up of each wide row (at 1M, 2x faster)
DROP INDEX IF EXISTS articles_published;
CREATE INDEX articles_published ON articles (sk_published, id, sk_heat, sk_quality);
ANALYZE articles_quality_published;
ANALYZE articles_heat_published;
ANALYZE articles_published;
"""

_V8 = """
-- the provider as each file wrote it (name, domain, logos), beside the shared record of its
-- domain: one row per distinct form, which the articles and related items of files that
-- write it the same way share (a site names its provider one way in thousands of files)
CREATE TABLE IF NOT EXISTS filed_providers (
    id INTEGER PRIMARY KEY,
    form TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    name TEXT,
    images TEXT
);
ALTER TABLE articles ADD COLUMN filed_provider_id INTEGER;
ALTER TABLE related ADD COLUMN filed_provider_id INTEGER;
-- content health (db/health.py): the files the last load refused, and the related links
-- that match no article, listed without reading every related item
CREATE TABLE IF NOT EXISTS load_problems (
    path TEXT NOT NULL,
    line INTEGER,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS load_problems_path ON load_problems (path, reason);
CREATE INDEX IF NOT EXISTS related_unmatched ON related (id) WHERE target_id IS NULL;
-- files that name a provider are parsed again by the next load, which fills the columns
UPDATE files SET mtime_ns = -1, sha256 = '' WHERE article_id IN
    (SELECT id FROM articles WHERE provider_id IS NOT NULL
     UNION SELECT article_id FROM related WHERE provider_id IS NOT NULL);
"""

_V9 = """
-- stories (db/stories.py): each article's story (the least id among its members), the
-- matching keys of its addresses (core/urls.py) and the MinHash bands of its title
-- (core/titles.py) with its day of publication, and each related item's address key
ALTER TABLE articles ADD COLUMN story_id INTEGER;
ALTER TABLE related ADD COLUMN url_key TEXT;
CREATE TABLE IF NOT EXISTS article_urls (article_id INTEGER NOT NULL, url TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS article_urls_url ON article_urls (url, article_id);
CREATE INDEX IF NOT EXISTS article_urls_article ON article_urls (article_id);
CREATE TABLE IF NOT EXISTS story_bands (
    article_id INTEGER NOT NULL, band INTEGER NOT NULL, day INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS story_bands_band ON story_bands (band, day, article_id);
CREATE INDEX IF NOT EXISTS story_bands_article ON story_bands (article_id);
-- a story's members best first: the representative of a deduplicated list is found here
CREATE INDEX IF NOT EXISTS articles_story ON articles (story_id, sk_quality, sk_published, id);
-- until the next load computes the keys of the articles held (from their columns, no file
-- is read: db/stories.py), every article is a story of its own
UPDATE articles SET story_id = id WHERE story_id IS NULL;
INSERT OR REPLACE INTO meta (key, value) VALUES ('story_keys', 'pending');
"""

MIGRATIONS: Sequence[str] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9)
"""Migration ``i`` moves a database from ``user_version`` i to i+1."""

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date in one transaction; return the version."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"the database is at schema version {current}, newer than this newsgraph "
            f"({SCHEMA_VERSION}); upgrade newsgraph or load into a new --db file"
        )
    if current == SCHEMA_VERSION:
        return current
    try:
        conn.execute("BEGIN IMMEDIATE")
        for version in range(current, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[version]):
                if not _adds_a_column_present(conn, statement):
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK") if conn.in_transaction else None
        raise DatabaseError(f"cannot migrate the database schema: {exc}") from exc
    return SCHEMA_VERSION


_ADD_COLUMN = re.compile(r"^ALTER TABLE (\w+) ADD COLUMN (\w+)", re.IGNORECASE | re.MULTILINE)


def _adds_a_column_present(conn: sqlite3.Connection, statement: str) -> bool:
    """Whether a statement adds a column the table has already: SQLite has no
    ``ADD COLUMN IF NOT EXISTS``, and a migration must be safe to run again (as over a
    database whose version was set back)."""
    found = _ADD_COLUMN.search(statement)
    if found is None:
        return False
    table, column = found.groups()
    names = {row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})")}
    return column in names


def _statements(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                out.append(pending.strip())
            pending = ""
    return out
