"""The response cache: hits, invalidation by content version, ETags and 304s."""

from __future__ import annotations

from pathlib import Path

import httpx

from api.http.cache import ResponseCache, make_key
from loaders.loader import LoadOptions, load
from tests.conftest import TOKEN, MakeItem, make_app

Q = "{ articles(first: 3) { totalCount nodes { title } } }"


async def test_repeated_requests_hit_and_a_load_invalidates(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    for n in range(3):
        make_item(n)
    await load(content, db_path, LoadOptions(workers=1))
    app = make_app(db_path)
    cache: ResponseCache = app.state.cache
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        first = await c.post("/graphql", json={"query": Q})
        second = await c.post("/graphql", json={"query": Q})
        assert first.content == second.content
        assert (cache.hits, len(cache)) == (1, 1)
        make_item(7, title="Fresh story", publishedDateTime="2025-06-01T00:00:00Z")
        await load(content, db_path, LoadOptions(workers=1))
        third = await c.post("/graphql", json={"query": Q})
        assert third.json()["data"]["articles"]["totalCount"] == 4
        assert third.json()["data"]["articles"]["nodes"][0]["title"] == "Fresh story"


async def test_errors_are_not_cached_and_the_token_is_part_of_the_key(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    await load(content, db_path, LoadOptions(workers=1))
    app = make_app(db_path, access_token=TOKEN)
    cache: ResponseCache = app.state.cache
    query = "{ articles(first: 1) { nodes { secured } } }"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        refused = await c.post("/graphql", json={"query": query})
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert len(cache) == 0
        allowed = await c.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert "errors" not in allowed.json()
        again = await c.post("/graphql", json={"query": query})
        assert again.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_get_has_an_etag_and_answers_304(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    await load(content, db_path, LoadOptions(workers=1))
    app = make_app(db_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        first = await c.get("/graphql", params={"query": Q})
        etag = first.headers["etag"]
        assert first.headers["cache-control"].startswith("public")
        again = await c.get("/graphql", params={"query": Q}, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        other = await c.get("/graphql", params={"query": Q}, headers={"If-None-Match": '"x"'})
        assert other.status_code == 200


def test_cache_is_bounded_by_entries_and_bytes() -> None:
    cache = ResponseCache(max_entries=3, max_bytes=10_000)
    cache.follow(1)
    for n in range(5):
        cache.put(make_key(f"q{n}", None, None, False), b"x" * 100)
    assert len(cache) == 3
    assert cache.get(make_key("q0", None, None, False)) is None
    cache.put(make_key("big", None, None, False), b"x" * 5000)
    assert cache.get(make_key("big", None, None, False)) is None, "over a tenth of the budget"
    cache.follow(2)
    assert len(cache) == 0


def test_key_is_canonical_in_variables() -> None:
    assert make_key("q", {"a": 1, "b": 2}, None, False) == make_key(
        "q", {"b": 2, "a": 1}, None, False
    )
    assert make_key("q", None, None, True) != make_key("q", None, None, False)


def test_cache_keys_tell_variables_apart() -> None:
    keys = {
        make_key("q", v, None, False)
        for v in ({"a": 1}, {"a": 1.0}, {"a": "1"}, {"a": None}, {"a": True}, {"a": [1]},
                  {"a": 2**70}, {"a": 1, "b": 2}, None)
    }  # fmt: skip
    assert len(keys) == 9
    assert make_key("q", {"a": 1, "b": 2}, None, False) == make_key(
        "q", {"b": 2, "a": 1}, None, False
    )
