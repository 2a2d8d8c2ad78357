"""GraphQL over HTTP: each rule of the specification we follow, by name."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from core.config import parse_cors_origins
from core.errors import ConfigError
from tests.conftest import Corpus, make_app

Q = "{ articles(first: 1) { totalCount } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
async def http(corpus: Corpus) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(corpus.db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def post(http: httpx.AsyncClient, body: Any, **headers: str) -> httpx.Response:
    return await http.post(
        "/graphql",
        content=json.dumps(body),
        headers={"Content-Type": "application/json", **headers},
    )


async def test_accept_graphql_response_json_is_honoured(http: httpx.AsyncClient) -> None:
    r = await post(http, {"query": Q}, Accept=GRAPHQL_RESPONSE)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert r.json()["data"]["articles"]["totalCount"] > 0


async def test_plain_json_when_the_client_accepts_only_json(http: httpx.AsyncClient) -> None:
    for accept in ("application/json", "*/*", ""):
        r = await post(http, {"query": Q}, Accept=accept)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/json")


async def test_preferred_media_type_wins_by_quality(http: httpx.AsyncClient) -> None:
    r = await post(http, {"query": Q}, Accept=f"application/json;q=0.5, {GRAPHQL_RESPONSE}")
    assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_unservable_accept_is_406(http: httpx.AsyncClient) -> None:
    r = await post(http, {"query": Q}, Accept="text/xml")
    assert r.status_code == 406


@pytest.mark.parametrize(
    "query", ["{ articles(first: 1) { totalCount ", "{ nope }", "{ articles { nodes } }"]
)
async def test_parse_and_validation_errors_are_400_without_data(
    http: httpx.AsyncClient, query: str
) -> None:
    r = await post(http, {"query": query}, Accept=GRAPHQL_RESPONSE)
    assert r.status_code == 400
    body = r.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] in (
        "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED",
    )  # fmt: skip


async def test_legacy_json_keeps_200_for_request_errors(http: httpx.AsyncClient) -> None:
    r = await post(http, {"query": "{ nope }"}, Accept="application/json")
    assert r.status_code == 200
    assert "data" not in r.json()


async def test_field_errors_keep_data_and_200(http: httpx.AsyncClient) -> None:
    r = await post(
        http, {"query": "{ articles(first: 500) { totalCount } }"}, Accept=GRAPHQL_RESPONSE
    )
    assert r.status_code == 200
    body = r.json()
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["articles"]


async def test_get_runs_queries(http: httpx.AsyncClient) -> None:
    r = await http.get(
        "/graphql",
        params={
            "query": "query($n: Int) { articles(first: $n) { totalCount } }",
            "variables": json.dumps({"n": 2}),
        },
    )
    assert r.status_code == 200
    assert r.json()["data"]["articles"]["totalCount"] > 0


async def test_mutation_by_get_is_405(http: httpx.AsyncClient) -> None:
    r = await http.get("/graphql", params={"query": "mutation { x }"})
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert "data" not in r.json()


async def test_other_methods_are_405(http: httpx.AsyncClient) -> None:
    r = await http.put("/graphql", content=b"{}")
    assert r.status_code == 405
    assert "GET" in r.headers["allow"]


async def test_form_posts_are_refused_against_csrf(http: httpx.AsyncClient) -> None:
    r = await http.post("/graphql", data={"query": Q})
    assert r.status_code == 415
    r = await http.post("/graphql", content=Q, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


async def test_batching_is_refused(http: httpx.AsyncClient) -> None:
    r = await post(http, [{"query": Q}, {"query": Q}])
    assert r.status_code == 400
    assert "batched" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": 3}, "`query` must be a string"),
        ({"query": Q, "variables": [1]}, "`variables` must be a JSON object"),
        ({}, "no GraphQL query"),
        ("just a string", "JSON object"),
    ],
)
async def test_malformed_bodies_are_400(http: httpx.AsyncClient, body: Any, message: str) -> None:
    r = await post(http, body)
    assert r.status_code == 400
    assert message in r.json()["errors"][0]["message"]


async def test_invalid_json_is_400(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
async def test_non_json_numbers_are_400(http: httpx.AsyncClient, constant: str) -> None:
    body = f'{{"query": "{{ __typename }}", "variables": {{"x": {constant}}}}}'.encode()
    r = await http.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert "not valid JSON" in r.json()["errors"][0]["message"]
    r = await http.get(
        "/graphql", params={"query": "{ __typename }", "variables": f'{{"x": {constant}}}'}
    )
    assert r.status_code == 400


async def test_huge_integers_are_json_and_reach_graphql(http: httpx.AsyncClient) -> None:
    body = b'{"query": "query($n: Int!) { articles(first: $n) { totalCount } }", "variables": {"n": 1180591620717411303424}}'
    r = await http.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert "Int cannot represent" in r.json()["errors"][0]["message"]


async def test_oversized_body_is_413_by_content_length(http: httpx.AsyncClient) -> None:
    big = {"query": Q, "variables": {"pad": "x" * 200_000}}
    r = await post(http, big)
    assert r.status_code == 413


async def test_oversized_streamed_body_is_413(http: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "' + b" " * 60_000
        yield b" " * 60_000 + b'"}'

    r = await http.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


async def test_graphiql_for_browsers(http: httpx.AsyncClient) -> None:
    r = await http.get("/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "graphiql" in r.text.lower()


async def test_cors_allows_any_origin_without_credentials(http: httpx.AsyncClient) -> None:
    r = await http.options(
        "/graphql",
        headers={"Origin": "https://news.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    r = await post(http, {"query": Q}, Origin="https://news.example")
    assert r.headers["access-control-allow-origin"] == "*"


async def test_cors_origins_can_be_restricted(corpus: Corpus) -> None:
    """``--cors-origin``: a page on a listed origin may call the API, another may not."""
    app = make_app(corpus.db, cors_origins=("http://127.0.0.1:5173",))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for origin, allowed in (("http://127.0.0.1:5173", True), ("https://evil.example", False)):
            r = await http.options(
                "/graphql",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                         "Access-Control-Request-Headers": "content-type"},
            )  # fmt: skip
            assert (r.status_code == 200) is allowed, r.text
            r = await http.get("/graphql", params={"query": Q}, headers={"Origin": origin})
            assert r.status_code == 200
            assert r.headers.get("access-control-allow-origin") == (origin if allowed else None)


@pytest.mark.parametrize(
    ("flags", "env", "expected"),
    [
        (None, {}, ("*",)),
        (None, {"NEWSGRAPH_CORS_ORIGINS": "https://a.example, http://127.0.0.1:5173/"},
         ("https://a.example", "http://127.0.0.1:5173")),
        (["https://b.example"], {"NEWSGRAPH_CORS_ORIGINS": "https://a.example"},
         ("https://b.example",)),
        (["*"], {}, ("*",)),
    ],
)  # fmt: skip
def test_cors_origins_from_flags_and_environment(
    flags: list[str] | None, env: dict[str, str], expected: tuple[str, ...]
) -> None:
    assert parse_cors_origins(flags, env) == expected


@pytest.mark.parametrize(
    "bad", ["news.example.com", "https://a.example/path", "ftp://a.example", ","]
)
def test_a_cors_origin_that_is_not_an_origin_says_what_to_write(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"https://news\.example\.com"):
        parse_cors_origins([bad], {})


async def test_production_mode(corpus: Corpus) -> None:
    app = make_app(corpus.db, production=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 404
        intro = await post(http, {"query": "{ __schema { types { name } } }"})
        assert "introspection" in intro.json()["errors"][0]["message"].lower()
        typo = await post(http, {"query": "{ artcles { totalCount } }"})
        message = typo.json()["errors"][0]["message"]
        assert "Did you mean" not in message
        assert "artcles" in message
        fine = await post(http, {"query": Q})
        assert fine.json()["data"]["articles"]["totalCount"] > 0


async def test_graphiql_opens_on_the_homepage_example(http: httpx.AsyncClient) -> None:
    page = (await http.get("/graphql", headers={"Accept": "text/html"})).text
    assert "query Homepage" in page
    assert 'visiblePlugin: "Documentation Explorer"' in page
    assert "newsgraph GraphiQL" in page
