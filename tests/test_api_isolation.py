"""Slow work never holds up quick requests, is bounded, and never runs twice.

Requests run on the event loop while they are quick; one that meets slow work
(a search, a count not cached yet) or asks for a lot runs in a background
worker. These tests block the workers on purpose and check the event loop
still answers, without timing anything.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from core.config import Limits
from tests.conftest import Corpus, client_for, data, error_codes, make_app

FEED = "query Feed($n: Int) { articles(first: $n) { totalCount nodes { slug } } }"
SEARCH = "query Find($t: String) { articles(filter: {text: $t}) { totalCount countsExact } }"


def metric(text: str, name: str) -> float:
    """The value of one sample line of the Prometheus text, 0 when absent."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


async def test_slow_work_runs_in_the_background_and_quick_work_on_the_loop(
    corpus: Corpus,
) -> None:
    app = make_app(corpus.db)
    gql = client_for(app)
    data(await gql(FEED, {"n": 3}))  # first run: the reference executor, in the background
    data(await gql(FEED, {"n": 4}))  # compiled; the count is cached now: on the loop
    data(await gql(SEARCH, {"t": "market"}))  # first run of the search: reference
    data(await gql(SEARCH, {"t": "data"}))  # compiled, but a search: moved to the background
    data(await gql(FEED, {"n": 5}))  # on the loop
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        text = (await c.get("/metrics")).text
    assert metric(text, 'newsgraph_executor_total{executor="compiled"}') == 3
    assert metric(text, 'newsgraph_executor_total{executor="reference"}') == 2
    assert metric(text, "newsgraph_background_total") == 3


async def test_quick_requests_are_answered_while_every_background_worker_is_busy(
    corpus: Corpus,
) -> None:
    app = make_app(corpus.db, limits=Limits(slow_workers=1))
    pool = app.state.pool
    gql = client_for(app)
    data(await gql(FEED, {"n": 2}))
    data(await gql(FEED, {"n": 3}))  # compiled, count cached: the feed is quick from now on
    release = threading.Event()
    original = pool._run

    def held(work: Any) -> Any:
        release.wait(timeout=30)  # the worker is busy until the test lets it go
        return original(work)

    pool._run = held
    try:
        searches = [asyncio.create_task(gql(SEARCH, {"t": w})) for w in ("market", "the")]
        await asyncio.sleep(0.05)
        assert not any(s.done() for s in searches), "the searches wait for the one worker"
        for n in range(4, 9):  # none of these may wait for the blocked worker
            assert len(data(await gql(FEED, {"n": n}))["articles"]["nodes"]) == n
        assert not any(s.done() for s in searches)
    finally:
        release.set()
    for answer in await asyncio.gather(*searches):
        assert data(answer)["articles"]["totalCount"] > 0


async def test_too_many_waiting_slow_requests_are_told_to_retry(corpus: Corpus) -> None:
    app = make_app(corpus.db, limits=Limits(slow_workers=1))
    pool = app.state.pool
    pool.max_waiting = 1
    release = threading.Event()
    original = pool._run
    pool._run = lambda work: (release.wait(timeout=30), original(work))[1]
    transport = httpx.ASGITransport(app=app)
    body = {"query": SEARCH}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            first = asyncio.create_task(c.post("/graphql", json={**body, "variables": {"t": "a"}}))
            await asyncio.sleep(0.05)  # running (blocked) in the worker
            second = asyncio.create_task(c.post("/graphql", json={**body, "variables": {"t": "b"}}))
            await asyncio.sleep(0.05)  # waiting for the worker
            third = await c.post("/graphql", json={**body, "variables": {"t": "c"}})
            assert third.status_code == 503
            assert third.headers["retry-after"] == "1"
            assert error_codes(third.json()) == ["SERVER_BUSY"]
            release.set()
            assert (await first).status_code == (await second).status_code == 200
    finally:
        release.set()


FACETS = """query($n: Int!) {
  articles(filter: {or: [{topicsAll: ["ai", "cloud"]}, {not: {type: "none"}}]}) {
    facets { providers(first: $n) { value count } } } }"""


async def test_a_statement_that_timed_out_is_not_run_again(corpus: Corpus) -> None:
    app = make_app(corpus.db)
    pool = app.state.pool
    gql = client_for(app)
    data(await gql(FACETS, {"n": 100}))  # runs cleanly, so the document gets a plan
    pool.aggregates = None  # nothing answered from the cache from now on
    pool.time_limit = 0.0  # and every statement of any size runs out of time
    executed: list[str] = []
    pool.tracer = executed.append
    for n in (99, 98):  # the plan times out, then the reference executor reports it; twice
        body = await gql(FACETS, {"n": n})
        assert error_codes(body) == ["TIMEOUT"], body
        assert body["errors"][0]["path"] == ["articles", "facets", "providers"]
    windows = [sql for sql in executed if sql.startswith("SELECT a.id, a.provider_id")]
    assert len(windows) == 1, windows  # the facets' one scan; never a second time


@pytest.mark.parametrize("window", [3, 10_000])
async def test_a_search_counts_its_window_and_says_whether_that_is_exact(
    corpus: Corpus, window: int
) -> None:
    gql = client_for(make_app(corpus.db, limits=Limits(search_window=window)))
    everything = data(await gql(SEARCH, {"t": "the"}))["articles"]
    rare = data(await gql(SEARCH, {"t": "zorbulate"}))["articles"]
    matches = corpus_matches(corpus, "the")
    assert rare == {"totalCount": 1, "countsExact": True}
    if window >= matches:
        assert everything == {"totalCount": matches, "countsExact": True}
    else:
        assert everything == {"totalCount": window, "countsExact": False}
        page = data(await gql(
            '{ articles(filter: {text: "the"}, first: 100) { nodes { id } } }'
        ))["articles"]["nodes"]  # fmt: skip
        assert len(page) == window  # the window is what a search pages through


def corpus_matches(corpus: Corpus, word: str) -> int:
    """How many items have ``word`` in their title, excerpt or body (as FTS5 tokenizes)."""
    import re

    def words(text: Any) -> set[str]:
        return set(re.findall(r"[a-z0-9]+", str(text or "").lower()))

    return sum(
        word in words(i.get("title")) | words(i.get("excerpt")) | words(i["__body"])
        for i in corpus.items.values()
    )
