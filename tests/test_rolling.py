"""Rolling updates: replicas on different builds at once, and a replica that switches."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from bench.deploy import start_replica
from newsgraph.cli import main
from tests.conftest import GQL, MakeItem, client_for, data, make_app

PAGE = """query Page($after: String, $order: [ArticleOrder!]) {
  articles(first: 4, after: $after, orderBy: $order) {
    pageInfo { endCursor hasNextPage } nodes { slug title } } }"""
ORDERS = [None, [{"field": "QUALITY", "direction": "DESC"}, {"field": "PUBLISHED_AT"}]]


def build(content: Path, out: Path, *more: str) -> None:
    assert main(["build", str(content), "--out", str(out), "--workers", "1", *more]) == 0


async def every_page(gql: GQL, order: Any) -> list[str]:
    slugs: list[str] = []
    after = None
    while True:
        page = data(await gql(PAGE, {"after": after, "order": order}))["articles"]
        slugs += [n["slug"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return slugs
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("order", ORDERS, ids=["newest", "best-then-newest"])
async def test_page_two_from_a_replica_on_the_next_build_is_valid(
    make_item: MakeItem, content: Path, tmp_path: Path, order: Any
) -> None:
    for n in range(10):
        make_item(n, quality=n % 3, publishedDateTime=f"2024-01-{n + 1:02d}T00:00:00Z")
    old_db, new_db = tmp_path / "old.db", tmp_path / "new.db"
    await asyncio.to_thread(build, content, old_db)
    # the next build: a newer story (before page 1's end in both orders), the article page 1's
    # cursor names removed, and an article further on edited
    make_item(20, quality=2, publishedDateTime="2024-02-01T00:00:00Z", title="Newer")
    old = client_for(make_app(old_db, read_only=True))
    first = data(await old(PAGE, {"order": order}))["articles"]
    page_one = [n["slug"] for n in first["nodes"]]
    (content / "_news" / f"{page_one[-1]}.md").unlink()
    everything_old = await every_page(old, order)
    make_item(int(everything_old[5].rsplit("-", 1)[1]), title="Edited between builds")
    await asyncio.to_thread(build, content, new_db, "--from", str(old_db))

    new = client_for(make_app(new_db, read_only=True))
    second = await new(PAGE, {"after": first["pageInfo"]["endCursor"], "order": order})
    page_two = [n["slug"] for n in data(second)["articles"]["nodes"]]
    assert page_two, "page 2 is empty"
    assert not set(page_one) & set(page_two), "an article twice"
    everything_new = await every_page(new, order)
    assert everything_new[0] == "2024-01-01-story-20"
    # page 2 is exactly what follows page 1 in the new build's order
    assert page_two == [s for s in everything_new[1:] if s not in page_one][:4]


async def next_event(ws: Any, timeout: float) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] in ("next", "error", "complete"):
            return dict(message)


SUBSCRIBE = """subscription($f: ArticleFilter) {
  contentChanged(filter: $f) { version added updated removed } }"""


async def test_a_subscription_hears_its_replica_switch(
    make_item: MakeItem, content: Path, tmp_path: Path
) -> None:
    for n in range(3):
        make_item(n, topics=["Security"])
    served = tmp_path / "news.db"
    await asyncio.to_thread(build, content, served)
    replica = start_replica(served, tmp_path, "replica")
    try:
        await asyncio.to_thread(replica.wait_healthy, 60)
        base = replica.url.removeprefix("http://")
        async with websockets.connect(
            f"ws://{base}/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            for sub, f in (("all", None), ("ai", {"topicsAny": ["AI"]})):
                await ws.send(json.dumps({"id": sub, "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"f": f}}}))  # fmt: skip
            make_item(5, topics=["AI"])
            make_item(1, title="Edited", topics=["Security"])
            await asyncio.to_thread(build, content, served)  # renamed over the served file
            await asyncio.sleep(0.3)  # the subscriptions are in place
            replica.proc.send_signal(signal.SIGHUP)
            events = {}
            for _ in range(2):
                event = await next_event(ws, timeout=20)
                events[event["id"]] = event["payload"]["data"]["contentChanged"]
        assert events["all"]["version"] == 2
        assert (len(events["all"]["added"]), len(events["all"]["updated"])) == (1, 1)
        assert events["ai"]["added"] == events["all"]["added"]
        assert events["ai"]["updated"] == []
        async with httpx.AsyncClient(base_url=replica.url) as c:
            info = (await c.get("/healthz")).json()
        assert info["contentVersion"] == 2
    finally:
        replica.stop()
