"""Live content: serve --watch, the contentChanged subscription over a real WebSocket,
several worker processes, and limit settings."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from core.config import Limits, parse_limits
from core.errors import ConfigError
from loaders.loader import load
from tests.browser.live_server import newsgraph_server
from tests.conftest import front_matter, item_fields


@pytest.fixture
def live(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    """A running ``newsgraph serve --watch`` over a small content folder."""
    content = tmp_path / "content" / "_news"
    content.mkdir(parents=True)
    for n in range(5):
        (content / f"story-{n}.md").write_text(front_matter(item_fields(n)), "utf-8")
    extra = getattr(request, "param", [])
    args = ("--content", str(content.parent), "--watch", *extra)
    with newsgraph_server(tmp_path, *args) as url:
        yield url.removeprefix("http://"), content


SUBSCRIBE = "subscription($f: ArticleFilter) { contentChanged(filter: $f) { version added updated removed } }"


async def next_event(ws: Any, timeout: float) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] in ("next", "error", "complete"):
            return dict(message)


async def test_watch_reloads_and_the_subscription_tells_clients(live: tuple[str, Path]) -> None:
    base, content = live
    async with websockets.connect(
        f"ws://{base}/graphql", subprotocols=["graphql-transport-ws"]
    ) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "all", "type": "subscribe",
                                  "payload": {"query": SUBSCRIBE}}))  # fmt: skip
        await ws.send(json.dumps({"id": "videos", "type": "subscribe", "payload": {
            "query": SUBSCRIBE, "variables": {"f": {"type": "video"}}}}))  # fmt: skip
        await asyncio.sleep(0.5)
        started = time.monotonic()
        (content / "story-1.md").write_text(
            front_matter(item_fields(1, title="Edited while serving")), "utf-8"
        )
        event = await next_event(ws, timeout=10)
        elapsed = time.monotonic() - started
        assert event["id"] == "all", event
        change = event["payload"]["data"]["contentChanged"]
        assert change["version"] == 2
        assert len(change["updated"]) == 1 and change["added"] == [] == change["removed"]
        assert elapsed < 5, f"the change reached the client after {elapsed:.1f} s"
        (content / "story-9.md").write_text(front_matter(item_fields(9, type="video")), "utf-8")
        events = [await next_event(ws, timeout=10), await next_event(ws, timeout=10)]
        assert {e["id"] for e in events} == {"all", "videos"}, events
        for e in events:
            assert len(e["payload"]["data"]["contentChanged"]["added"]) == 1
    async with httpx.AsyncClient() as http:
        r = await http.post(f"http://{base}/graphql",
                            json={"query": "{ contentInfo { version articleCount } }"})  # fmt: skip
    assert r.json()["data"]["contentInfo"] == {"version": 3, "articleCount": 6}


@pytest.mark.parametrize("live", [["--workers", "2"]], indirect=True)
async def test_two_worker_processes_share_one_database(live: tuple[str, Path]) -> None:
    base, content = live
    async with httpx.AsyncClient() as http:
        answers = await asyncio.gather(*[
            http.post(f"http://{base}/graphql", json={"query": "{ articles { totalCount } }"})
            for _ in range(20)
        ])  # fmt: skip
        assert {a.json()["data"]["articles"]["totalCount"] for a in answers} == {5}
        (content / "story-7.md").write_text(front_matter(item_fields(7)), "utf-8")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = await http.post(
                f"http://{base}/graphql", json={"query": "{ articles { totalCount } }"}
            )
            if r.json()["data"]["articles"]["totalCount"] == 6:
                break
            await asyncio.sleep(0.2)
        else:
            pytest.fail("the workers never saw the reloaded content")


APP = "http://app.example:5173"


@pytest.mark.parametrize("live", [["--cors-origin", APP, "--workers", "2"]], indirect=True)
async def test_cors_origins_bound_http_and_websocket_in_every_worker(
    live: tuple[str, Path],
) -> None:
    """A page on the ``--cors-origin`` origin may call the API and open a socket; a page on
    another origin gets no CORS grant and its WebSocket handshake is refused."""
    base, _ = live
    query = {"query": "{ contentInfo { version } }"}
    async with httpx.AsyncClient() as http:
        for _ in range(6):  # the two workers take turns
            ok = await http.get(f"http://{base}/graphql", params=query, headers={"Origin": APP})
            assert ok.headers["access-control-allow-origin"] == APP
            other = await http.get(
                f"http://{base}/graphql", params=query, headers={"Origin": "https://evil.example"}
            )
            assert "access-control-allow-origin" not in other.headers
    for _ in range(4):
        async with websockets.connect(
            f"ws://{base}/graphql",
            subprotocols=["graphql-transport-ws"],
            origin=APP,  # type: ignore[list-item,arg-type]
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(
                f"ws://{base}/graphql",
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                origin="https://evil.example",  # type: ignore[arg-type]
            ):
                pass  # pragma: no cover - the handshake fails
        assert refused.value.response.status_code == 403


def test_watch_on_a_loaded_database_reconciles_then_watches(tmp_path: Path) -> None:
    content = tmp_path / "content" / "_news"
    content.mkdir(parents=True)
    for n in range(3):
        (content / f"story-{n}.md").write_text(front_matter(item_fields(n)), "utf-8")
    asyncio.run(load(content.parent, tmp_path / "serve.db"))  # the file the server serves
    (content / "story-3.md").write_text(front_matter(item_fields(3)), "utf-8")  # while it was down
    with newsgraph_server(tmp_path, "--content", str(content.parent), "--watch") as base:
        assert wait_for_version(base, 2)["articles"] == 4, "the start-up reconcile found story 3"
        (content / "story-4.md").write_text(front_matter(item_fields(4)), "utf-8")
        assert wait_for_version(base, 3)["articles"] == 5, "then the watcher reloaded"
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "reconciled: added 1, updated 0, unchanged 3" in log
    assert "reloaded: added 1, updated 0, unchanged 4" in log


def wait_for_version(base: str, version: int, timeout: float = 60) -> dict[str, Any]:
    """``/healthz`` once the content version has reached ``version``."""
    deadline = time.monotonic() + timeout
    while (health := httpx.get(f"{base}/healthz", timeout=5).json())["contentVersion"] < version:
        assert time.monotonic() < deadline, f"content version {version} never came: {health}"
        time.sleep(0.1)
    return dict(health)


def test_limits_from_flags_and_environment() -> None:
    limits = parse_limits(["max_depth=12"], {"NEWSGRAPH_LIMIT_MAX_ALIASES": "20"})
    assert (limits.max_depth, limits.max_aliases, limits.max_page) == (12, 20, Limits().max_page)
    with pytest.raises(ConfigError, match="NAME=VALUE"):
        parse_limits(["depth=3"], {})
    with pytest.raises(ConfigError, match="must be a number"):
        parse_limits(["max_depth=deep"], {})
