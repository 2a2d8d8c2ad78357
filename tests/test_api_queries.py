"""Single-object queries, node(id), providers and topics, and the SQL statement bound."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from loaders.loader import LoadOptions, load
from tests.conftest import GQL, Corpus, MakeItem, client_for, data, error_codes, make_app

HOMEPAGE = """
query Homepage($first: Int!) {
  articles(first: $first) {
    totalCount
    nodes {
      id slug title excerpt publishedAt webUrl
      provider { name domain images { url } }
      leadImage(minWidth: 300) { url width height }
      images { url width height }
      topics { name slug parent { name } }
      related(first: 3) { title webUrl provider { name } images { url } article { slug } }
    }
  }
}
"""


async def test_statement_count_does_not_grow_with_page_size(corpus: Corpus) -> None:
    app = make_app(corpus.db)
    statements: list[str] = []
    app.state.pool.tracer = statements.append
    app.state.pool.aggregates = None  # count every statement, none answered from the cache
    app.state.pool.loop_budget = None  # and each once: uncached counts may run on the loop
    gql = client_for(app)
    await gql(HOMEPAGE, {"first": 1})
    # the first request at a content version reads the providers and topics tables whole
    assert sum("FROM providers LIMIT" in s or "FROM topics t LIMIT" in s for s in statements) == 2
    counts = {}
    for size in (5, 50, 100):
        statements.clear()
        body = await gql(HOMEPAGE, {"first": size})
        assert len(data(body)["articles"]["nodes"]) == size
        counts[size] = len(statements)
        # no N+1: a statement runs once per nesting level that needs it (providers
        # of articles, then providers of related items), however many articles
        assert max(Counter(statements).values()) <= 2, statements
    assert counts[50] == counts[100], counts
    assert counts[5] <= counts[100], counts
    # version, page, count, provider logos, images, topics, parents, related, related images,
    # related articles; providers and topics come from memory
    assert counts[100] <= 10, statements
    assert not any("FROM providers" in s for s in statements), statements


async def test_article_by_id_slug_and_url(gql: GQL, corpus: Corpus) -> None:
    slug, item = next(iter(corpus.items.items()))
    by_slug = data(
        await gql("query($s: String!) { article(slug: $s) { id webUrl title } }", {"s": slug})
    )
    art = by_slug["article"]
    assert art["title"] == item["title"]
    by_id = data(await gql("query($i: ID!) { article(id: $i) { slug } }", {"i": art["id"]}))
    assert by_id["article"]["slug"] == slug
    by_url = data(
        await gql("query($u: String!) { article(url: $u) { slug } }", {"u": item["originalUrl"]})
    )
    assert by_url["article"]["slug"] == slug


@pytest.mark.parametrize(
    "query",
    [
        '{ article(slug: "no-such-article") { title } }',
        '{ article(url: "https://nowhere.invalid/") { title } }',
        '{ topic(slug: "no-such-topic") { name } }',
        '{ provider(domain: "no-such.example") { name } }',
        '{ node(id: "VG9waWM6bm9wZQ") { id } }',
    ],
)
async def test_unknown_keys_are_null_not_errors(gql: GQL, query: str) -> None:
    body = await gql(query)
    assert "errors" not in body
    assert list(body["data"].values()) == [None]


async def test_article_needs_exactly_one_key(gql: GQL) -> None:
    body = await gql('{ article(slug: "a", url: "b") { title } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "exactly one of" in body["errors"][0]["message"]


async def test_node_round_trips(gql: GQL) -> None:
    body = await gql(
        """{ articles(first: 1) { nodes { id title provider { id domain } topics { id slug } } } }"""
    )
    art = data(body)["articles"]["nodes"][0]
    ids = [(art["id"], "title", art["title"])]
    ids.append((art["provider"]["id"], "domain", art["provider"]["domain"]))
    ids.append((art["topics"][0]["id"], "slug", art["topics"][0]["slug"]))
    for global_id, field, value in ids:
        query = (
            "query($id: ID!) { node(id: $id) { id __typename "
            "... on Article { title } ... on Provider { domain } ... on Topic { slug } } }"
        )
        node = data(await gql(query, {"id": global_id}))["node"]
        assert node["id"] == global_id
        assert node[field] == value
    body = await gql('{ node(id: "%%%") { id } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_providers_and_topics_lists(gql: GQL, corpus: Corpus) -> None:
    body = await gql(
        "{ providers(first: 100) { totalCount nodes { domain articleCount } }"
        "  topics(first: 100) { totalCount nodes { name slug articleCount parent { name } } }"
        "  categories { value count } }"
    )
    got = data(body)
    counts = [p["articleCount"] for p in got["providers"]["nodes"]]
    assert counts == sorted(counts, reverse=True)
    assert sum(c["count"] for c in got["categories"]) == sum(
        1 for i in corpus.items.values() if i.get("category")
    )
    topic_names = {t.casefold() for i in corpus.items.values() for t in i.get("topics") or []}
    listed = {t["name"].casefold() for t in got["topics"]["nodes"] if t["articleCount"]}
    assert topic_names == listed


async def test_provider_and_topic_pages(gql: GQL, corpus: Corpus) -> None:
    body = await gql(
        "{ topics(first: 1) { nodes { slug articleCount articles(first: 100) { totalCount "
        "nodes { topics { slug } } } } } }"
    )
    topic = data(body)["topics"]["nodes"][0]
    assert topic["articles"]["totalCount"] == topic["articleCount"]
    for node in topic["articles"]["nodes"]:
        assert topic["slug"] in [t["slug"] for t in node["topics"]]
    body = await gql(
        "{ providers(first: 1) { nodes { domain articleCount articles(first: 3, "
        "orderBy: {field: QUALITY}) { totalCount nodes { quality provider { domain } } } } } }"
    )
    provider = data(body)["providers"]["nodes"][0]
    assert provider["articles"]["totalCount"] == provider["articleCount"]
    assert {n["provider"]["domain"] for n in provider["articles"]["nodes"]} == {provider["domain"]}


async def test_paging_stays_exact_when_an_article_is_added_between_pages(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    for n in range(30):
        make_item(n)
    await load(content, db_path, LoadOptions(workers=1))
    gql = client_for(make_app(db_path))
    query = (
        "query($a: String) { articles(first: 7, after: $a) "
        "{ pageInfo { hasNextPage endCursor } nodes { slug } } }"
    )
    seen: list[str] = []
    after = None
    added = False
    while True:
        page = data(await gql(query, {"a": after}))["articles"]
        seen.extend(n["slug"] for n in page["nodes"])
        if not added:
            # newer than everything: it belongs before the pages already read
            make_item(99, publishedDateTime="2025-06-01T00:00:00Z")
            await load(content, db_path, LoadOptions(workers=1))
            added = True
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 30


async def test_content_info_and_healthz(corpus: Corpus) -> None:
    import httpx

    app = make_app(corpus.db)
    body = await client_for(app)("{ contentInfo { version loadedAt articleCount } }")
    info = data(body)["contentInfo"]
    assert info["version"] >= 1 and info["articleCount"] == len(corpus.items)
    assert info["loadedAt"].endswith("Z")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        health = await c.get("/healthz")
    assert health.status_code == 200
    assert health.json()["articles"] == len(corpus.items)
