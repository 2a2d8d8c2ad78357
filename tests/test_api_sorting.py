"""Orders of several keys: pages in the right order, keyset cursors over every key, NULLs.

Expected orders are computed here from the items as parsed independently of
newsgraph (the database gives only the ids that break ties), and every list is
read whole forward (``first``/``after``) and backward (``last``/``before``).
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from loaders.loader import LoadOptions, load
from tests.conftest import GQL, Corpus, MakeItem, Raw, client_for, make_app
from tests.test_api_articles import data, when

PAGE = """
query Page($order: [ArticleOrder!], $filter: ArticleFilter, $first: Int, $after: String,
           $last: Int, $before: String) {
  articles(orderBy: $order, filter: $filter, first: $first, after: $after, last: $last,
           before: $before) {
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

FIELDS = {
    "PUBLISHED_AT": lambda i: when(i.get("publishedDateTime")),
    "QUALITY": lambda i: i.get("quality"),
    "HEAT": lambda i: i.get("heat"),
    "TITLE": lambda i: i.get("title"),
}


def expected(items: dict[str, dict[str, Any]], ids: dict[str, int],
             order: list[dict[str, str]]) -> list[str]:  # fmt: skip
    """Slugs in ``order``: a missing value is the lowest, ties by id in the last key's way."""

    def compare(a: str, b: str) -> int:
        for key in order:
            va, vb = FIELDS[key["field"]](items[a]), FIELDS[key["field"]](items[b])
            if va == vb:
                continue
            low = -1 if va is None else 1 if vb is None else (-1 if va < vb else 1)
            return -low if key.get("direction", "DESC") == "DESC" else low
        last = -1 if ids[a] < ids[b] else 1
        return -last if order[-1].get("direction", "DESC") == "DESC" else last

    return sorted(items, key=functools.cmp_to_key(compare))


async def read_all(gql: GQL, order: Any, size: int, backward: bool = False,
                   filter: dict[str, Any] | None = None) -> list[str]:  # fmt: skip
    """Every slug of the list, page by page, forward or backward (then put in list order)."""
    slugs: list[str] = []
    cursor = None
    while True:
        if backward:
            variables = {"order": order, "filter": filter, "last": size, "before": cursor}
        else:
            variables = {"order": order, "filter": filter, "first": size, "after": cursor}
        page = data(await gql(PAGE, variables))["articles"]
        got = [e["node"]["slug"] for e in page["edges"]]
        assert [e["cursor"] for e in page["edges"]][-1:] == [page["pageInfo"]["endCursor"]][
            : len(got)
        ]
        if backward:
            slugs = got + slugs
            if not page["pageInfo"]["hasPreviousPage"]:
                return slugs
            cursor = page["pageInfo"]["startCursor"]
        else:
            slugs += got
            if not page["pageInfo"]["hasNextPage"]:
                return slugs
            cursor = page["pageInfo"]["endCursor"]


def ids_of(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {slug.lower(): i for slug, i in conn.execute("SELECT slug, id FROM articles")}
    finally:
        conn.close()


ORDERS = [
    [{"field": "QUALITY", "direction": "DESC"}, {"field": "PUBLISHED_AT", "direction": "DESC"}],
    [{"field": "HEAT", "direction": "ASC"}, {"field": "PUBLISHED_AT", "direction": "ASC"}],
    [{"field": "HEAT", "direction": "DESC"}, {"field": "TITLE", "direction": "ASC"}],
    [{"field": "QUALITY", "direction": "ASC"}, {"field": "HEAT", "direction": "DESC"},
     {"field": "TITLE", "direction": "DESC"}],
    [{"field": "PUBLISHED_AT", "direction": "DESC"}, {"field": "QUALITY", "direction": "ASC"}],
]  # fmt: skip


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: "-".join(k["field"] for k in o))
async def test_several_keys_page_through_the_whole_list_both_ways(
    gql: GQL, corpus: Corpus, order: list[dict[str, str]]
) -> None:
    want = expected(corpus.items, ids_of(corpus.db), order)
    assert await read_all(gql, order, 37) == want
    assert await read_all(gql, order, 41, backward=True) == want


async def test_several_keys_under_a_filter_and_a_topic(gql: GQL, corpus: Corpus) -> None:
    order = [{"field": "QUALITY"}, {"field": "PUBLISHED_AT"}]
    items = {k: v for k, v in corpus.items.items() if v.get("type") == "article"}
    want = expected(items, ids_of(corpus.db), order)
    assert await read_all(gql, order, 25, filter={"type": "article"}) == want
    topic = next(iter(corpus.items.values()))["topics"][0]
    topic_order = [{"field": "PUBLISHED_AT"}, {"field": "HEAT", "direction": "ASC"}]
    in_topic = {
        k: v
        for k, v in corpus.items.items()
        if topic.casefold() in {t.casefold() for t in v.get("topics") or []}
    }
    want = expected(in_topic, ids_of(corpus.db), topic_order)
    assert await read_all(gql, topic_order, 9, filter={"topicsAny": [topic]}) == want


async def test_one_key_without_brackets_is_a_list_of_one(gql: GQL) -> None:
    literal = data(
        await gql("{ articles(first: 5, orderBy: {field: QUALITY}) { nodes { slug } } }")
    )
    listed = data(
        await gql("{ articles(first: 5, orderBy: [{field: QUALITY}]) { nodes { slug } } }")
    )
    variable = data(await gql(PAGE, {"order": {"field": "QUALITY"}, "first": 5}))
    assert literal == listed
    assert [n["slug"] for n in literal["articles"]["nodes"]] == [
        e["node"]["slug"] for e in variable["articles"]["edges"]
    ]
    # a single key's cursor is what it was before orders of several keys
    one = data(await gql(PAGE, {"order": {"field": "QUALITY"}, "first": 1}))
    same = data(await gql(PAGE, {"order": [{"field": "QUALITY"}], "first": 1}))
    assert one == same
    repeated = data(
        await gql(
            PAGE,
            {"order": [{"field": "QUALITY"}, {"field": "QUALITY", "direction": "ASC"}], "first": 1},
        )
    )
    assert repeated == one  # a key given again cannot change the order


async def test_a_cursor_from_another_order_says_what_to_do(gql: GQL) -> None:
    two = [{"field": "QUALITY"}, {"field": "PUBLISHED_AT"}]
    cursor = data(await gql(PAGE, {"order": two, "first": 2}))["articles"]["pageInfo"]["endCursor"]
    for other in ([{"field": "QUALITY"}], [{"field": "QUALITY"}, {"field": "HEAT"}],
                  [{"field": "QUALITY"}, {"field": "PUBLISHED_AT", "direction": "ASC"}], None):  # fmt: skip
        body = await gql(PAGE, {"order": other, "first": 2, "after": cursor})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_CURSOR"
        assert "QUALITY DESC, PUBLISHED_AT DESC" in error["message"]
        assert "keep the same orderBy" in error["message"]
    single = data(await gql(PAGE, {"order": {"field": "QUALITY"}, "first": 2}))
    body = await gql(
        PAGE, {"order": two, "first": 2, "after": single["articles"]["pageInfo"]["endCursor"]}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_CURSOR"


@pytest.mark.parametrize(
    ("order", "says"),
    [
        ([{"field": "RELEVANCE"}, {"field": "QUALITY"}], "give it alone"),
        ([{"field": "QUALITY"}, {"field": "TRENDING"}], "give it alone"),
        ([{"field": "QUALITY", "halfLifeHours": 3}], "`halfLifeHours` belongs to TRENDING"),
    ],
)
async def test_orders_that_cannot_be_are_refused_with_what_to_write(
    gql: GQL, order: Any, says: str
) -> None:
    body = await gql(PAGE, {"order": order, "filter": {"text": "data"}, "first": 2})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert says in error["message"]


async def test_missing_values_sort_lowest_and_cursors_page_through_them(
    content: Path, make_item: MakeItem, db_path: Path
) -> None:
    # a third of the items have no quality, some no heat, two no publication time
    for n in range(1, 19):
        make_item(
            n,
            quality=None if n % 3 == 0 else n % 4,
            heat=None if n % 5 == 0 else n % 2,
            publishedDateTime=None if n in (7, 14) else Raw(f"2024-03-{n:02d}T10:00:00Z"),
            title=None if n == 11 else f"Story {n % 6}",
        )
    report = await load(content, db_path, LoadOptions(workers=1))
    assert report.failed == 0
    gql = client_for(make_app(db_path))
    items = {f"2024-01-01-story-{n}": _parsed(content, n) for n in range(1, 19)}
    ids = ids_of(db_path)
    for order in (
        [{"field": "QUALITY", "direction": "DESC"}, {"field": "PUBLISHED_AT", "direction": "DESC"}],
        [{"field": "QUALITY", "direction": "ASC"}, {"field": "PUBLISHED_AT", "direction": "ASC"}],
        [{"field": "HEAT", "direction": "ASC"}, {"field": "QUALITY", "direction": "DESC"}],
        [{"field": "PUBLISHED_AT", "direction": "ASC"}, {"field": "HEAT", "direction": "DESC"}],
        [{"field": "TITLE", "direction": "DESC"}, {"field": "QUALITY", "direction": "ASC"}],
    ):
        want = expected(items, ids, order)
        for size in (1, 2, 5):
            assert await read_all(gql, order, size) == want, (order, size)
            assert await read_all(gql, order, size, backward=True) == want, (order, size)
    down = expected(items, ids, ORDERS[0])
    assert all(items[s].get("quality") is None for s in down[-6:])  # last when DESC
    up = expected(items, ids, [{"field": "QUALITY", "direction": "ASC"}])
    assert all(items[s].get("quality") is None for s in up[:6])  # first when ASC


def _parsed(content: Path, n: int) -> dict[str, Any]:
    import yaml

    text = (content / "_news" / f"2024-01-01-story-{n}.md").read_text(encoding="utf-8")
    item: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return item
