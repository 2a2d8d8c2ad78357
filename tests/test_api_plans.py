"""Differential tests: compiled plans answer exactly as the reference executor does.

Each document runs through Strawberry/graphql-core (the reference) and through
its compiled plan; the JSON must be byte-identical. Documents come from a
hand-written list of client shapes and from hypothesis-graphql over the schema.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from graphql import GraphQLError, parse
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import Mode, from_schema

from api.plans.compile import Fallback, compile_plan
from api.schema.build import build_schema, export_sdl
from core.clock import Now
from core.config import Limits
from db.reader import ReadPool
from tests.conftest import CLIENT_EXAMPLES, Corpus, client_for, make_app
from tests.test_api_fuzz import SCALARS

SHAPES = [
    *CLIENT_EXAMPLES,
    "{ articles { totalCount contentVersion nodes { id title } } }",
    """query Feed2($s: Int!, $a: String) { changes(since: $s, first: 3, after: $a) { __typename
           since version totalCount added { slug provider { name } related(first: 1) { title } }
           updated { title } removedIds pageInfo { hasNextPage hasPreviousPage startCursor
           endCursor __typename } } }""",
    """{ a: articles(first: 5, orderBy: {field: QUALITY, direction: ASC}) {
           edges { cursor node { __typename slug quality } } pageInfo { hasNextPage
           hasPreviousPage startCursor endCursor } }
         b: articles(last: 3) { nodes { title } pageInfo { hasPreviousPage startCursor } } }""",
    """query Feed($n: Int, $f: ArticleFilter) { articles(first: $n, filter: $f) {
           totalCount nodes { ...Card related(first: 2) { ...Rel } } } }
       fragment Card on Article { title publishedAt leadImage(minWidth: 500) { url width }
           provider { ...Prov } topics { name slug parent { name slug } } }
       fragment Prov on Provider { name domain id images(first: 1) { url } articleCount }
       fragment Rel on RelatedItem { title quality provider { ...Prov } article { slug title }
           images { url isCached } extra }""",
    """{ articles(first: 7, filter: {or: [{type: "video"}, {hasImages: false}]}) {
           facets { topics(first: 3) { value label count } providers { value count }
           types { value count } categories { value } } totalCount } }""",
    """{ topics: topic(name: "Data") { name keywords hashtags articleCount
           articles(first: 3, orderBy: {field: TITLE}) { nodes { title } totalCount } } }""",
    "{ contentInfo { version articleCount loadedAt __typename } categories { value count } }",
    """{ articles(first: 2) { nodes { ... on Article { title } ... { slug }
           images { url width height isCached title attribution } body extra featuredContent
           ampWebUrl cdnAmpWebUrl originalUrl webUrl category type heat published path } } }""",
    """{ articles(first: 3) { nodes { provider { articles(first: 2) { nodes { title } } } } } }""",
    """query Side($f: ArticleFilter) { articles(first: 3, filter: $f) { totalCount
           facets(disjunctive: true) { topics(first: 5) { value label count selected toggle }
           providers(first: 3) { value count selected toggle } types { value selected toggle }
           categories { value toggle } years { value label count selected toggle }
           months(first: 6) { __typename value label count selected toggle } } } }""",
    """{ a: articles(first: 2, filter: {topicsAny: ["ai", "Cloud"], publishedIn: ["2024", "2023-05"],
           or: [{type: "video"}, {hasImages: true}]}) {
           facets { topics { value count selected toggle } months { value count selected } } }
         b: articles(first: 2, filter: {topicsAny: ["ai"], includeDescendants: true}) {
           totalCount nodes { slug } facets(disjunctive: true) { providers { value toggle } } }
         c: topic(slug: "ai") { articles(first: 2, filter: {typeIn: ["video", "article"]}) {
           facets(disjunctive: true) { types { value count selected toggle }
           providers(first: 3) { value count selected toggle } } } }
         categories { value count selected toggle } }""",
    """{ s: articles(first: 4, filter: {text: "the"}) { totalCount countsExact nodes { slug } }
         t: articles(filter: {text: "data", topicsAny: ["ai"]}) { countsExact totalCount } }""",
    """{ articles(first: 6) { nodes { slug bodyHtml featuredContentHtml
           related(first: 2) { article { bodyHtml featuredContentHtml } } } } }""",
    """{ articles(first: 3) { nodes { topics { name children { name slug } } } } }""",
    """query Links($p: [LinkKind!]) { articles(first: 6) { nodes { url a: url(prefer: [AMP, CANONICAL])
           b: url(prefer: $p) related { url c: url(prefer: [CDN_AMP, WEB]) d: url(prefer: $p) }
           } } }""",
    """{ articles(first: 8) { nodes { filedProvider { name domain images(first: 1) { url } }
           f: filedProvider { __typename domain } provider { name }
           related(first: 2) { filedProvider { domain name images { url width } } } } } }""",
    """{ topic(slug: "ai") { name children { name articleCount parent { name }
           children { name } articles(first: 2) { nodes { title bodyHtml } } } } }""",
    """{ articles(first: 4) { nodes { title topics { name parent { name
           children { __typename id name keywords } } } } } }""",
    # search snippets: defaults, every option, other sorts, scopes, several searches, none
    """{ articles(filter: {text: "cloud"}, first: 5) { edges { cursor snippet node { slug } } } }""",
    """{ articles(filter: {text: "the OR cloud*"}, first: 4,
           orderBy: {field: PUBLISHED_AT}) { edges { __typename
           t: snippet(column: TITLE, tokens: 3, before: "<b class=\\"x\\">", after: "</b>")
           e: snippet(column: EXCERPT, tokens: 64, ellipsis: "...") b: snippet(column: BODY)
           snippet(before: "[", after: "]") node { title } } } }""",
    """{ provider(domain: "techcrunch.com") { articles(filter: {or: [{text: "cloud"},
           {text: "tablet"}]}, first: 3) { edges { snippet(tokens: 8) node { slug } } } }
         plain: articles(first: 2) { edges { snippet node { slug } } } }""",
    """query Snips($t: String, $n: Int, $c: SnippetColumn) { articles(filter: {text: $t},
           first: 3) { edges { snippet(column: $c, tokens: $n, before: "<em>", after: "</em>") } } }""",
    # more like this: a related box under each card, nested, rendered and built
    """{ articles(first: 3) { nodes { slug similar(first: 3) { title slug provider { name } } } } }""",
    """{ articles(first: 2, filter: {text: "cloud"}) { nodes { title similar { id __typename
           topics { name } similar(first: 2) { slug } } } } }""",
    """{ a: articles(first: 6, orderBy: [{field: QUALITY}, {field: PUBLISHED_AT}]) {
           asOf edges { cursor node { slug quality } } pageInfo { endCursor hasNextPage } }
         b: articles(last: 4, orderBy: [{field: HEAT, direction: ASC}, {field: TITLE}],
                     filter: {type: "article"}) {
           nodes { title heat } pageInfo { startCursor hasPreviousPage } } }""",
    """{ topic(slug: "ai") { articles(first: 5, orderBy: [{field: PUBLISHED_AT},
           {field: QUALITY, direction: ASC}]) { edges { cursor } totalCount } } }""",
    """query Trending($h: Float) { articles(first: 8, orderBy: {field: TRENDING,
           halfLifeHours: $h}) { asOf edges { cursor node { slug heat quality } }
           pageInfo { hasNextPage endCursor } } }""",
    """{ provider(domain: "wsj.com") { articles(first: 3, orderBy: {field: TRENDING},
           filter: {qualityMin: 10}) { asOf nodes { title } } } }""",
    # one article per story, and each article's story
    """{ a: articles(first: 5, dedupe: true) { totalCount countsExact
           nodes { slug storyId duplicates(first: 2) { slug storyId } } }
         b: topic(slug: "ai") { articles(first: 3, dedupe: true, orderBy: {field: QUALITY}) {
           nodes { title } facets(disjunctive: true) { providers(first: 3) { value count } } } }
         c: articles(last: 2, dedupe: true, filter: {text: "cloud"}) { nodes { slug } } }""",
]


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def fixed_clock() -> datetime:
    """One instant for both executors (a trending list ranks as of the request's)."""
    return datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


class Both:
    """Runs a document through the reference executor and through its plan."""

    def __init__(self, corpus: Corpus) -> None:
        self.reference = client_for(make_app(corpus.db, compiled=False, clock=fixed_clock))
        self.schema = build_schema()._schema
        self.pool = ReadPool(corpus.db, loop_budget=None)
        self.compared = 0
        self.uncompiled = 0

    async def check(self, query: str, variables: dict[str, Any] | None = None) -> None:
        expected = await self.reference(query, variables)
        if "data" not in expected:
            return  # refused before execution: the server never compiles such a document
        try:
            plan = compile_plan(self.schema, parse(query), None)
        except GraphQLError:
            return
        if plan is None:
            self.uncompiled += 1
            return
        session = await self.pool.acquire()
        try:
            data = plan.run(session, Limits(), variables, authorized=False, now=Now(fixed_clock))
        except Fallback:
            assert "errors" in expected, f"a plan fell back on a clean query: {query}"
            return
        finally:
            self.pool.release(session)
        assert "errors" not in expected, f"the plan missed an error: {expected['errors']}"
        assert orjson.dumps({"data": data}) == orjson.dumps(expected), query
        self.compared += 1


async def test_client_shapes_match_the_reference(corpus: Corpus) -> None:
    both = Both(corpus)
    for query in SHAPES:
        await both.check(query)
    await both.check(
        next(q for q in SHAPES if "query Feed(" in q), {"n": 4, "f": {"topicsAny": ["data"]}}
    )
    snips = next(q for q in SHAPES if "query Snips" in q)
    await both.check(snips, {"t": "cloud", "n": 5, "c": "BEST"})
    await both.check(snips, {"t": "tablet OR server", "n": 12, "c": "EXCERPT"})
    await both.check(next(q for q in SHAPES if "query Trending" in q), {"h": 2.5})
    await both.check(next(q for q in SHAPES if "query Links" in q), {"p": ["CANONICAL", "AMP"]})
    feed = next(q for q in SHAPES if "query Feed2" in q)
    expected = await both.reference(feed, {"s": 0})
    await both.check(feed, {"s": 0, "a": expected["data"]["changes"]["pageInfo"]["endCursor"]})
    assert both.uncompiled == 0
    assert both.compared == len(SHAPES) - 1 + 6  # Feed2 needs its variable: refused bare


async def test_a_related_box_matches_the_reference(corpus: Corpus) -> None:
    both = Both(corpus)
    box = """query Box($slug: String) { article(slug: $slug) {
        similar(first: 5) { title slug provider { name } } } }"""
    for slug in sorted(corpus.items)[::60]:
        await both.check(box, {"slug": slug})
    assert both.compared == 4


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ articles(first: 101) { totalCount } }", None),
        ('{ articles(after: "bad") { totalCount } }', None),
        ('{ article(slug: "a", url: "b") { title } }', None),
        ("{ articles(first: 1) { nodes { secured } } }", None),
        ("{ articles(orderBy: {field: TRENDING, halfLifeHours: 0}) { nodes { slug } } }", None),
        ("{ articles(orderBy: [{field: TITLE}, {field: RELEVANCE}]) { asOf } }", None),
        ("query($n: Int) { articles(first: $n) { totalCount } }", {"n": "x"}),
        ("{ changes(since: 99) { version } }", None),
        ("{ changes(since: 0, first: -1) { version } }", None),
        ('{ changes(since: 0, after: "x") { version } }', None),
    ],
)
async def test_errors_fall_back_to_the_reference(
    corpus: Corpus, query: str, variables: dict[str, Any] | None
) -> None:
    await Both(corpus).check(query, variables)


def test_generated_documents_match_the_reference(
    corpus: Corpus, loop: asyncio.AbstractEventLoop, long_run: bool
) -> None:
    both = Both(corpus)
    strategy = from_schema(
        export_sdl(),
        fields=["articles", "article", "provider", "topic", "contentInfo", "categories"],
        custom_scalars=SCALARS,
        mode=Mode.POSITIVE,
    )

    @settings(
        max_examples=2000 if long_run else 200,
        deadline=None,
        derandomize=not long_run,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(query=strategy)
    def case(query: Any) -> None:
        loop.run_until_complete(both.check(str(query)))

    case()
    print(f"differential: {both.compared} compared, {both.uncompiled} not compiled")
    assert both.compared > 10
