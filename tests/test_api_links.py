"""Article.url(prefer) and RelatedItem.url(prefer): the first address an item has, in the
order the client asks; through the reference executor and the compiled plans alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.loader import LoadOptions, load
from tests.conftest import GQL, MakeItem, client_for, data, error_codes, make_app

URLS = """query($p: [LinkKind!]) { articles(orderBy: {field: QUALITY, direction: ASC}) {
    nodes { quality default: url chosen: url(prefer: $p) amp: url(prefer: [AMP])
            related { default: url chosen: url(prefer: $p) } } } }"""


@pytest.fixture
async def links(make_item: MakeItem, content: Path, db_path: Path) -> GQL:
    rel = {"title": "Elsewhere", "ampWebUrl": "https://other.example/amp/1"}
    make_item(1)  # web and original
    make_item(2, webUrl=None)  # original only
    make_item(3, webUrl=None, originalUrl=None, ampWebUrl="https://example.com/amp/3")
    make_item(4, webUrl=None, originalUrl=None, related=[rel])  # no address at all
    await load(content, db_path, LoadOptions(workers=1))
    return client_for(make_app(db_path))


async def _both(gql: GQL, query: str, variables: dict[str, object]) -> dict[str, object]:
    """The answer, asked twice: the second time a compiled plan answers; both must agree."""
    first = await gql(query, variables)
    second = await gql(query, variables)
    assert first == second
    return first


async def test_the_default_order_falls_back_from_web_to_original_to_amp(links: GQL) -> None:
    nodes = data(await _both(links, URLS, {"p": None}))["articles"]["nodes"]
    assert [n["default"] for n in nodes] == [
        "https://example.com/story/1",
        "https://example.com/original/2",
        "https://example.com/amp/3",
        None,
    ]
    assert [n["amp"] for n in nodes] == [None, None, "https://example.com/amp/3", None]
    assert nodes[3]["related"] == [
        {"default": "https://other.example/amp/1", "chosen": "https://other.example/amp/1"}
    ]


async def test_the_clients_order_wins(links: GQL) -> None:
    nodes = data(await _both(links, URLS, {"p": ["ORIGINAL", "WEB"]}))["articles"]["nodes"]
    assert [n["chosen"] for n in nodes] == [
        "https://example.com/original/1",
        "https://example.com/original/2",
        None,
        None,
    ]
    # a related item has no original URL: ORIGINAL is skipped, WEB is missing too
    assert nodes[3]["related"][0]["chosen"] is None


async def test_an_empty_or_unknown_preference_says_what_to_write(links: GQL) -> None:
    empty = await links(URLS, {"p": []})
    assert set(error_codes(empty)) == {"BAD_USER_INPUT"}  # one per field that asked
    assert "at least one kind" in empty["errors"][0]["message"]
    unknown = await links("{ articles { nodes { url(prefer: [WEBB]) } } }")
    assert error_codes(unknown) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "WEB" in unknown["errors"][0]["message"]  # graphql-core suggests the close value
