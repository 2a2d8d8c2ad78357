"""The throughput floor for the GraphQL server: the homepage feed with hand-written SQL.

Why: "the GraphQL server does N requests/s" means little on its own; the machine,
SQLite and the HTTP stack set a ceiling no API layer can pass. This is a bare
Starlette app (no GraphQL, no DataLoaders, no per-field resolvers) that answers the
README's homepage query — the 20 newest articles with provider, lead image, images,
topics and up to 3 related items — straight from the newsgraph SQLite schema with one
query per table, under the same uvicorn settings (one worker, no access log). The
GraphQL server's throughput divided by this one's says what the API layer costs.

Like the server, which keeps counts per content version, the floor counts the articles
once per database version (``PRAGMA data_version``) instead of on every request: at a
million articles a ``count(*)`` per request would make the floor slower than the API it
is the floor of.

The JSON it returns has the shape ``{"data": {"articles": ...}}`` of the GraphQL answer
to :data:`bench.serve.HOMEPAGE` (same fields, same values), so a test can check that the
two do the same work. ``POST /homepage`` takes an optional JSON body
``{"first": 20, "minWidth": 300}``; ``GET /healthz`` says whether the database reads.

Run: ``python -m bench.floor --db FILE --port P``.
"""

from __future__ import annotations

import argparse
import base64
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

try:
    import orjson

    _dumps: Callable[[Any], bytes] = orjson.dumps
except ImportError:  # pragma: no cover - orjson is optional

    def _dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


MAX_FIRST = 100
RELATED_PER_ARTICLE = 3

_PAGE = (
    "SELECT id, slug, title, excerpt, published_at, web_url, provider_id, image_count,"
    " sk_published FROM articles ORDER BY sk_published DESC, id DESC LIMIT ?"
)
_RELATED = (
    "SELECT article_id, title, web_url, provider_id, target_id FROM related"
    " WHERE article_id IN ({}) AND position < ? ORDER BY article_id, position"
)
_PROVIDERS = "SELECT id, name, domain FROM providers WHERE id IN ({})"
_IMAGES = (
    "SELECT article_id, position, url, width, height, is_cached FROM article_images"
    " WHERE article_id IN ({}) ORDER BY article_id, position"
)
_TOPICS = (
    "SELECT x.article_id, t.name, t.slug FROM article_topics x JOIN topics t"
    " ON t.id = x.topic_id WHERE x.article_id IN ({}) ORDER BY x.article_id, x.position"
)
_SLUGS = "SELECT id, slug FROM articles WHERE id IN ({})"

Image = tuple[int, int, str, int | None, int | None, int | None]
"""(article id, position, url, width, height, is_cached), as selected by ``_IMAGES``."""


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _lead(images: list[Image], min_width: int) -> dict[str, Any] | None:
    """The widest picture of at least ``min_width`` pixels (cached, then earlier, wins ties)."""
    best: Image | None = None
    best_key = (-1, -1, 0)
    for img in images:
        width, height = img[3] or 0, img[4] or 0
        if min_width > 0 and width < min_width:
            continue
        key = (width * height, img[5] or 0, -img[1])
        if key > best_key:
            best, best_key = img, key
    return None if best is None else {"url": best[2], "width": best[3], "height": best[4]}


def article_count(conn: sqlite3.Connection, counted: dict[int, int]) -> int:
    """The number of articles, counted once per database version: ``counted`` maps the
    connection's ``PRAGMA data_version`` (which changes when another connection commits)
    to the count. Call it inside the read transaction, so both come from one snapshot."""
    version = int(conn.execute("PRAGMA data_version").fetchone()[0])
    total = counted.get(version)
    if total is None:
        total = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        counted.clear()
        counted[version] = total
    return total


def homepage(
    conn: sqlite3.Connection,
    first: int = 20,
    min_width: int = 300,
    counted: dict[int, int] | None = None,
) -> dict[str, Any]:
    """The feed's first page, in one read transaction, as the GraphQL answer's ``data``
    (pass the same ``counted`` dict on every call to count once per database version)."""
    conn.execute("BEGIN")
    try:
        total = article_count(conn, {} if counted is None else counted)
        rows = conn.execute(_PAGE, (first + 1,)).fetchall()
        more, rows = len(rows) > first, rows[:first]
        ids = [r[0] for r in rows]
        marks = _marks(ids)
        related = conn.execute(_RELATED.format(marks), (*ids, RELATED_PER_ARTICLE)).fetchall()
        provider_ids = list({r[6] for r in rows if r[6] is not None})
        provider_ids += list({r[3] for r in related if r[3] is not None} - set(provider_ids))
        providers = {
            p[0]: p for p in conn.execute(_PROVIDERS.format(_marks(provider_ids)), provider_ids)
        }
        pictured = [r[0] for r in rows if r[7]]
        images: dict[int, list[Image]] = {}
        for img in conn.execute(_IMAGES.format(_marks(pictured)), pictured):
            images.setdefault(img[0], []).append(img)
        topics: dict[int, list[dict[str, str]]] = {}
        for article_id, name, slug in conn.execute(_TOPICS.format(marks), ids):
            topics.setdefault(article_id, []).append({"name": name, "slug": slug})
        targets = list({r[4] for r in related if r[4] is not None})
        slugs = dict(conn.execute(_SLUGS.format(_marks(targets)), targets).fetchall())
    finally:
        conn.execute("COMMIT")
    related_by: dict[int, list[dict[str, Any]]] = {}
    for article_id, title, web_url, provider_id, target_id in related:
        prov = providers.get(provider_id) if provider_id is not None else None
        slug = slugs.get(target_id) if target_id is not None else None
        related_by.setdefault(article_id, []).append(
            {
                "title": title,
                "webUrl": web_url,
                "provider": None if prov is None else {"name": prov[1]},
                "article": None if slug is None else {"slug": slug},
            }
        )
    nodes = []
    for art_id, slug, title, excerpt, published_at, web_url, provider_id, _n, _sk in rows:
        prov = providers.get(provider_id) if provider_id is not None else None
        pics = images.get(art_id, [])
        nodes.append(
            {
                "id": _b64(f"Article:{art_id}"),
                "slug": slug,
                "title": title,
                "excerpt": excerpt,
                "publishedAt": published_at,
                "webUrl": web_url,
                "provider": None if prov is None else {"name": prov[1], "domain": prov[2]},
                "leadImage": _lead(pics, min_width),
                "images": [{"url": i[2], "width": i[3], "height": i[4]} for i in pics],
                "topics": topics.get(art_id, []),
                "related": related_by.get(art_id, []),
            }
        )
    end = None
    if rows:
        last = rows[-1]
        end = _b64(json.dumps(["ng1", "PUBLISHED_AT", last[8], last[0]], separators=(",", ":")))
    return {
        "articles": {
            "totalCount": total,
            "pageInfo": {"hasNextPage": more, "endCursor": end},
            "nodes": nodes,
        }
    }


def connect(db: str | Path) -> sqlite3.Connection:
    """A read-only connection with the page cache size newsgraph's readers use."""
    path = Path(db)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}; run `newsgraph load` first")
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
        check_same_thread=False,
    )  # fmt: skip
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def _json_error(message: str) -> Response:
    return Response(_dumps({"error": message}), status_code=400, media_type="application/json")


class Floor:
    """The floor's request handlers around one read-only connection, opened lazily."""

    def __init__(self, db: str | Path) -> None:
        self.db = db
        self._conn: sqlite3.Connection | None = None
        self._counted: dict[int, int] = {}

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection (opened on first use, so no lifespan is needed)."""
        if self._conn is None:
            self._conn = connect(self.db)
        return self._conn

    def close(self) -> None:
        """Close the connection, if it was opened."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def feed(self, request: Request) -> Response:
        """``POST /homepage``: the feed's first page as JSON."""
        raw = await request.body()
        try:
            args = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return _json_error("the body must be JSON")
        if not isinstance(args, dict):
            return _json_error("the body must be a JSON object")
        first, min_width = args.get("first", 20), args.get("minWidth", 300)
        if not isinstance(first, int) or not 0 <= first <= MAX_FIRST:
            return _json_error(f"first must be a whole number from 0 to {MAX_FIRST}")
        if not isinstance(min_width, int):
            return _json_error("minWidth must be a whole number")
        data = homepage(self.conn, first, min_width, self._counted)
        return Response(_dumps({"data": data}), media_type="application/json")

    async def healthz(self, request: Request) -> Response:
        """``GET /healthz``: 200 with the article count when the database reads."""
        count = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return Response(_dumps({"status": "ok", "articles": count}), media_type="application/json")


def create_app(db: str | Path) -> Starlette:
    """The floor app; ``app.state.floor`` holds the handlers (and ``close()``)."""
    floor = Floor(db)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        floor.close()

    app = Starlette(
        routes=[
            Route("/homepage", floor.feed, methods=["POST"]),
            Route("/healthz", floor.healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.floor = floor
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the floor app with uvicorn, one worker, on 127.0.0.1 by default."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a newsgraph SQLite database")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if not args.db.exists():
        parser.error(f"no database at {args.db}")
    uvicorn.run(
        create_app(args.db),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
