"""deploy/nginx.conf, run for real: two read-only replicas behind nginx, one killed mid-run.

Skipped where nginx is not installed (scripts/install-deploy-deps installs it in CI).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.deploy import burst, nginx_binary, persisted, port_of, start_nginx, start_replica
from bench.servers import Server
from core.config import SAMPLE_CONTENT
from newsgraph.cli import main
from tests.conftest import CLIENT_EXAMPLES

pytestmark = pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ship") / "news.db"
    assert main(["build", str(SAMPLE_CONTENT), "--out", str(out), "--workers", "1"]) == 0
    return out


@pytest.fixture
def replicas(built_sample: Path, tmp_path: Path) -> Iterator[list[Server]]:
    """Two replicas, each on its own copy of the one built file (as on two machines)."""
    servers = []
    for name in ("r1", "r2"):
        copy = tmp_path / name / "news.db"
        copy.parent.mkdir()
        shutil.copy(built_sample, copy)
        servers.append(start_replica(copy, tmp_path, name))
    try:
        for server in servers:
            server.wait_healthy(60)
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_responses_are_byte_identical_through_either_replica(replicas: list[Server]) -> None:
    for query in CLIENT_EXAMPLES:
        if "TRENDING" in query:
            continue  # ranks as of the request's clock
        posts, gets = [], []
        for server in replicas:
            with httpx.Client(base_url=server.url) as client:
                posts.append(client.post("/graphql", json={"query": query}))
                gets.append(client.get("/graphql", params={"query": query}))
        assert posts[0].content == posts[1].content, query
        assert gets[0].headers["etag"] == gets[1].headers["etag"]
        assert gets[0].headers["x-content-version"] == gets[1].headers["x-content-version"]


def test_nginx_retries_on_the_other_replica_when_one_is_killed(
    replicas: list[Server], tmp_path: Path
) -> None:
    nginx = start_nginx(tmp_path / "nginx", [port_of(s) for s in replicas])
    try:
        nginx.wait_ready()
        warm = burst(nginx.url, CLIENT_EXAMPLES, 1.5, clients=6)  # every plan compiled
        assert warm.failed == 0, warm.failures[:3]
        assert len(warm.upstreams) == 2, warm.upstreams  # both replicas answer
        print(f"warm-up: {warm.ok} answered, by replica {warm.upstreams}")

        killer = threading.Timer(1.0, replicas[0].proc.kill)  # SIGKILL, mid-run
        killer.start()
        tally = burst(nginx.url, CLIENT_EXAMPLES, 2.5, clients=6)
        killer.join()
        assert replicas[0].proc.poll() is not None
        print(
            f"through nginx, replica 1 SIGKILLed at 1.0 s of 2.5: {tally.ok} answered, "
            f"{tally.failed} failed; by replica {tally.upstreams}"
        )
        assert tally.failed == 0, tally.failures[:5]
        assert tally.ok > 20
        assert max(tally.upstreams.get(s.url.removeprefix("http://"), 0) for s in replicas) > 0

        with httpx.Client(base_url=nginx.url) as client:  # a persisted GET, after the kill
            query = CLIENT_EXAMPLES[0]
            got = client.get("/graphql", params={"query": query, "extensions": persisted(query)})
            assert got.status_code == 200
            answered_by = got.headers["x-upstream"].split(", ")[-1]  # after any retry
            assert answered_by == replicas[1].url.removeprefix("http://")
    finally:
        nginx.stop()
