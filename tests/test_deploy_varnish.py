"""deploy/varnish.vcl, run for real: a shared cache in front of a read-only replica.

Skipped where Varnish (or the C compiler it builds its VCL with) is not installed
(scripts/install-deploy-deps installs it in CI).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from bench.deploy import persisted, port_of, start_replica, start_varnish, varnish_binary
from loaders.loader import LoadOptions
from newsgraph.cli import main
from tests.conftest import TOKEN, MakeItem

pytestmark = pytest.mark.skipif(varnish_binary() is None, reason="varnishd is not installed")

ONE = LoadOptions(workers=1)
S_MAXAGE, STALE = 2, 1
FEED = "{ articles(first: 3) { nodes { slug title } } }"
SECRET = "{ articles(first: 1) { nodes { slug secured } } }"


def test_varnish_keeps_persisted_gets_until_the_content_changes_and_never_a_token(
    make_item: MakeItem, content: Path, tmp_path: Path
) -> None:
    for n in range(3):
        make_item(n, secured=f"secret-{n}")
    served = tmp_path / "news.db"
    assert main(["build", str(content), "--out", str(served), "--workers", "1"]) == 0
    replica = start_replica(
        served, tmp_path, "replica", {"NEWSGRAPH_ACCESS_TOKEN": TOKEN},
        "--shared-max-age", str(S_MAXAGE), "--stale-while-revalidate", str(STALE),
    )  # fmt: skip
    varnish = None
    try:
        replica.wait_healthy(60)
        varnish = start_varnish(tmp_path / "varnish", port_of(replica))
        varnish.wait_ready(60)
        with httpx.Client(base_url=replica.url) as direct:
            for query in (FEED, SECRET):  # the replica learns the documents (APQ)
                learnt = direct.get(
                    "/graphql", params={"query": query, "extensions": persisted(query)}
                )
                assert learnt.status_code == 200
        with httpx.Client(base_url=varnish.url) as c:
            feed = {"extensions": persisted(FEED)}
            first = c.get("/graphql", params=feed)
            second = c.get("/graphql", params=feed)
            assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT"), (
                first.headers,
                first.text,
            )
            assert second.content == first.content
            assert second.headers["etag"] == first.headers["etag"]

            # the token: passed through every time, never stored nor served from the cache
            bearer = {"Authorization": f"Bearer {TOKEN}"}
            secret = {"extensions": persisted(SECRET)}
            for _ in range(2):
                mine = c.get("/graphql", params=secret, headers=bearer)
                assert mine.headers["x-cache"] == "MISS"
                assert mine.headers["cache-control"] == "private, no-store"
                assert mine.json()["data"]["articles"]["nodes"][0]["secured"].startswith("secret")
                cached_feed = c.get("/graphql", params=feed, headers=bearer)
                assert cached_feed.headers["x-cache"] == "MISS"
            anonymous = c.get("/graphql", params=secret)
            assert anonymous.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            assert "secret-" not in anonymous.text

            # new content: a new build, renamed over the served file, SIGHUP
            make_item(
                7, title="A story that just came in", publishedDateTime="2025-06-01T00:00:00Z"
            )
            assert main(["build", str(content), "--out", str(served), "--workers", "1"]) == 0
            replica.proc.send_signal(signal.SIGHUP)
            switched_at = time.monotonic()
            while c.get("/graphql", params=feed).content == first.content:
                assert time.monotonic() - switched_at < S_MAXAGE + STALE + 5, "old body kept"
                time.sleep(0.2)
            fresh = c.get("/graphql", params=feed)
            assert "A story that just came in" in fresh.text
            assert fresh.headers["etag"] != first.headers["etag"]
            assert fresh.headers["x-content-version"] != first.headers["x-content-version"]
    finally:
        if varnish is not None:
            varnish.stop()
        replica.stop()
    assert "switched to" in replica.log.read_text()
    assert not list(tmp_path.glob("news.db-*"))
    assert os.path.exists(served)
