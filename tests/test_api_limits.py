"""Query limits: each limit passes, the limit + 1 is refused clearly, before any SQL.

Also the classic hostile payloads, each refused quickly.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import get_introspection_query, parse
from graphql.language import Lexer, Source, TokenKind

from api.schema.build import build_schema
from api.schema.limits import INTROSPECTION_DEPTH, cost_of
from core.config import Limits
from tests.conftest import Corpus, client_for, data, error_codes, make_app

LIMITS = Limits()


@pytest.fixture
def traced(corpus: Corpus) -> tuple[Any, list[str]]:
    app = make_app(corpus.db)
    statements: list[str] = []
    app.state.pool.tracer = statements.append
    return client_for(app), statements


def chain(depth: int) -> str:
    """A query exactly ``depth`` fields deep: article > related > article > ... > title."""
    fields = ['article(slug: "x")']
    while len(fields) < depth - 1:
        fields.append("related" if len(fields) % 2 else "article")
    return "{ " + " { ".join(fields) + " { __typename title }" + " }" * len(fields)


async def refused(gql: Any, query: str, code: str = "QUERY_TOO_COMPLEX", **kw: Any) -> str:
    body = await gql(query, **kw)
    assert "data" not in body or body["data"] is None, body
    assert code in error_codes(body), body
    return str(body["errors"][0]["message"])


async def test_depth(traced: tuple[Any, list[str]]) -> None:
    gql, statements = traced
    body = await gql(chain(LIMITS.max_depth))
    assert "errors" not in body
    statements.clear()
    message = await refused(gql, chain(LIMITS.max_depth + 1))
    assert f"{LIMITS.max_depth + 1} levels deep; the limit is {LIMITS.max_depth}" in message
    assert statements == []


async def test_standard_introspection_passes_and_deep_introspection_is_refused(
    traced: tuple[Any, list[str]],
) -> None:
    gql, _ = traced
    for options in ({}, {"descriptions": True, "input_value_deprecation": True,
                         "directive_is_repeatable": True, "schema_description": True}):  # fmt: skip
        body = await gql(get_introspection_query(**options))
        assert data(body)["__schema"]["queryType"]["name"] == "Query"
    deep = "{ __schema { types { " + "fields { type { " * 10 + "name" + " } }" * 10 + " } } }"
    message = await refused(gql, deep)
    assert f"the limit is {INTROSPECTION_DEPTH}" in message


def aliases(n: int) -> str:
    return "{ " + " ".join(f"a{i}: contentInfo {{ version }}" for i in range(n)) + " }"


async def test_aliases(traced: tuple[Any, list[str]]) -> None:
    gql, statements = traced
    assert "errors" not in await gql(aliases(LIMITS.max_aliases))
    statements.clear()
    await refused(gql, aliases(LIMITS.max_aliases + 1))
    assert statements == []


async def test_aliases_through_fragment_spreads(traced: tuple[Any, list[str]]) -> None:
    gql, _ = traced
    fragment = "fragment F on Query { " + " ".join(
        f"b{i}: contentInfo {{ version }}" for i in range(8)
    ) + " }"  # fmt: skip
    assert "errors" not in await gql("query { ...F } " + fragment)
    message = await refused(gql, "query { ...F ... { ...F } } " + fragment)
    assert "16 aliases" in message


def directives(n: int) -> str:
    return "{ contentInfo { " + "version @skip(if: false) " * n + "} }"


async def test_directives(traced: tuple[Any, list[str]]) -> None:
    gql, _ = traced
    assert "errors" not in await gql(directives(LIMITS.max_directives))
    message = await refused(gql, directives(LIMITS.max_directives + 1))
    assert f"the limit is {LIMITS.max_directives}" in message


def token_count(query: str) -> int:
    lexer = Lexer(Source(query))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def tokens(n: int) -> str:
    """A valid query of exactly ``n`` tokens (filler: lists of category values)."""
    base = "{ articles(first: 1, filter: {and: [%s]}) { totalCount } }"
    need = n - token_count(base % "")
    parts = []
    while need > 0:
        k = min(100, need - 6)
        assert k >= 1
        values = " ".join(['"x"'] * k)
        parts.append(f"{{categoryIn: [{values}]}}")
        need -= k + 6
    query = base % " ".join(parts)
    assert token_count(query) == n
    return query


async def test_tokens(traced: tuple[Any, list[str]]) -> None:
    gql, _ = traced
    assert "errors" not in await gql(tokens(LIMITS.max_tokens))
    message = await refused(gql, tokens(LIMITS.max_tokens + 1))
    assert "more than 1000 tokens" in message


CONNECTIONS = [
    "{ articles(%s) { totalCount } }",
    "{ providers(%s) { totalCount } }",
    "{ topics(%s) { totalCount } }",
    "{ providers(first: 1) { nodes { articles(%s) { totalCount } } } }",
    "{ topics(first: 1) { nodes { articles(%s) { totalCount } } } }",
    "{ articles(first: 1) { nodes { images(%s) { url } related(first: 1) { title } } } }",
    "{ articles(first: 1) { nodes { related(%s) { title } } } }",
    "{ articles(first: 1) { facets { topics(%s) { value } } } }",
]


@pytest.mark.parametrize("template", CONNECTIONS)
async def test_first_and_last_are_1_to_100_on_every_list(
    traced: tuple[Any, list[str]], template: str
) -> None:
    gql, _ = traced
    assert "errors" not in await gql(template % "first: 100")
    assert "errors" not in await gql(template % "first: 1")
    for bad in ("first: 101", "first: 0"):
        body = await gql(template % bad)
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert "between 1 and 100" in body["errors"][0]["message"]
    if "articles(%s)" in template:
        body = await gql(template % "last: 101")
        assert error_codes(body) == ["BAD_USER_INPUT"]


WORST = (
    "{ articles(first: 100) { nodes { provider { articles(first: 100) { nodes { "
    "topics { articles(first: 100) { nodes { title } } } } } } } } }"
)


async def test_cost_is_refused_before_any_sql(traced: tuple[Any, list[str]]) -> None:
    gql, statements = traced
    statements.clear()
    message = await refused(gql, WORST)
    assert "the limit is 50,000" in message
    assert statements == [], "an over-budget query must not touch the database"


async def test_cost_uses_variables(traced: tuple[Any, list[str]]) -> None:
    gql, _ = traced
    query = (
        "query($n: Int) { articles(first: $n) { nodes { provider { articles(first: $n) "
        "{ nodes { related { title } } } } } } }"
    )
    assert "errors" not in await gql(query, {"n": 5})
    await refused(gql, query, variables={"n": 100})


async def test_the_cost_limit_itself_passes(corpus: Corpus) -> None:
    query = "{ articles(first: 30) { nodes { title images { url } topics { name } } } }"
    schema = build_schema()._schema
    cost = cost_of(schema, parse(query).definitions[0], {}, {}, 20)  # type: ignore[arg-type]
    exact = client_for(make_app(corpus.db, limits=Limits(max_cost=cost)))
    assert "errors" not in await exact(query)
    under = client_for(make_app(corpus.db, limits=Limits(max_cost=cost - 1)))
    await refused(under, query)


ATTACKS = {
    "circular fragments": "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
    "5,000 duplicated fields": "{ contentInfo { " + "version " * 5000 + "} }",
    "200 repeated directives": "{ contentInfo { version" + " @skip(if: false)" * 200 + " } }",
    "deeply nested introspection": "{ __schema { types { "
    + "fields { type { " * 40
    + "name"
    + " } }" * 40
    + " } } }",
    "101 aliases": aliases(101),
    "deep nesting": chain(200),
}


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_attack_payloads_are_refused_quickly(
    traced: tuple[Any, list[str]], name: str
) -> None:
    gql, statements = traced
    statements.clear()
    started = time.perf_counter()
    body = await gql(ATTACKS[name])
    elapsed = time.perf_counter() - started
    assert body.get("data") is None and body["errors"], body
    assert statements == []
    assert elapsed < 1.0, f"{name} took {elapsed * 1000:.0f} ms"


async def test_a_megabyte_comment_only_document_is_refused(corpus: Corpus) -> None:
    import httpx

    document = "#" + "x" * (1024 * 1024) + "\n{ contentInfo { version } }"
    app = make_app(corpus.db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post("/graphql", json={"query": document})
    assert r.status_code == 413


async def test_sql_time_limit_stops_a_slow_query_with_a_clear_error(corpus: Corpus) -> None:
    slow = client_for(make_app(corpus.db, limits=Limits(sql_timeout=0.0)))
    body = await slow(
        '{ articles(filter: {or: [{text: "a*"}, {text: "e*"}, {text: "o*"}]}) '
        "{ totalCount facets { topics { value } } } }"
    )
    assert error_codes(body) == ["TIMEOUT"]
    assert "time limit" in body["errors"][0]["message"]
    fine = client_for(make_app(corpus.db))
    assert "errors" not in await fine("{ articles { totalCount } }")


async def test_similar_lists_cost_what_finding_them_costs(corpus: Corpus) -> None:
    gql = client_for(make_app(corpus.db))
    query = "query($n: Int) { articles(first: $n) { nodes { similar(first: 2) { slug } } } }"
    assert len(data(await gql(query, {"n": 20}))["articles"]["nodes"]) == 20
    body = await gql(query, {"n": 30})  # 30 articles' similar lists: over the budget
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "about 60," in body["errors"][0]["message"]  # 30 x 2,000, and the fields
