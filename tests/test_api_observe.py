"""Request logs (text and JSON) and the Prometheus metrics endpoint."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import httpx
import pytest

from api.http.observe import RequestLog
from tests.conftest import Corpus, make_app


async def test_one_log_line_per_request_with_cache_and_errors(
    corpus: Corpus, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(corpus.db)
    caplog.set_level(logging.INFO, logger="newsgraph.request")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for _ in range(2):
            await c.post("/graphql", json={"query": "query Feed { articles { totalCount } }"})
        await c.post("/graphql", json={"query": "{ articles(first: 500) { totalCount } }"})
    lines = [r.getMessage() for r in caplog.records if r.name == "newsgraph.request"]
    assert len(lines) == 3
    assert lines[0].startswith("Feed 200 ") and "cache=miss" in lines[0]
    assert "cache=hit" in lines[1]
    assert lines[2].startswith("anonymous 200") and "errors=BAD_USER_INPUT" in lines[2]


async def test_json_log_lines(corpus: Corpus, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(corpus.db, log_format="json")
    caplog.set_level(logging.INFO, logger="newsgraph.request")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.post("/graphql", json={"query": "query One { contentInfo { version } }"})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "newsgraph.request"]
    entry = json.loads(line)
    assert entry["operation"] == "One" and entry["status"] == 200 and entry["ms"] >= 0


def test_request_log_writes_in_batches() -> None:
    out = io.StringIO()
    lines = RequestLog(out, json_lines=False, interval=3600)
    for n in range(RequestLog.BATCH - 1):
        lines.write(f"line {n}")
    assert out.getvalue() == "", "a partial batch waits"
    lines.write("last of the batch")
    written = out.getvalue().splitlines()
    assert len(written) == RequestLog.BATCH
    assert written[0] == "INFO newsgraph.request: line 0"
    lines.write("after")
    lines.close()
    assert out.getvalue().splitlines()[-1] == "INFO newsgraph.request: after"


def test_request_log_writes_an_old_batch_at_the_next_line() -> None:
    out = io.StringIO()
    lines = RequestLog(out, json_lines=True, interval=0)
    lines.write('{"operation": "One"}')
    assert out.getvalue() == '{"operation": "One"}\n'


async def test_the_server_log_flushes_while_idle_and_at_shutdown(corpus: Corpus) -> None:
    from api.http.app import create_app
    from core.config import Settings

    out = io.StringIO()
    lines = RequestLog(out, json_lines=False, interval=0.05)
    app = create_app(Settings(db=corpus.db), lines=lines)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            await c.post("/graphql", json={"query": "query Feed { articles { totalCount } }"})
        for _ in range(100):  # the periodic flush, with no further request
            if out.getvalue():
                break
            await asyncio.sleep(0.02)
        assert out.getvalue().startswith("INFO newsgraph.request: Feed 200 ")
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            await c.post("/graphql", json={"query": "query Last { articles { totalCount } }"})
    assert out.getvalue().splitlines()[-1].startswith("INFO newsgraph.request: Last 200 ")


async def test_metrics_endpoint(corpus: Corpus) -> None:
    app = make_app(corpus.db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.post("/graphql", json={"query": "query Feed { articles { totalCount } }"})
        await c.post("/graphql", json={"query": "{ articles(first: 500) { totalCount } }"})
        text = (await c.get("/metrics")).text
    assert 'newsgraph_requests_total{operation="Feed",status="200"} 1.0' in text
    assert 'newsgraph_errors_total{code="BAD_USER_INPUT"} 1.0' in text
    assert "newsgraph_request_seconds_bucket" in text
    assert "newsgraph_content_version 1.0" in text


async def test_metrics_say_which_executor_answered_and_count_fallbacks(corpus: Corpus) -> None:
    app = make_app(corpus.db)
    feed = {"query": "query Feed($n: Int) { articles(first: $n) { nodes { slug } } }"}
    node = {"query": '{ node(id: "QXJ0aWNsZTox") { id } }'}  # `node` has no compiled plan
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.post("/graphql", json={**feed, "variables": {"n": 2}})  # first run: reference
        await c.post("/graphql", json={**feed, "variables": {"n": 3}})  # compiled now
        await c.post("/graphql", json={**feed, "variables": {"n": 3}})  # response cache
        await c.post("/graphql", json={**feed, "variables": {"n": 500}})  # plan gives up: error
        await c.post("/graphql", json=node)
        await c.post("/graphql", json={**node, "variables": {"x": 1}})  # same shape, no plan
        text = (await c.get("/metrics")).text
    assert 'newsgraph_executor_total{executor="compiled"} 1.0' in text
    assert 'newsgraph_executor_total{executor="cache"} 1.0' in text
    assert 'newsgraph_executor_total{executor="reference"} 4.0' in text
    assert 'newsgraph_plan_fallbacks_total{reason="runtime"} 1.0' in text
    assert 'newsgraph_plan_fallbacks_total{reason="uncompilable"} 1.0' in text
