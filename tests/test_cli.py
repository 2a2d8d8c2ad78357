"""The newsgraph command: load reports and exit statuses, export-schema, serve."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx
import pytest

from loaders.loader import load
from newsgraph.cli import main
from tests.browser.live_server import newsgraph_server
from tests.conftest import MakeItem, front_matter, item_fields, wait_for_reader


def test_load_prints_problems_then_counts(
    make_item: MakeItem, content: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_item(1)
    make_item(2, quality="high", name="bad.md")
    assert main(["load", str(content), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("refused _news/bad.md:")
    assert "quality: expected a whole number, got 'high'" in out[0]
    assert out[-1].startswith("added 1, updated 0, unchanged 0, removed 0, failed 1")
    assert main(["load", str(content), "--db", str(db_path)]) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith("added 0, updated 0, unchanged 1, removed 0, failed 1")
    )


def test_load_json_report(
    make_item: MakeItem, content: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_item(1)
    assert main(["load", str(content), "--db", str(db_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["failed"], report["content_version"]) == (1, 0, 1)


def test_nothing_loadable_is_a_failure(
    content: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (content / "_news" / "x.md").write_text("no front matter\n", encoding="utf-8")
    assert main(["load", str(content), "--db", str(db_path)]) == 1
    assert "failed 1" in capsys.readouterr().out


def test_missing_folder_and_unwritable_db_are_errors(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")]) == 2
    assert "does not exist" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert main(["load", str(content), "--db", str(blocker / "x.db")]) == 2
    assert "cannot open the database" in capsys.readouterr().err


def test_serve_loads_the_sample_and_serves_graphql_and_graphiql(tmp_path: Path) -> None:
    with newsgraph_server(tmp_path) as base:
        health = httpx.get(f"{base}/healthz", timeout=5)
        assert health.json()["status"] == "ok"
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=5)
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
        answer = httpx.post(f"{base}/graphql", json={"query": "{ articles { totalCount } }"})
        assert answer.json()["data"]["articles"]["totalCount"] > 50
        by_get = httpx.get(f"{base}/graphql", params={"query": "{ contentInfo { version } }"})
        assert by_get.json()["data"]["contentInfo"]["version"] == 1


def test_serve_answers_from_a_loaded_database_before_its_reconcile_finishes(
    make_item: MakeItem, content: Path, tmp_path: Path
) -> None:
    for n in range(3):
        make_item(n)
    asyncio.run(load(content, tmp_path / "serve.db"))  # the file newsgraph_server serves
    fifo = content / "_news" / "9-slow.md"
    os.mkfifo(fifo)  # the reconcile blocks opening it until the test writes it
    with newsgraph_server(tmp_path, "--content", str(content)) as base:
        # answered while the reconcile cannot have finished: it waits on the FIFO
        assert httpx.get(f"{base}/healthz", timeout=5).json() == {
            "status": "ok", "contentVersion": 1, "articles": 3,
        }  # fmt: skip
        writer = asyncio.run(
            wait_for_reader(fifo)
        )  # a reader holds the FIFO: the reconcile is parsing
        assert httpx.get(f"{base}/healthz", timeout=5).json()["contentVersion"] == 1
        os.write(writer, front_matter(item_fields(9)).encode())
        os.close(writer)
        deadline = time.monotonic() + 60
        while (health := httpx.get(f"{base}/healthz", timeout=5).json())["contentVersion"] < 2:
            assert time.monotonic() < deadline, "the background reconcile never committed"
            time.sleep(0.1)
        assert health == {"status": "ok", "contentVersion": 2, "articles": 4}
        metrics = httpx.get(f"{base}/metrics", timeout=5).text
        assert 'newsgraph_last_load_files{outcome="added"} 1.0' in metrics
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "reconciling" in log and "reconciled: added 1, updated 0, unchanged 3" in log


def test_plain_progress_lines_for_large_loads_off_a_terminal() -> None:
    import io

    from newsgraph.cli import _PlainProgress

    out = io.StringIO()
    progress = _PlainProgress(out)
    for done in range(0, 5001, 200):
        progress(done, 5000)
    lines = out.getvalue().splitlines()
    assert lines[0] == "parsed 0 of 5,000 changed files"
    assert lines[-1] == "parsed 5,000 of 5,000 changed files"
    assert len(lines) == 11
    quiet = io.StringIO()
    small = _PlainProgress(quiet)
    small(10, 10)
    assert quiet.getvalue() == ""
