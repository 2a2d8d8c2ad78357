"""ArticleEdge.snippet: marked, HTML-safe passages of a search's results, one read per page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.schema.snippets import SnippetOptions, marked
from db.snippets import CLOSE, ELLIPSIS, OPEN
from loaders.loader import LoadOptions, load
from tests.conftest import GQL, Corpus, MakeItem, client_for, data, error_codes, make_app

EDGES = """query($t: String, $args: String) { articles(filter: {text: $t}) {
    edges { snippet node { title } } } }"""


async def _loaded(make_item: MakeItem, content: Path, db_path: Path) -> GQL:
    filler = " ".join(["plain words about nothing in particular"] * 6)
    make_item(1, title='Cats & <dogs> love "zeppelins"', excerpt="An excerpt without it")
    make_item(2, title="Other story", excerpt=filler, body=f"{filler} a <b>zeppelin</b> {filler}\n")
    make_item(3, title="Unrelated", excerpt="Nothing to see")
    await load(content, db_path, LoadOptions(workers=1))
    return client_for(make_app(db_path))


def _snippets(body: dict[str, Any]) -> dict[str, Any]:
    edges = data(body)["articles"]["edges"]
    return {e["node"]["title"]: {k: v for k, v in e.items() if k != "node"} for e in edges}


async def test_matches_are_marked_and_the_text_escaped(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    gql = await _loaded(make_item, content, db_path)
    query = """{ articles(filter: {text: "zeppelin*"}) { edges { node { title }
        best: snippet title: snippet(column: TITLE, before: "<b>", after: "</b>")
        excerpt: snippet(column: EXCERPT)
        body: snippet(column: BODY, tokens: 5, before: "[", after: "]", ellipsis: " ... ") } } }"""
    found = _snippets(await gql(query))
    assert set(found) == {'Cats & <dogs> love "zeppelins"', "Other story"}
    cats = found['Cats & <dogs> love "zeppelins"']
    assert cats["best"] == "Cats &amp; &lt;dogs&gt; love &quot;<mark>zeppelins</mark>&quot;"
    assert cats["title"] == "Cats &amp; &lt;dogs&gt; love &quot;<b>zeppelins</b>&quot;"
    assert cats["excerpt"] == "An excerpt without it"  # the column's leading text, unmarked
    assert cats["body"] is None  # no body: nothing to show
    other = found["Other story"]
    # the body's markup is text: escaped; the passage is 5 words (a, b, zeppelin, b, plain)
    assert other["body"] == " ... a &lt;b&gt;[zeppelin]&lt;/b&gt; plain ... "
    assert "<mark>zeppelin</mark>" in other["best"]


async def test_outside_a_search_the_snippet_is_null(gql: GQL) -> None:
    edges = data(await gql("{ articles(first: 3) { edges { snippet node { slug } } } }"))
    assert [e["snippet"] for e in edges["articles"]["edges"]] == [None, None, None]


async def test_a_provider_or_topic_search_and_several_searches_have_snippets(
    gql: GQL, corpus: Corpus
) -> None:
    query = """{ articles(first: 5, filter: {or: [{text: "cloud"}, {text: "tablet"}]},
        orderBy: {field: PUBLISHED_AT}) { edges { snippet(tokens: 6) } } }"""
    snippets = [e["snippet"] for e in data(await gql(query))["articles"]["edges"]]
    assert snippets and all(
        "<mark>cloud</mark>" in s.lower() or "<mark>tablet</mark>" in s.lower() for s in snippets
    ), snippets


@pytest.mark.parametrize(
    ("arguments", "code", "says"),
    [
        ("tokens: 0", "BAD_USER_INPUT", "between 1 and 64"),
        ("tokens: 65", "BAD_USER_INPUT", "between 1 and 64"),
        (f'before: "{"x" * 101}"', "BAD_USER_INPUT", "at most 100 characters"),
        ("column: NOWHERE", "GRAPHQL_VALIDATION_FAILED", "NOWHERE"),
    ],
)
async def test_bad_options_say_what_to_write(
    gql: GQL, arguments: str, code: str, says: str
) -> None:
    query = f'{{ articles(first: 2, filter: {{text: "cloud"}}) {{ edges {{ snippet({arguments}) }} }} }}'
    body = await gql(query)
    assert error_codes(body) and set(error_codes(body)) == {code}, body
    assert says in body["errors"][0]["message"]


async def test_a_bad_search_is_still_reported_as_one(gql: GQL) -> None:
    body = await gql('{ articles(filter: {text: "\\"unclosed"}) { edges { snippet } } }')
    assert error_codes(body) == ["BAD_SEARCH"]
    assert "cannot be parsed" in body["errors"][0]["message"]


@pytest.mark.parametrize("compiled", [False, True])
async def test_one_statement_per_page_whatever_its_size(corpus: Corpus, compiled: bool) -> None:
    app = make_app(corpus.db, compiled=compiled)
    statements: list[str] = []
    app.state.pool.tracer = statements.append
    app.state.pool.loop_budget = None
    gql = client_for(app)
    query = """query($n: Int, $t: String) { articles(first: $n, filter: {text: $t},
        orderBy: {field: PUBLISHED_AT}) { edges { a: snippet b: snippet c: snippet(tokens: 4) } } }"""
    for size in (2, 50, 100):
        for i in range(2):  # the second time a plan may answer (new words: no cached answer)
            statements.clear()
            text = f"the OR cloud OR never{size}x{i}"
            edges = data(await gql(query, {"n": size, "t": text}))["articles"]["edges"]
            assert len(edges) == size and all(e["a"] for e in edges)
            # a and b share options: one read; c another
            assert sum("snippet(articles_fts" in s for s in statements) == 2, statements


def test_sentinels_become_the_clients_markers_in_one_pass() -> None:
    raw = f"a {OPEN}<x>{CLOSE} & b{ELLIPSIS}"
    options = SnippetOptions(before=CLOSE, after=OPEN, ellipsis="…")
    # markers that hold the sentinels themselves are not replaced again
    assert marked(raw, options) == f"a {CLOSE}&lt;x&gt;{OPEN} &amp; b…"
    assert marked("", options) is None
