"""Headers for shared caches: X-Content-Version, ETags with the digest, Cache-Control, Vary."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx

from loaders.loader import LoadOptions, load
from tests.conftest import TOKEN, Corpus, MakeItem, make_app

Q = "{ articles(first: 2) { nodes { title } } }"
PERSISTED = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(Q.encode()).hexdigest()}}


def client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_every_response_names_the_content_digest(corpus: Corpus) -> None:
    app = make_app(corpus.db)
    async with client(app) as c:
        info = await c.post("/graphql", json={"query": "{ contentInfo { digest version } }"})
        digest = info.json()["data"]["contentInfo"]["digest"]
        assert len(digest) == 32
        assert info.headers["x-content-version"] == digest
        for response in (
            await c.get("/healthz"),
            await c.get("/metrics"),
            await c.get("/graphql", params={"query": "{ nope }"}),
            await c.post("/graphql", content=b"not json", headers={"content-type": "x/y"}),
            await c.options(
                "/graphql",
                headers={"Origin": "https://a.example", "Access-Control-Request-Method": "POST"},
            ),
        ):
            assert response.headers["x-content-version"] == digest, response.text
        got = await c.get("/graphql", params={"query": Q})
        assert got.headers["etag"].startswith(f'"{digest[:16]}-')
        again = await c.get(
            "/graphql", params={"query": Q}, headers={"If-None-Match": got.headers["etag"]}
        )
        assert again.status_code == 304
        assert again.headers["x-content-version"] == digest


async def test_persisted_gets_may_be_kept_by_a_shared_cache(corpus: Corpus) -> None:
    app = make_app(corpus.db, access_token=TOKEN, shared_max_age=120, stale_while_revalidate=7)
    by_hash = {"extensions": json.dumps(PERSISTED)}
    async with client(app) as c:
        miss = await c.get("/graphql", params=by_hash)
        assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
        assert miss.headers["cache-control"] == "no-store"  # or a CDN would keep the miss
        await c.post("/graphql", json={"query": Q, "extensions": PERSISTED})
        hit = await c.get("/graphql", params=by_hash)
        assert hit.headers["cache-control"] == (
            "public, max-age=0, s-maxage=120, stale-while-revalidate=7"
        )
        vary = {v.strip() for v in hit.headers["vary"].split(",")}
        assert {"Accept", "Authorization"} <= vary  # (CORS adds Origin)
        plain = await c.get("/graphql", params={"query": Q})
        assert plain.headers["cache-control"] == "public, max-age=0, must-revalidate"
        for token in (TOKEN, "wrong"):
            private = await c.get(
                "/graphql", params=by_hash, headers={"Authorization": f"Bearer {token}"}
            )
            assert private.status_code == 200
            assert private.headers["cache-control"] == "private, no-store"
        failed = await c.get("/graphql", params={"query": "{ article(slug: 3) { title } }"})
        assert failed.headers["cache-control"] == "no-store"


async def test_new_content_gives_a_new_etag(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    await load(content, db_path, LoadOptions(workers=1))
    app = make_app(db_path)
    async with client(app) as c:
        first = await c.get("/graphql", params={"query": "{ contentInfo { articleCount } }"})
        make_item(2)
        await load(content, db_path, LoadOptions(workers=1))
        second = await c.get("/graphql", params={"query": "{ contentInfo { articleCount } }"})
        assert first.headers["etag"] != second.headers["etag"]
        assert first.headers["x-content-version"] != second.headers["x-content-version"]
        stale = await c.get(
            "/graphql",
            params={"query": "{ contentInfo { articleCount } }"},
            headers={"If-None-Match": first.headers["etag"]},
        )
        assert stale.status_code == 200
