"""TRENDING: the documented score, ranked as of the first page's instant, exactly and boundedly.

The app tells the time by a clock the test moves; expected rankings are computed
here from the documented formula over the items as written.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.clock import Now
from db.query import Filter
from db.reader import ReadPool
from loaders.loader import LoadOptions, load
from tests.conftest import GQL, Corpus, MakeItem, Raw, client_for, make_app
from tests.test_api_articles import data, when

START = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)

PAGE = """
query Trending($first: Int, $after: String, $last: Int, $before: String, $h: Float,
               $filter: ArticleFilter) {
  articles(orderBy: {field: TRENDING, halfLifeHours: $h}, filter: $filter, first: $first,
           after: $after, last: $last, before: $before) {
    asOf
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


class Clock:
    """A clock the test sets."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def score(item: dict[str, Any], as_of: datetime, half_life: float) -> float:
    """The documented score's logarithm (the same order); undated items lowest."""
    published = when(item.get("publishedDateTime"))
    if published is None:
        return -math.inf
    moment = datetime.fromisoformat(published)
    age = max((as_of - moment).total_seconds(), 0) / 3600
    base = 1 + max(item.get("heat") or 0, 0) + max(item.get("quality") or 0, 0)
    return math.log2(base) - age / half_life


def ranking(items: dict[str, dict[str, Any]], ids: dict[str, int], as_of: datetime,
            half_life: float = 24.0) -> list[str]:  # fmt: skip
    return sorted(items, key=lambda s: (score(items[s], as_of, half_life), ids[s]), reverse=True)


def ids_of(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {slug.lower(): i for slug, i in conn.execute("SELECT slug, id FROM articles")}
    finally:
        conn.close()


def slugs(page: dict[str, Any]) -> list[str]:
    return [e["node"]["slug"] for e in page["edges"]]


@pytest.fixture
async def hourly(content: Path, make_item: MakeItem, db_path: Path) -> Path:
    """40 items an hour apart, before START: quality rises with age, so the ranking
    depends on the half-life and on the instant it is taken at."""
    for n in range(40):
        published = START - timedelta(hours=n, minutes=30)
        make_item(
            n,
            name=f"item-{n:02d}.md",
            quality=None if n == 5 else 3 * n,
            heat=None if n == 6 else (n * 7) % 11 - 2,
            publishedDateTime=Raw(published.strftime("%Y-%m-%dT%H:%M:%SZ")),
        )
    make_item(99, name="undated.md", publishedDateTime=None, quality=500)
    make_item(98, name="future.md", quality=1, heat=0,
              publishedDateTime=Raw((START + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")))  # fmt: skip
    report = await load(content, db_path, LoadOptions(workers=1))
    assert report.failed == 0
    return db_path


def items_of(content: Path) -> dict[str, dict[str, Any]]:
    import yaml

    out = {}
    for path in (content / "_news").glob("*.md"):
        out[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    return out


@pytest.mark.parametrize("half_life", [0.5, 6.0, 24.0, 720.0])
async def test_the_ranking_is_the_documented_score(
    hourly: Path, content: Path, half_life: float
) -> None:
    clock = Clock(START)
    # a preview server: the article published after START is ranked (age 0)
    gql = client_for(make_app(hourly, clock=clock, show_future=True))
    want = ranking(items_of(content), ids_of(hourly), START, half_life)
    found: list[str] = []
    after = None
    while True:
        page = data(await gql(PAGE, {"first": 7, "after": after, "h": half_life}))["articles"]
        assert page["asOf"] == "2024-03-10T12:00:00Z"
        found += slugs(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert found == want
    assert found[-1] == "undated"  # no publication time: last
    if half_life == 720.0:
        assert found[0] != "future"  # a long half-life favours quality over freshness


async def test_a_future_article_is_not_ranked_until_its_time(hourly: Path) -> None:
    clock = Clock(START)
    gql = client_for(make_app(hourly, clock=clock))
    page = data(await gql(PAGE, {"first": 50, "h": 0.5}))["articles"]
    assert "future" not in slugs(page) and len(slugs(page)) == 41
    clock.moment = START + timedelta(hours=3)
    page = data(await gql(PAGE, {"first": 50, "h": 0.5}))["articles"]
    assert slugs(page)[0] == "future"  # published just now: the freshest


async def test_later_pages_rank_as_of_the_first_pages_instant(hourly: Path, content: Path) -> None:
    clock = Clock(START)
    gql = client_for(make_app(hourly, clock=clock, show_future=True))
    items, ids = items_of(content), ids_of(hourly)
    first = data(await gql(PAGE, {"first": 10, "h": 2.0}))["articles"]
    clock.moment = START + timedelta(hours=30)  # the reader comes back much later
    later = ranking(items, ids, clock.moment, 2.0)
    assert later[:20] != ranking(items, ids, START, 2.0)[:20]  # now the order differs
    second = data(
        await gql(PAGE, {"first": 10, "h": 2.0, "after": first["pageInfo"]["endCursor"]})
    )["articles"]
    assert second["asOf"] == first["asOf"] == "2024-03-10T12:00:00Z"
    seen = slugs(first) + slugs(second)
    assert seen == ranking(items, ids, START, 2.0)[:20]  # none twice, none missed
    back = data(
        await gql(PAGE, {"last": 10, "h": 2.0, "before": second["pageInfo"]["startCursor"]})
    )["articles"]
    assert slugs(back) == slugs(first)
    assert back["pageInfo"]["hasPreviousPage"] is False
    fresh = data(await gql(PAGE, {"first": 10, "h": 2.0}))["articles"]
    assert fresh["asOf"] == "2024-03-11T18:00:00Z"  # a first page is not served from cache
    assert slugs(fresh) == later[:10]


async def test_trending_combines_with_filters(gql: GQL, corpus: Corpus) -> None:
    moment = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    gql = client_for(make_app(corpus.db, clock=Clock(moment)))
    topic = next(iter(corpus.items.values()))["topics"][0]
    ids = ids_of(corpus.db)
    for filter, keep in (
        (None, lambda i: True),
        ({"topicsAny": [topic]}, lambda i: topic in (i.get("topics") or [])),
        (
            {"type": "article", "qualityMin": 40},
            lambda i: i.get("type") == "article" and (i.get("quality") or -1) >= 40,
        ),
    ):
        items = {k: v for k, v in corpus.items.items() if keep(v)}
        for half_life in (1.0, 48.0):
            page = data(await gql(PAGE, {"first": 15, "h": half_life, "filter": filter}))
            assert slugs(page["articles"]) == ranking(items, ids, moment, half_life)[:15]


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ("orderBy: {field: TRENDING, halfLifeHours: 0}", "more than 0"),
        ("orderBy: {field: TRENDING, halfLifeHours: -2.5}", "`halfLifeHours: 24`"),
        ("orderBy: {field: TRENDING, halfLifeHours: 10000}", "at most 720"),
        ("orderBy: {field: TRENDING, direction: ASC}", "set DESC"),
        ("orderBy: {field: TRENDING}, last: 3", "pass `before` with `last`"),
    ],
)
async def test_trending_arguments_that_cannot_be_say_what_to_write(
    gql: GQL, arguments: str, says: str
) -> None:
    body = await gql(f"{{ articles({arguments}) {{ nodes {{ slug }} }} }}")
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert says in error["message"]


async def test_a_trending_cursor_belongs_to_its_half_life(gql: GQL) -> None:
    page = data(await gql(PAGE, {"first": 2, "h": 24}))["articles"]
    body = await gql(PAGE, {"first": 2, "h": 12, "after": page["pageInfo"]["endCursor"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_CURSOR"
    assert "TRENDING halfLifeHours=24" in body["errors"][0]["message"]
    other = await gql(
        "query($a: String) { articles(first: 2, after: $a) { nodes { slug } } }",
        {"a": page["pageInfo"]["endCursor"]},
    )
    assert other["errors"][0]["extensions"]["code"] == "BAD_CURSOR"


async def test_the_walk_stops_once_nothing_older_can_enter_the_page(
    content: Path, make_item: MakeItem, db_path: Path
) -> None:
    # 1,200 items ten minutes apart: a one-hour half-life decides the page within hours
    for n in range(1200):
        published = START - timedelta(minutes=10 * n)
        make_item(n, name=f"i-{n:04d}.md", quality=n % 50, heat=n % 13,
                  publishedDateTime=Raw(published.strftime("%Y-%m-%dT%H:%M:%SZ")))  # fmt: skip
    assert (await load(content, db_path, LoadOptions(workers=1))).failed == 0
    statements: list[str] = []
    pool = ReadPool(db_path, loop_budget=None)
    pool.tracer = statements.append
    session = await pool.acquire()
    try:
        found = session.trending_page(None, 1.0, "2024-03-10T12:00:00Z", 21, None)
        walked = [s for s in statements if "a.sk_heat, a.sk_quality" in s]
        assert len(found) == 21
        assert len(walked) == 1  # the first chunk (256 of 1,200 articles) decided it
        statements.clear()
        everything = session.trending_page(Filter(), 1000.0, "2024-03-10T12:00:00Z", 21, None)
        assert len([s for s in statements if "a.sk_heat, a.sk_quality" in s]) > 1
        assert len(everything) == 21
    finally:
        pool.release(session)
        pool.close()


def test_a_request_reads_the_clock_once() -> None:
    reads: list[int] = []

    def clock() -> datetime:
        reads.append(1)
        return START + timedelta(microseconds=len(reads))

    now = Now(clock)
    assert not now.read
    assert now.timestamp() == now.timestamp() == "2024-03-10T12:00:00Z"
    assert now.read and len(reads) == 1
