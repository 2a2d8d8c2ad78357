"""Request logs (text and JSON) and the Prometheus metrics endpoint."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

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
