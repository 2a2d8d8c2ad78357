"""articles(...): every filter, every sort both ways, paging, counts and facets.

Expectations come from the generated files parsed here with PyYAML, not from
newsgraph's loader, so the API is checked against an independent reading.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from loaders.loader import LoadOptions, load
from tests.conftest import (
    GQL,
    Corpus,
    MakeItem,
    article_key,
    client_for,
    data,
    error_codes,
    make_app,
)

PAGE = """
query($filter: ArticleFilter, $order: [ArticleOrder!], $first: Int, $after: String,
      $last: Int, $before: String) {
  articles(filter: $filter, orderBy: $order, first: $first, after: $after,
           last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id slug title publishedAt quality heat } }
  }
}
"""


async def collect(
    gql: GQL,
    filter: dict[str, Any] | None = None,
    order: dict[str, Any] | None = None,
    size: int = 100,
) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after = None
    total = -1
    while True:
        body = await gql(PAGE, {"filter": filter, "order": order, "first": size, "after": after})
        page = data(body)["articles"]
        total = page["totalCount"]
        nodes.extend(e["node"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, total
        after = page["pageInfo"]["endCursor"]


def when(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def words(item: dict[str, Any]) -> set[str]:
    text = " ".join(str(item.get(k) or "") for k in ("title", "excerpt"))
    return set(re.findall(r"\w+", text.casefold()))


def topics_of(item: dict[str, Any]) -> set[str]:
    return {t.casefold() for t in item.get("topics") or []}


def common_topics(corpus: Corpus) -> list[str]:
    counts = Counter(t for item in corpus.items.values() for t in item.get("topics") or [])
    return [t for t, _ in counts.most_common()]


def common_domain(corpus: Corpus) -> str:
    counts = Counter((i.get("provider") or {}).get("domain") for i in corpus.items.values())
    return str(next(d for d, _ in counts.most_common() if d))


def median(corpus: Corpus, key: str) -> int:
    values = sorted(i[key] for i in corpus.items.values() if i.get(key) is not None)
    return int(values[len(values) // 2])


def cases(corpus: Corpus) -> list[tuple[dict[str, Any], Any]]:
    topics = common_topics(corpus)
    domain = common_domain(corpus)
    q, h = median(corpus, "quality"), median(corpus, "heat")
    dates = sorted(when(i["publishedDateTime"]) for i in corpus.items.values())
    mid = dates[len(dates) // 2]
    word = sorted(
        Counter(w for i in corpus.items.values() for w in words(i) if len(w) > 5).items(),
        key=lambda kv: (-kv[1], kv[0]),
    )[3][0]
    return [
        ({"category": "news"}, lambda i: i.get("category") == "news"),
        ({"categoryIn": ["news", "nothing"]}, lambda i: i.get("category") in ("news", "nothing")),
        ({"type": "video"}, lambda i: i.get("type") == "video"),
        ({"typeIn": ["article", "video"]}, lambda i: i.get("type") in ("article", "video")),
        ({"topicsAny": [topics[1]]}, lambda i: topics[1].casefold() in topics_of(i)),
        ({"topicsAny": [topics[2], topics[3]]},
         lambda i: bool({topics[2].casefold(), topics[3].casefold()} & topics_of(i))),
        ({"topicsAll": [topics[0], topics[1]]},
         lambda i: {topics[0].casefold(), topics[1].casefold()} <= topics_of(i)),
        ({"providerIn": [domain]}, lambda i: (i.get("provider") or {}).get("domain") == domain),
        ({"providerNotIn": [domain]}, lambda i: (i.get("provider") or {}).get("domain") != domain),
        ({"publishedAfter": mid}, lambda i: when(i["publishedDateTime"]) >= mid),
        ({"publishedBefore": mid}, lambda i: when(i["publishedDateTime"]) < mid),
        ({"qualityMin": q}, lambda i: i.get("quality") is not None and i["quality"] >= q),
        ({"qualityMax": q}, lambda i: i.get("quality") is not None and i["quality"] <= q),
        ({"heatMin": h, "heatMax": h + 50},
         lambda i: i.get("heat") is not None and h <= i["heat"] <= h + 50),
        ({"published": True}, lambda i: i.get("published") is True),
        ({"published": False}, lambda i: i.get("published") is False),
        ({"hasImages": True}, lambda i: bool(i.get("images"))),
        ({"hasImages": False}, lambda i: not i.get("images")),
        ({"text": word, "qualityMin": q},
         lambda i: word in words(i) | body_words(i) and (i.get("quality") or -1) >= q),
        ({"or": [{"type": "video"}, {"hasImages": False}]},
         lambda i: i.get("type") == "video" or not i.get("images")),
        ({"not": {"providerIn": [domain]}, "and": [{"published": True}]},
         lambda i: (i.get("provider") or {}).get("domain") != domain and i.get("published") is True),
    ]  # fmt: skip


def body_words(item: dict[str, Any]) -> set[str]:
    return set(re.findall(r"\w+", str(item.get("__body") or "").casefold()))


async def test_each_filter_matches_an_independent_count(gql: GQL, corpus: Corpus) -> None:
    checked = 0
    for filter, predicate in cases(corpus):
        expected = {slug for slug, item in corpus.items.items() if predicate(item)}
        nodes, total = await collect(gql, filter)
        got = [n["slug"] for n in nodes]
        assert len(got) == len(set(got)), f"{filter}: repeated items"
        assert set(got) == expected, filter
        assert total == len(got), filter
        checked += 1
    assert checked == len(cases(corpus))


SORT_KEYS = {"PUBLISHED_AT": "publishedAt", "QUALITY": "quality", "HEAT": "heat", "TITLE": "title"}


@pytest.mark.parametrize("field", list(SORT_KEYS))
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_each_sort_both_ways_is_total_and_stable(
    gql: GQL, corpus: Corpus, field: str, direction: str
) -> None:
    nodes, total = await collect(gql, None, {"field": field, "direction": direction}, size=70)
    assert total == len(nodes) == len(corpus.items)
    key = SORT_KEYS[field]
    low: Any = "" if field in ("PUBLISHED_AT", "TITLE") else -(2**62)

    def sort_key(n: dict[str, Any]) -> tuple[Any, int]:
        return (low if n[key] is None else n[key], article_key(n["id"]))

    keys = [sort_key(n) for n in nodes]
    assert keys == sorted(keys, reverse=direction == "DESC")


async def test_default_order_is_newest_first(gql: GQL, corpus: Corpus) -> None:
    nodes, _ = await collect(gql, size=100)
    dates = [n["publishedAt"] for n in nodes]
    assert dates == sorted(dates, reverse=True)
    newest = max(when(i["publishedDateTime"]) for i in corpus.items.values())
    assert dates[0] == newest


async def test_backward_paging_mirrors_forward_paging(gql: GQL, corpus: Corpus) -> None:
    forward, _ = await collect(gql, size=9)
    backward: list[dict[str, Any]] = []
    before = None
    while True:
        body = await gql(PAGE, {"last": 9, "before": before})
        page = data(body)["articles"]
        backward[:0] = [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert [n["slug"] for n in backward] == [n["slug"] for n in forward]
    assert len(forward) == len(corpus.items)


async def test_page_info_at_the_edges(gql: GQL) -> None:
    first = data(await gql(PAGE, {"first": 5}))["articles"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    second = data(await gql(PAGE, {"first": 5, "after": first["pageInfo"]["endCursor"]}))
    assert second["articles"]["pageInfo"]["hasPreviousPage"] is True


async def test_relevance_ranks_title_then_excerpt_then_body(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    filler = " ".join(["plain words about nothing in particular"] * 5)
    make_item(1, title="Other story", excerpt=filler, body=f"{filler} zeppelin {filler}\n")
    make_item(2, title="The zeppelin returns", excerpt=filler)
    make_item(3, title="Another story", excerpt=f"A zeppelin was seen. {filler}")
    make_item(4, title="Unrelated", excerpt=filler)
    await load(content, db_path, LoadOptions(workers=1))
    gql = client_for(make_app(db_path))
    query = "query($t: String!) { articles(filter: {text: $t}) { nodes { title } } }"
    nodes = data(await gql(query, {"t": "zeppelin"}))["articles"]["nodes"]
    assert [n["title"] for n in nodes] == ["The zeppelin returns", "Another story", "Other story"]
    asc = data(await gql(
        "query($t: String!) { articles(filter: {text: $t}, orderBy: {field: RELEVANCE, "
        "direction: ASC}) { nodes { title } } }", {"t": "zeppelin"},
    ))["articles"]["nodes"]  # fmt: skip
    assert [n["title"] for n in asc] == ["Other story", "Another story", "The zeppelin returns"]


async def test_phrase_and_prefix_search(gql: GQL, corpus: Corpus) -> None:
    title = next(i["title"] for i in corpus.items.values() if len((i["title"] or "").split()) > 4)
    phrase = " ".join(re.findall(r"\w+", title)[1:4])
    body = await gql(
        "query($t: String!) { articles(filter: {text: $t}) { nodes { title } } }",
        {"t": f'"{phrase}"'},
    )
    assert title in [n["title"] for n in data(body)["articles"]["nodes"]]
    prefix = re.findall(r"\w+", title)[2][:4]
    body = await gql(
        "query($t: String!) { articles(filter: {text: $t}) { totalCount } }", {"t": f"{prefix}*"}
    )
    assert data(body)["articles"]["totalCount"] >= 1


async def test_facets_match_independent_counts(gql: GQL, corpus: Corpus) -> None:
    body = await gql(
        """{ articles(filter: {type: "article"}, first: 1) { totalCount facets {
             topics(first: 100) { value label count } providers(first: 100) { value count }
             categories { value count } types { value count } } } }"""
    )
    facets = data(body)["articles"]["facets"]
    items = [i for i in corpus.items.values() if i.get("type") == "article"]
    topic_counts = Counter(t.casefold() for i in items for t in i.get("topics") or [])
    assert {f["label"].casefold(): f["count"] for f in facets["topics"]} == dict(topic_counts)
    provider_counts = Counter((i.get("provider") or {}).get("domain") for i in items)
    provider_counts.pop(None, None)
    assert {f["value"]: f["count"] for f in facets["providers"]} == dict(provider_counts)
    assert facets["types"] == [{"value": "article", "count": len(items)}]
    assert sum(f["count"] for f in facets["categories"]) == len(items)
    counts = [f["count"] for f in facets["topics"]]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize(
    ("variables", "code", "words_in_message"),
    [
        ({"first": 101}, "BAD_USER_INPUT", "at most 100"),
        ({"first": -1}, "BAD_USER_INPUT", "between 1 and 100"),
        ({"first": 0}, "BAD_USER_INPUT", "between 1 and 100"),
        ({"last": 500}, "BAD_USER_INPUT", "between 1 and 100"),
        ({"first": 5, "last": 5}, "BAD_USER_INPUT", "not both"),
        ({"after": "not-a-cursor"}, "BAD_CURSOR", "malformed"),
        ({"after": "WyJ4Il0"}, "BAD_CURSOR", "not issued by this API"),
        ({"filter": {"text": '"unclosed'}}, "BAD_SEARCH", "cannot be parsed"),
        ({"filter": {"text": "AND OR"}}, "BAD_SEARCH", "cannot be parsed"),
        ({"filter": {"text": "  "}}, "BAD_USER_INPUT", "empty"),
        ({"order": {"field": "RELEVANCE"}}, "BAD_USER_INPUT", "filter.text"),
        ({"filter": {"publishedAfter": "yesterday"}}, "BAD_USER_INPUT", "not a DateTime"),
        (
            {"filter": {"not": {"not": {"not": {"not": {"not": {"not": {}}}}}}}},
            "BAD_USER_INPUT",
            "nest at most",
        ),
    ],
)
async def test_bad_arguments_are_clear_errors(
    gql: GQL, variables: dict[str, Any], code: str, words_in_message: str
) -> None:
    body = await gql(PAGE, variables)
    assert error_codes(body) == [code], body
    assert words_in_message in body["errors"][0]["message"]
    assert "Traceback" not in str(body)


async def test_a_cursor_from_another_sort_is_refused(gql: GQL) -> None:
    page = data(await gql(PAGE, {"first": 2, "order": {"field": "QUALITY"}}))["articles"]
    body = await gql(PAGE, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert error_codes(body) == ["BAD_CURSOR"]
    assert "sorted by QUALITY" in body["errors"][0]["message"]


@pytest.mark.parametrize("prefix", [500, 4])
async def test_paging_a_search_matches_one_big_page(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch, prefix: int
) -> None:
    import db.pages

    monkeypatch.setattr(db.pages, "RANKED_PREFIX", prefix)
    gql = client_for(make_app(corpus.db))
    word = "the"
    whole = data(await gql(
        "query($t: String!) { articles(filter: {text: $t}, first: 100) { totalCount nodes { slug } } }",
        {"t": word},
    ))["articles"]  # fmt: skip
    assert whole["totalCount"] > 10
    paged = [n["slug"] for n in (await collect(gql, {"text": word}, None, size=3))[0]]
    assert paged[: len(whole["nodes"])] == [n["slug"] for n in whole["nodes"]]
    assert len(paged) == len(set(paged)) == whole["totalCount"]
    backward: list[str] = []
    before = None
    while True:
        body = await gql(PAGE, {"filter": {"text": word}, "last": 7, "before": before})
        page = data(body)["articles"]
        backward[:0] = [e["node"]["slug"] for e in page["edges"]]
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == paged


@pytest.mark.parametrize("rank_window", [2_000, 5, 0])
async def test_paging_a_search_with_other_conditions_matches_one_big_page(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch, rank_window: int
) -> None:
    import db.search

    monkeypatch.setattr(db.search, "RANK_WINDOW", rank_window)  # ranked part, then the rest
    gql = client_for(make_app(corpus.db))
    wanted = {"text": "the", "publishedAfter": "2021-01-01"}
    big = "query($f: ArticleFilter) { articles(filter: $f, first: 100) { nodes { slug } } }"
    whole = [n["slug"] for n in data(await gql(big, {"f": wanted}))["articles"]["nodes"]]
    nodes, total = await collect(gql, wanted, None, size=4)
    paged = [n["slug"] for n in nodes]
    assert paged[: len(whole)] == whole
    assert len(paged) == len(set(paged)) == total > 4
    backward: list[str] = []
    before = None
    while True:
        page = data(await gql(PAGE, {"filter": wanted, "last": 3, "before": before}))["articles"]
        backward[:0] = [e["node"]["slug"] for e in page["edges"]]
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == paged
