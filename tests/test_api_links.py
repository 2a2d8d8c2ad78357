"""Article.url(prefer) and RelatedItem.url(prefer): the first address an item has, in the
order the client asks; through the reference executor and the compiled plans alike."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from loaders.loader import LoadOptions, load
from tests.conftest import GQL, MakeItem, client_for, data, error_codes, make_app

URLS = """query($p: [LinkKind!]) { articles(orderBy: {field: QUALITY, direction: ASC}) {
    nodes { quality default: url chosen: url(prefer: $p) amp: url(prefer: [AMP])
            canonical: url(prefer: [CANONICAL])
            related { default: url chosen: url(prefer: $p) } } } }"""


@pytest.fixture
async def links(make_item: MakeItem, content: Path, db_path: Path) -> GQL:
    rel = {"title": "Elsewhere", "ampWebUrl": "https://other.example/amp/1"}
    make_item(1)  # web and original
    make_item(2, webUrl=None)  # original only
    make_item(3, webUrl=None, originalUrl=None, ampWebUrl="https://example.com/amp/3")
    make_item(4, webUrl=None, originalUrl=None, related=[rel])  # no address at all
    make_item(5, webUrl="https://example.com/story/5/amp?utm_source=feed#top")
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
        "https://example.com/story/5/amp?utm_source=feed#top",
    ]
    assert [n["amp"] for n in nodes] == [None, None, "https://example.com/amp/3", None, None]
    assert [n["canonical"] for n in nodes] == [
        "https://example.com/story/1",
        "https://example.com/original/2",
        "https://example.com/3",  # the AMP page's own page
        None,
        "https://example.com/story/5",
    ]
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
        "https://example.com/original/5",
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


FILED = """{ articles(orderBy: {field: QUALITY, direction: ASC}) { nodes { quality
    provider { name domain images { url } }
    filedProvider { __typename name domain images(first: 1) { url width } }
    related { provider { name } filedProvider { name domain images { url } } } } } }"""


async def test_each_file_keeps_its_own_provider(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    logo = {"url": "https://example.com/own-logo.png", "width": 50, "height": 50}
    make_item(1, provider={"name": "Example", "domain": "example.com"})
    make_item(2, provider={"name": "Example News Ltd", "domain": "Example.com", "images": [logo]})
    make_item(3, provider=None, related=[{"title": "R", "webUrl": "https://www.other.org/x",
                                          "provider": {"name": "Other"}}])  # fmt: skip
    await load(content, db_path, LoadOptions(workers=1))
    gql = client_for(make_app(db_path))
    nodes = data(await _both(gql, FILED, {}))["articles"]["nodes"]
    shared = nodes[0]["provider"]
    assert nodes[1]["provider"] == shared  # one record per domain, whatever each file said
    assert nodes[0]["filedProvider"] == {
        "__typename": "FiledProvider", "name": "Example", "domain": "example.com", "images": [],
    }  # fmt: skip
    assert nodes[1]["filedProvider"] == {
        "__typename": "FiledProvider", "name": "Example News Ltd", "domain": "example.com",
        "images": [{"url": "https://example.com/own-logo.png", "width": 50}],
    }  # fmt: skip
    assert nodes[2]["provider"] is None and nodes[2]["filedProvider"] is None
    # a related item's provider without a domain takes its URL's host
    assert nodes[2]["related"] == [{
        "provider": {"name": "Other"},
        "filedProvider": {"name": "Other", "domain": "other.org", "images": []},
    }]  # fmt: skip


async def test_equal_forms_share_one_row_and_reloads_keep_them(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    for n in range(1, 6):
        make_item(n)  # five files, one form
    make_item(6, provider={"name": "Other name", "domain": "example.com"})
    await load(content, db_path, LoadOptions(workers=1))
    make_item(7, provider={"name": "Other name", "domain": "example.com"})
    await load(content, db_path, LoadOptions(workers=1))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM filed_providers").fetchone() == (2,)
        names = conn.execute(
            "SELECT f.name, count(*) FROM articles a JOIN filed_providers f"
            " ON f.id = a.filed_provider_id GROUP BY f.name ORDER BY f.name"
        ).fetchall()
    assert names == [("Example", 5), ("Other name", 2)]
