"""Automatic persisted queries: hash only, PersistedQueryNotFound, then hash + document."""

from __future__ import annotations

import hashlib
import json

import httpx

from tests.conftest import Corpus, make_app

Q = "{ articles(first: 2) { totalCount nodes { title } } }"
HASH = hashlib.sha256(Q.encode()).hexdigest()


def ext(digest: str = HASH) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_the_apq_flow_over_post_and_get(corpus: Corpus) -> None:
    app = make_app(corpus.db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        miss = await c.post("/graphql", json={"extensions": ext()})
        assert miss.status_code == 200
        error = miss.json()["errors"][0]
        assert error["message"] == "PersistedQueryNotFound"
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        get_miss = await c.get("/graphql", params={"extensions": json.dumps(ext())})
        assert get_miss.headers["cache-control"] == "no-store", "a CDN must not keep the miss"
        assert "etag" not in get_miss.headers
        full = await c.post("/graphql", json={"query": Q, "extensions": ext()})
        assert full.json()["data"]["articles"]["totalCount"] > 0
        by_hash = await c.get("/graphql", params={"extensions": json.dumps(ext())})
        assert by_hash.status_code == 200
        assert by_hash.json() == full.json()
        assert "etag" in by_hash.headers


async def test_a_wrong_hash_is_refused(corpus: Corpus) -> None:
    app = make_app(corpus.db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        bad = await c.post("/graphql", json={"query": Q, "extensions": ext("0" * 64)})
        assert bad.status_code == 400
        assert "not the SHA-256" in bad.json()["errors"][0]["message"]
        odd = await c.post("/graphql", json={"query": Q, "extensions": {"persistedQuery": 3}})
        assert odd.status_code == 400


async def test_get_answers_the_response_cache_did_not_keep_are_not_for_cdns(
    corpus: Corpus,
) -> None:
    """``no-store`` on a GET answer that is not from the response cache: an error, or a trending
    first page (it depends on the time); a kept answer is public and revalidated by ETag."""
    app = make_app(corpus.db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        kept = await c.get("/graphql", params={"query": Q})
        assert kept.headers["cache-control"].startswith("public")
        trending = "{ articles(first: 2, orderBy: {field: TRENDING}) { nodes { title } } }"
        for query in (trending, "{ articles(first: 0) { totalCount } }"):
            answer = await c.get("/graphql", params={"query": query})
            assert answer.headers["cache-control"] == "no-store", answer.text
            assert "etag" not in answer.headers
        problem = await c.get("/graphql")
        assert problem.status_code == 400
        assert problem.headers["cache-control"] == "no-store"
