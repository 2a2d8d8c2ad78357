"""The publication window: an article published after now is hidden everywhere until
then, with no reload; the caches end when it appears; ``show_future`` shows it.

The app tells the time by a clock the test moves. The scheduled article has its
own topic, provider, category, type, month and a word no other article has, and
another article's related item links to it, so every place it could leak is seen.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.http.live import ChangeFeed
from db.reader import ReadPool
from loaders.loader import LoadOptions, load
from tests.conftest import MakeItem, client_for, data, make_app

# the load stamps the system's time on its version: the schedule runs from there
START = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
SOON = START + timedelta(minutes=30)
LATER = SOON + timedelta(seconds=1)
SCHEDULED = "2024-01-01-story-5"

EVERYWHERE = """
{
  articles(first: 10) {
    totalCount contentVersion nodes { slug }
    facets { topics { value count } providers { value count } categories { value count }
             types { value count } months(first: 50) { value count } }
  }
  side: articles(first: 3, filter: {topicsAny: ["testing"], typeIn: ["article"]}) {
    totalCount nodes { slug }
    facets(disjunctive: true) { types { value count } providers { value count } }
  }
  topic(slug: "launch") { articleCount articles { totalCount nodes { slug } } }
  testing: topic(slug: "testing") { articleCount }
  provider(domain: "launch.example") { articleCount articles { totalCount } }
  search: articles(filter: {text: "zeppelin"}) { totalCount nodes { slug } }
  trending: articles(first: 3, orderBy: {field: QUALITY}) { nodes { slug } }
  article(slug: "2024-01-01-story-5") { title }
  linked: article(slug: "2024-01-01-story-6") {
    related { title article { slug } } similar(first: 10) { slug } topics { name articleCount }
  }
  contentInfo { articleCount }
  categories { value count }
}
"""


class Clock:
    """A clock the test sets."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
async def scheduled(content: Path, db_path: Path, make_item: MakeItem) -> Path:
    """Stories 1-4 and 6 published long ago; story 5 scheduled for SOON, with a topic,
    provider, category, type and word of its own; story 6 links to it."""
    for n in range(1, 5):
        make_item(n)
    make_item(
        5,
        title="Zeppelin launch",
        publishedDateTime=SOON.strftime("%Y-%m-%dT%H:%M:%SZ"),
        topics=["Launch", "Testing"],
        provider={"name": "Launch News", "domain": "launch.example"},
        category="launches",
        type="video",
        quality=1000,
    )
    make_item(6, title="Story number 6 about the launch", related=[
        {"title": "The launch", "webUrl": "https://example.com/story/5"}
    ])  # fmt: skip
    report = await load(content, db_path, LoadOptions(workers=1))
    assert report.failed == 0, report.problems
    return db_path


def _values(group: list[dict[str, Any]]) -> dict[str, int]:
    return {v["value"]: v["count"] for v in group}


def _check_hidden(found: dict[str, Any]) -> None:
    articles = found["articles"]
    assert articles["totalCount"] == 5
    assert SCHEDULED not in [n["slug"] for n in articles["nodes"]]
    facets = articles["facets"]
    assert "launch" not in _values(facets["topics"]) and _values(facets["topics"])["testing"] == 5
    assert "launch.example" not in _values(facets["providers"])
    assert "launches" not in _values(facets["categories"])
    assert "video" not in _values(facets["types"])
    assert SOON.strftime("%Y-%m") not in _values(facets["months"])
    assert found["side"]["totalCount"] == 5
    assert "video" not in _values(found["side"]["facets"]["types"])
    assert found["topic"] == {"articleCount": 0, "articles": {"totalCount": 0, "nodes": []}}
    assert found["testing"]["articleCount"] == 5
    assert found["provider"] == {"articleCount": 0, "articles": {"totalCount": 0}}
    assert found["search"] == {"totalCount": 0, "nodes": []}
    assert SCHEDULED not in [n["slug"] for n in found["trending"]["nodes"]]
    assert found["article"] is None
    linked = found["linked"]
    assert linked["related"] == [{"title": "The launch", "article": None}]
    assert SCHEDULED not in [n["slug"] for n in linked["similar"]]
    assert found["contentInfo"]["articleCount"] == 5
    assert "launches" not in _values(found["categories"])


def _check_shown(found: dict[str, Any]) -> None:
    articles = found["articles"]
    assert articles["totalCount"] == 6
    assert articles["nodes"][0]["slug"] == SCHEDULED  # the newest
    facets = articles["facets"]
    assert _values(facets["topics"])["launch"] == 1 and _values(facets["topics"])["testing"] == 6
    assert _values(facets["providers"])["launch.example"] == 1
    assert _values(facets["months"])[SOON.strftime("%Y-%m")] == 1
    assert found["side"]["totalCount"] == 5  # the video is not of the type asked
    assert _values(found["side"]["facets"]["types"])["video"] == 1
    assert found["topic"]["articleCount"] == 1
    assert found["topic"]["articles"] == {"totalCount": 1, "nodes": [{"slug": SCHEDULED}]}
    assert found["provider"] == {"articleCount": 1, "articles": {"totalCount": 1}}
    assert found["search"] == {"totalCount": 1, "nodes": [{"slug": SCHEDULED}]}
    assert found["trending"]["nodes"][0]["slug"] == SCHEDULED
    assert found["article"] == {"title": "Zeppelin launch"}
    assert found["linked"]["related"] == [{"title": "The launch", "article": {"slug": SCHEDULED}}]
    assert found["contentInfo"]["articleCount"] == 6


async def test_an_article_appears_when_the_clock_passes_its_time(scheduled: Path) -> None:
    clock = Clock(START)
    app = make_app(scheduled, clock=clock)
    cache = app.state.cache
    gql = client_for(app)
    first = data(await gql(EVERYWHERE))
    _check_hidden(first)
    assert data(await gql(EVERYWHERE)) == first  # the compiled plan, then kept
    assert data(await gql(EVERYWHERE)) == first
    hits = cache.hits
    assert hits >= 1
    clock.moment = SOON - timedelta(seconds=1)  # still hidden, still the cached answer
    assert data(await gql(EVERYWHERE)) == first
    assert cache.hits == hits + 1
    clock.moment = SOON  # its time: no load, no reload, the cache ends
    shown = data(await gql(EVERYWHERE))
    assert cache.hits == hits + 1
    _check_shown(shown)
    assert shown["articles"]["contentVersion"] == first["articles"]["contentVersion"]
    assert data(await gql(EVERYWHERE)) == shown  # the compiled plan agrees


async def test_etags_end_when_an_article_appears(scheduled: Path) -> None:
    clock = Clock(START)
    app = make_app(scheduled, clock=clock)
    query = {"query": "{ articles(first: 3) { totalCount nodes { slug } } }"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.get("/graphql", params=query)
        before = await c.get("/graphql", params=query)
        etag = before.headers["etag"]
        assert "max-age=0" in before.headers["cache-control"]
        again = await c.get("/graphql", params=query, headers={"If-None-Match": etag})
        assert again.status_code == 304
        clock.moment = LATER
        after = await c.get("/graphql", params=query, headers={"If-None-Match": etag})
        assert after.status_code == 200 and after.headers["etag"] != etag
        assert after.json()["data"]["articles"]["totalCount"] == 6


async def test_show_future_shows_scheduled_articles(scheduled: Path) -> None:
    gql = client_for(make_app(scheduled, clock=Clock(START), show_future=True))
    _check_shown(data(await gql(EVERYWHERE)))


async def test_compiled_plans_apply_the_same_window(scheduled: Path) -> None:
    for moment in (START, LATER):
        clock = Clock(moment)
        reference = client_for(make_app(scheduled, clock=clock, compiled=False))
        app = make_app(scheduled, clock=clock, cache_entries=0)
        compiled = client_for(app)
        expected = await reference(EVERYWHERE)
        await compiled(EVERYWHERE)  # the reference answers once, then the plan is compiled
        assert await compiled(EVERYWHERE) == expected
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            metrics = (await c.get("/metrics")).text
        assert 'newsgraph_executor_total{executor="compiled"} 1.0' in metrics


FEED = """query($since: Int!) { changes(since: $since) { version added { slug } updated { slug }
           removedIds } }"""


async def test_the_change_feed_adds_an_article_when_its_time_comes(scheduled: Path) -> None:
    clock = Clock(START)
    gql = client_for(make_app(scheduled, clock=clock))
    from_nothing = data(await gql(FEED, {"since": 0}))["changes"]
    assert len(from_nothing["added"]) == 5 and SCHEDULED not in str(from_nothing)
    assert data(await gql(FEED, {"since": 1}))["changes"]["added"] == []
    clock.moment = LATER  # no load: version 1 still, and the article is added since then
    feed = data(await gql(FEED, {"since": 1}))["changes"]
    assert (feed["version"], feed["added"], feed["updated"]) == (1, [{"slug": SCHEDULED}], [])
    assert {"slug": SCHEDULED} in data(await gql(FEED, {"since": 0}))["changes"]["added"]


async def test_subscribers_hear_of_an_article_when_its_time_comes(scheduled: Path) -> None:
    clock = Clock(START)
    pool = ReadPool(scheduled, loop_budget=None)
    pool.clock = clock
    feed = ChangeFeed(scheduled, pool=pool, clock=clock)
    try:
        assert feed.due() == []  # the first call marks where the clock is
        clock.moment = SOON - timedelta(seconds=1)
        assert feed.due() == []
        clock.moment = LATER
        (change,) = feed.due()
        session = await pool.acquire()
        try:
            found = session.article_by("slug", SCHEDULED)
        finally:
            pool.release(session)
        assert found is not None and change.added == (found.id,) and change.version == 1
        assert feed.due() == []  # told once
    finally:
        feed.close()
        pool.close()
    await asyncio.sleep(0)


async def test_a_scheduled_duplicate_does_not_hide_its_story_until_its_time(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    # one story (the same page, a tracking parameter apart): the better member (quality 90)
    # is scheduled, so until its time the story shows the one already published
    make_item(1, webUrl="https://example.com/same", quality=10)
    make_item(2, webUrl="https://example.com/same?utm_source=x", quality=90,
              publishedDateTime=SOON.isoformat().replace("+00:00", "Z"))  # fmt: skip
    make_item(3)
    await load(content, db_path, LoadOptions(workers=1))
    clock = Clock(START)
    gql = client_for(make_app(db_path, clock=clock))
    query = """{ articles(dedupe: true) { totalCount nodes { slug } }
        t: topic(slug: "testing") { articles(dedupe: true) { nodes { slug } } } }"""
    before = data(await gql(query))
    assert [n["slug"] for n in before["articles"]["nodes"]] == [
        "2024-01-01-story-3", "2024-01-01-story-1",
    ]  # fmt: skip
    assert before["articles"]["totalCount"] == 2
    assert before["t"]["articles"]["nodes"] == before["articles"]["nodes"]
    clock.moment = LATER
    after = data(await gql(query))
    assert [n["slug"] for n in after["articles"]["nodes"]] == [
        "2024-01-01-story-2", "2024-01-01-story-3",
    ]  # fmt: skip
    assert after["articles"]["totalCount"] == 2
