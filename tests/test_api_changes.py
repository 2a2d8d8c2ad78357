"""changes(since, first, after): net changes across loads, paging, history, bad input.

Three loads of a small folder (an update, a removal, an article added and then
updated, one added and then removed) are read through the real app, from every
version; expectations are written from what the test itself did to the files.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from db import feed as feed_reads
from loaders.loader import LoadOptions, load
from tests.conftest import GQL, MakeItem, article_key, client_for, data, error_codes, make_app

FEED = """
query Feed($since: Int!, $first: Int, $after: String) {
  changes(since: $since, first: $first, after: $after) {
    since version totalCount
    added { slug title }
    updated { slug title }
    removedIds
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


async def _load(content: Path, db: Path) -> int:
    report = await load(content, db, LoadOptions(workers=1))
    assert report.failed == 0, report.problems
    version: int = report.content_version
    return version


@pytest.fixture
async def three_loads(
    content: Path, db_path: Path, make_item: MakeItem
) -> tuple[GQL, dict[str, int]]:
    """Version 1: stories 1, 2, 3, 6. Version 2: 2 updated, 4 added, 6 removed.
    Version 3: 3 removed, 4 updated, 5 added. Returns the client and the ids by slug."""
    for n in (1, 2, 3, 6):
        make_item(n)
    assert await _load(content, db_path) == 1
    ids = _ids(db_path)
    make_item(2, title="Story two, corrected")
    make_item(4)
    (content / "_news" / "2024-01-01-story-6.md").unlink()
    assert await _load(content, db_path) == 2
    (content / "_news" / "2024-01-01-story-3.md").unlink()
    make_item(4, title="Story four, updated")
    make_item(5)
    assert await _load(content, db_path) == 3
    ids.update(_ids(db_path))
    return client_for(make_app(db_path)), ids


def _ids(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT slug, id FROM articles").fetchall())


def _slugs(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["slug"] for n in nodes]


@pytest.mark.parametrize("many", [False, True], ids=["looked-up", "index-scan"])
async def test_net_changes_from_every_version(
    three_loads: tuple[GQL, dict[str, int]], many: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if many:  # what a feed of more than MANY articles does: read every visible id
        monkeypatch.setattr(feed_reads, "MANY", 0)
    gql, ids = three_loads
    story = "2024-01-01-story-{}".format

    feed = data(await gql(FEED, {"since": 1}))["changes"]
    assert (feed["since"], feed["version"], feed["totalCount"]) == (1, 3, 5)
    assert _slugs(feed["added"]) == [story(4), story(5)]
    assert feed["added"][0]["title"] == "Story four, updated"  # as it is now
    assert _slugs(feed["updated"]) == [story(2)]
    assert sorted(article_key(i) for i in feed["removedIds"]) == sorted(
        [ids[story(3)], ids[story(6)]]
    )
    assert feed["pageInfo"]["hasNextPage"] is False

    feed = data(await gql(FEED, {"since": 2}))["changes"]
    assert _slugs(feed["added"]) == [story(5)]
    assert _slugs(feed["updated"]) == [story(4)]
    assert [article_key(i) for i in feed["removedIds"]] == [ids[story(3)]]

    # from nothing: what exists now, all added; what came and went is not mentioned
    feed = data(await gql(FEED, {"since": 0}))["changes"]
    assert sorted(_slugs(feed["added"])) == [story(n) for n in (1, 2, 4, 5)]
    assert feed["updated"] == [] and feed["removedIds"] == []

    feed = data(await gql(FEED, {"since": 3}))["changes"]
    assert (feed["version"], feed["totalCount"], feed["added"], feed["removedIds"]) == (
        3,
        0,
        [],
        [],
    )


async def test_pages_walk_the_feed_by_article(three_loads: tuple[GQL, dict[str, int]]) -> None:
    gql, ids = three_loads
    seen: list[int] = []
    after = None
    for _ in range(10):
        feed = data(await gql(FEED, {"since": 1, "first": 2, "after": after}))["changes"]
        page = [ids[n["slug"]] for n in (*feed["added"], *feed["updated"])]
        page += [article_key(i) for i in feed["removedIds"]]
        assert 1 <= len(page) <= 2
        seen.extend(sorted(page))  # each page's ids come after the previous page's
        assert feed["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not feed["pageInfo"]["hasNextPage"]:
            break
        after = feed["pageInfo"]["endCursor"]
    assert sorted(seen) == seen and len(seen) == 5


async def test_a_load_between_pages_asks_to_start_again(
    content: Path, db_path: Path, make_item: MakeItem
) -> None:
    for n in (1, 2, 3):
        make_item(n)
    await _load(content, db_path)
    gql = client_for(make_app(db_path))
    first = data(await gql(FEED, {"since": 0, "first": 1}))["changes"]
    make_item(4)
    await _load(content, db_path)
    body = await gql(FEED, {"since": 0, "first": 1, "after": first["pageInfo"]["endCursor"]})
    assert error_codes(body) == ["BAD_CURSOR"]
    assert "changes(since: 0)" in body["errors"][0]["message"]
    body = await gql(FEED, {"since": 1, "first": 1, "after": first["pageInfo"]["endCursor"]})
    assert error_codes(body) == ["BAD_CURSOR"]
    assert "keep the same `since`" in body["errors"][0]["message"]


async def test_a_version_older_than_the_history_says_to_refetch(
    three_loads: tuple[GQL, dict[str, int]], db_path: Path
) -> None:
    gql, _ = three_loads
    with sqlite3.connect(db_path) as conn:  # as the loader prunes past its 1,000 loads
        conn.execute("DELETE FROM changes WHERE version <= 2")
    body = await gql(FEED, {"since": 1})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    message = body["errors"][0]["message"]
    assert "older than the change history" in message and "changes(since: 3)" in message
    assert error_codes(await gql(FEED, {"since": 2})) == ["BAD_USER_INPUT"]
    assert data(await gql(FEED, {"since": 3}))["changes"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"since": 4}, "newer than the current content version 3"),
        ({"since": -1}, "`since` must be a content version"),
        ({"since": 1, "first": -1}, "`first` must be between 1 and 100, got -1"),
        ({"since": 1, "first": 0}, "`first` must be between 1 and 100"),
        ({"since": 1, "first": 101}, "ask for at most 100"),
        ({"since": 1, "after": "nonsense"}, "cursor is malformed"),
    ],
)
async def test_bad_input_says_what_to_write(
    three_loads: tuple[GQL, dict[str, int]], variables: dict[str, Any], words: str
) -> None:
    gql, _ = three_loads
    body = await gql(FEED, variables)
    assert error_codes(body) in (["BAD_USER_INPUT"], ["BAD_CURSOR"])
    assert words in body["errors"][0]["message"]


async def test_connections_tell_their_content_version(
    three_loads: tuple[GQL, dict[str, int]],
) -> None:
    gql, _ = three_loads
    query = """{ articles(first: 1) { contentVersion nodes { slug } }
                 topic(slug: "testing") { articles(first: 1) { contentVersion } } }"""
    found = data(await gql(query))
    assert found["articles"]["contentVersion"] == 3
    assert found["topic"]["articles"]["contentVersion"] == 3
