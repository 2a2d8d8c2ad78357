"""Facet groups with toggles, archives and topic trees, through the real app.

Expected values are computed here from the generated files (``Corpus.items``),
independently of newsgraph's SQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import yaml

from tests.conftest import GQL, Corpus, data, error_codes

FACETS = """query Side($f: ArticleFilter, $d: Boolean!) {
  articles(first: 100, filter: $f) {
    totalCount nodes { slug }
    facets(disjunctive: $d) {
      topics(first: 100) { value label count selected toggle }
      providers(first: 100) { value count selected toggle }
      types { value count selected toggle }
      categories { value count selected toggle }
      years { value label count selected toggle }
      months(first: 100) { value label count selected toggle }
    }
  }
}"""


def _month(item: dict[str, Any]) -> str | None:
    when = item.get("publishedDateTime")
    if isinstance(when, datetime):
        return when.strftime("%Y-%m")
    return str(when)[:7] if when else None


def _matching(corpus: Corpus, *, topics: set[str] | None = None, domain: str | None = None,
              month: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    out = []
    for item in corpus.items.values():
        if topics is not None and not topics & set(item.get("topics") or ()):
            continue
        if domain is not None and (item.get("provider") or {}).get("domain") != domain:
            continue
        if month is not None and _month(item) != month:
            continue
        out.append(item)
    return out


async def _side(gql: GQL, f: dict[str, Any] | None, disjunctive: bool = True) -> Any:
    return data(await gql(FACETS, {"f": f, "d": disjunctive}))["articles"]


async def test_two_topics_keep_the_topic_counts_of_the_feed_without_them(
    gql: GQL, corpus: Corpus
) -> None:
    everything = await _side(gql, None)
    common = everything["facets"]["topics"][:2]
    names = {t["label"] for t in common}
    picked = await _side(gql, {"topicsAny": [t["value"] for t in common]})

    # within the group: counts ignore the group's own selection
    assert picked["facets"]["topics"] == [
        {**t, "selected": t["value"] in {c["value"] for c in common},
         "toggle": picked["facets"]["topics"][i]["toggle"]}
        for i, t in enumerate(everything["facets"]["topics"])
    ]  # fmt: skip
    # across groups: the providers count the articles having either topic
    expected = Counter(
        (i.get("provider") or {}).get("domain") for i in _matching(corpus, topics=names)
    )
    assert {p["value"]: p["count"] for p in picked["facets"]["providers"]} == {
        d: n for d, n in expected.items() if d
    }
    assert picked["totalCount"] == len(_matching(corpus, topics=names))
    # the plain facets count the feed as it is
    plain = await _side(gql, {"topicsAny": [t["value"] for t in common]}, disjunctive=False)
    counted = Counter(t for i in _matching(corpus, topics=names) for t in i.get("topics") or ())
    assert {t["label"]: t["count"] for t in plain["facets"]["topics"]} == dict(counted)


async def test_toggles_add_and_remove_values_and_keep_the_rest_of_the_filter(gql: GQL) -> None:
    everything = await _side(gql, None)
    first, second = everything["facets"]["topics"][:2]
    provider = everything["facets"]["providers"][0]["value"]
    written = {
        "topicsAny": [first["value"]],
        "or": [{"type": "video"}, {"hasImages": True}],
        "not": {"qualityMax": 0},
    }
    side = await _side(gql, written)
    by_value = {t["value"]: t for t in side["facets"]["topics"]}
    assert by_value[first["value"]]["selected"] is True
    assert by_value[first["value"]]["toggle"] == {
        "or": [{"type": "video"}, {"hasImages": True}], "not": {"qualityMax": 0}
    }  # fmt: skip
    assert by_value[second["value"]]["selected"] is False
    assert by_value[second["value"]]["toggle"]["topicsAny"] == [first["value"], second["value"]]
    toggle = next(p for p in side["facets"]["providers"] if p["value"] == provider)["toggle"]
    assert toggle == {**written, "providerIn": [provider]}

    # passed straight back, the toggle is the next feed's filter
    after = await _side(gql, toggle)
    assert after["totalCount"] > 0
    chosen = next(p for p in after["facets"]["providers"] if p["value"] == provider)
    assert chosen["selected"] is True
    assert chosen["toggle"] == written


async def test_removing_the_last_value_gives_the_empty_filter(gql: GQL) -> None:
    everything = await _side(gql, None)
    topic = everything["facets"]["topics"][0]
    side = await _side(gql, {"topicsAny": [topic["label"]]})  # selected by name
    mine = next(t for t in side["facets"]["topics"] if t["value"] == topic["value"])
    assert mine["selected"] is True and mine["toggle"] == {}
    again = await _side(gql, mine["toggle"])
    assert again["totalCount"] == everything["totalCount"]


async def test_one_type_becomes_a_list_when_another_is_ticked(gql: GQL) -> None:
    everything = await _side(gql, None)
    types = [c["value"] for c in everything["facets"]["types"]]
    assert len(types) >= 2
    side = await _side(gql, {"type": types[0]})
    other = next(c for c in side["facets"]["types"] if c["value"] == types[1])
    assert other["toggle"] == {"typeIn": [types[0], types[1]]}
    again = await _side(gql, other["toggle"])
    assert {t["value"] for t in again["facets"]["types"] if t["selected"]} == set(types[:2])


async def test_archives_filter_by_month_and_year(gql: GQL, corpus: Corpus) -> None:
    everything = await _side(gql, None)
    months = everything["facets"]["months"]
    assert [m["value"] for m in months] == sorted((m["value"] for m in months), reverse=True)
    expected = Counter(m for m in (_month(i) for i in corpus.items.values()) if m)
    assert {m["value"]: m["count"] for m in months} == dict(expected)
    month = months[0]
    assert month["label"].endswith(month["value"][:4]) and month["toggle"] == {
        "publishedIn": [month["value"]]
    }
    side = await _side(gql, month["toggle"])
    assert side["totalCount"] == month["count"] == len(_matching(corpus, month=month["value"]))
    year = month["value"][:4]
    whole = await _side(gql, {"publishedIn": [year]})
    assert whole["totalCount"] == sum(n for m, n in expected.items() if m.startswith(year))
    # the month group ignores its own selection, and shows it ticked
    ticked = next(m for m in side["facets"]["months"] if m["value"] == month["value"])
    assert ticked["selected"] is True and ticked["toggle"] == {}


async def test_a_month_with_no_articles_is_an_empty_page_with_its_value_ticked(gql: GQL) -> None:
    side = await _side(gql, {"publishedIn": "1999-02"})  # a single value is a list of one
    assert side["totalCount"] == 0 and side["nodes"] == []
    assert {"value": "1999-02", "label": "February 1999", "count": 0, "selected": True,
            "toggle": {}} in side["facets"]["months"]  # fmt: skip


async def test_bad_periods_and_unknown_values_say_what_to_write(gql: GQL) -> None:
    for period in ("2021-13", "21", "2021/02", "2021-2"):
        body = await gql(FACETS, {"f": {"publishedIn": [period]}, "d": True})
        assert error_codes(body) in (["BAD_USER_INPUT"], ["GRAPHQL_VALIDATION_FAILED"]), body
        assert "2021-02" in body["errors"][0]["message"] and body.get("data") is None
    body = await gql(FACETS, {"f": {"topicsAny": ["no such topic"]}, "d": True})
    assert "BAD_USER_INPUT" in error_codes(body)
    assert "no such topic" in body["errors"][0]["message"]
    # a tampered toggle is validated like any filter
    body = await gql(FACETS, {"f": {"topicsAny": ["x"], "qualityMin": "high"}, "d": True})
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "qualityMin" in body["errors"][0]["message"] and body.get("data") is None
    body = await gql(FACETS, {"f": {"publishedIn": ["2021-00"], "or": [{}]}, "d": True})
    assert "2021-02" in body["errors"][0]["message"] and body.get("data") is None


async def test_topic_filters_can_include_descendants(gql: GQL, corpus: Corpus) -> None:
    taxonomy = {}
    for path in (corpus.root / "_data" / "topics").glob("*.yaml"):
        record = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        taxonomy[str(record.get("name", path.stem))] = record.get("parent")
    parent = Counter(p for p in taxonomy.values() if p).most_common(1)[0][0]
    family = {parent}
    while True:
        grown = family | {t for t, p in taxonomy.items() if p in family}
        if grown == family:
            break
        family = grown
    assert len(family) > 1
    query = """query Tree($f: ArticleFilter) {
      articles(first: 100, filter: $f) { totalCount nodes { slug } } }"""
    alone = data(await gql(query, {"f": {"topicsAny": [parent]}}))["articles"]
    tree = data(await gql(query, {"f": {"topicsAny": [parent], "includeDescendants": True}}))
    expected = _matching(corpus, topics=family)
    assert tree["articles"]["totalCount"] == len(expected) > alone["totalCount"]
    assert len(tree["articles"]["nodes"]) == min(100, len(expected))
