"""Smoke tests for the benchmark commands, so they do not rot between benchmark runs.

Why: benchmarks run rarely and by hand; a renamed column or a changed API breaks them
silently. These run every command end to end on a tiny corpus (load, serve, first,
stall, scaling, soak) and read what it printed, check that the floor app answers
exactly what the GraphQL server answers for the homepage query (the floor is only a
fair floor if it does the same work), and check the wrk output parser, the Lua script
and the verdicts. What needs wrk is skipped without it.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.http.app import create_app as graphql_app
from bench import cases as cases_mod
from bench import dataset as dataset_mod
from bench import first as first_mod
from bench import floor as floor_mod
from bench import load as load_mod
from bench import scaling as scaling_mod
from bench import serve as serve_mod
from bench import servers as servers_mod
from bench import soak as soak_mod
from bench import stall as stall_mod
from bench import wrk as wrk_mod
from bench.corpus import generate
from core.config import Settings
from loaders.loader import LoadOptions, load


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 generated items loaded into a database."""
    root = tmp_path_factory.mktemp("bench-small")
    generate(root / "content", 50)
    db = root / "small.db"
    report = asyncio.run(load(root / "content", db, LoadOptions(workers=1)))
    assert report.added == 50
    return db


# --- bench.load -------------------------------------------------------------------------


def test_load_benchmark_on_a_tiny_corpus() -> None:
    out = io.StringIO()
    assert load_mod.main(["--items", "300", "--workers", "1"], out=out) == 0
    text = out.getvalue()
    assert "page cache warmed" in text
    assert "WARNING" not in text
    rows = {line[:24].strip(): line[24:].split() for line in text.splitlines() if "  " in line}
    full = rows["newsgraph load (full)"]
    assert full[0] == "300"
    assert float(full[-1]) > 0  # ratio to floor
    assert rows["reload, nothing changed"][0] == "300"
    assert rows["floor: read + YAML"][0] == "300"
    assert "added 300, failed 0" in text
    assert "newsgraph serve on the unchanged database: /healthz answered after" in text
    assert "the background reconcile reported after" in text and "(no report)" not in text
    verdicts = [line for line in text.splitlines() if line.startswith(("met ", "NOT met"))]
    assert len(verdicts) == 5
    assert any("no-change reload peak RSS < 200 MB" in line for line in verdicts)


def test_floor_parse_reads_only_item_files(tmp_path: Path) -> None:
    generate(tmp_path / "c", 12)
    (tmp_path / "c" / ".hidden").mkdir()
    (tmp_path / "c" / ".hidden" / "x.md").write_text("---\ntitle: no\n---\n")
    (tmp_path / "c" / "top.markdown").write_text("---\ntitle: yes\n---\nbody\n")
    files = load_mod.content_files(tmp_path / "c")
    assert len(files) == 13
    assert not any("_data" in f or ".hidden" in f for f in files)
    assert load_mod.parse_chunk(files) == 13
    assert load_mod.floor(tmp_path / "c", 1) == (13, 13)
    assert load_mod.floor(tmp_path / "c", 2) == (13, 13)  # a pool of two, as in a real run


def test_load_table_format() -> None:
    run = load_mod.Measured(2.0, 100.0, 150.0, 0, "", "", 3.0, 0.5, 90.0, 40.0)
    alone = load_mod.Measured(2.0, 100.0, 150.0, 0, "", "", 3.0, 0.5, 90.0)
    table = load_mod.format_table(
        [load_mod.Row("floor", 1000, run, 500.0), load_mod.Row("reload", 1000, alone)]
    )
    lines = table.splitlines()
    assert "ratio to floor" in lines[0] and "main RSS MB" in lines[0]
    assert lines[2].split()[-1] == "1.000"
    assert lines[2].split()[1:7] == ["1,000", "2.00", "500", "90", "40", "150"]
    assert lines[3].split()[-1] == "-"
    assert lines[3].split()[5] == "-"  # no parser processes


# --- bench.floor ------------------------------------------------------------------------


async def test_floor_answers_what_graphql_answers(small_db: Path) -> None:
    floor_app = floor_mod.create_app(small_db)
    app = graphql_app(Settings(db=small_db))
    case = cases_mod.gql_case("homepage", cases_mod.HOMEPAGE, [{"first": 20, "after": None}])
    try:
        transport = httpx.ASGITransport(app=floor_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
            answer = await client.post("/homepage", content=cases_mod.floor_case().warm)
            assert answer.status_code == 200
            floor_raw = answer.content
            floor_body = answer.json()
            assert (await client.get("/healthz")).json()["articles"] == 50
            assert (await client.post("/homepage", content=b"[1]")).status_code == 400
            assert (await client.post("/homepage", json={"first": 101})).status_code == 400
            smaller = (await client.post("/homepage", json={"first": 3})).json()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gql") as client:
            headers = {"content-type": "application/json"}
            warm_raw = (await client.post("/graphql", content=case.warm, headers=headers)).content
            warm = json.loads(warm_raw)
            # a cold request (negative minWidth, as late in a cold run) picks the same images
            cold = cases_mod.fill(case.cold[0], -1234)
            cold_body = (await client.post("/graphql", content=cold, headers=headers)).json()
    finally:
        floor_app.state.floor.close()
        app.state.pool.close()

    assert "errors" not in warm
    assert floor_body == warm
    assert len(floor_raw) == len(warm_raw)  # the same bytes on the wire, too
    assert cold_body == warm
    feed = floor_body["data"]["articles"]
    assert feed["totalCount"] == 50
    assert feed["pageInfo"]["hasNextPage"] is True
    nodes = feed["nodes"]
    assert len(nodes) == 20
    dates = [n["publishedAt"] for n in nodes]
    assert dates == sorted(dates, reverse=True)
    assert set(nodes[0]) == {
        "id", "slug", "title", "excerpt", "publishedAt", "webUrl", "provider",
        "leadImage", "images", "topics", "related",
    }  # fmt: skip
    assert all(len(n["related"]) <= 3 for n in nodes)
    assert any(n["related"] for n in nodes)
    assert all(set(n["provider"]) == {"name", "domain"} for n in nodes)
    assert len(smaller["data"]["articles"]["nodes"]) == 3


def test_floor_counts_once_per_database_version(tmp_path: Path) -> None:
    db = tmp_path / "count.db"
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA journal_mode = wal")
    writer.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY)")
    writer.execute("INSERT INTO articles VALUES (1), (2)")
    reader = floor_mod.connect(db)
    counted: dict[int, int] = {}
    try:
        assert floor_mod.article_count(reader, counted) == 2
        writer.execute("INSERT INTO articles VALUES (3)")  # another connection commits
        assert floor_mod.article_count(reader, counted) == 3
        assert len(counted) == 1
        (version,) = counted
        counted[version] = 99  # the next call must use the kept count, not count again
        assert floor_mod.article_count(reader, counted) == 99
    finally:
        reader.close()
        writer.close()


# --- bench.serve --------------------------------------------------------------------------

WRK_OUTPUT = """\
Running 15s test @ http://127.0.0.1:40123/graphql
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   312.45ms   45.12ms   1.20s    88.00%
    Req/Sec    25.31     10.02    60.00     70.00%
  Latency Distribution
     50%  305.12ms
     75%  330.00ms
     90%  380.50ms
     99%    1.02s
  763 requests in 15.02s, 19.34MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:     50.80
Transfer/sec:      1.29MB
bench-graphql-errors 4
bench-requests-sent 779
"""


def test_parse_wrk_output() -> None:
    result = wrk_mod.parse_wrk(WRK_OUTPUT)
    assert result.requests == 763
    assert result.seconds == pytest.approx(15.02)
    assert result.rps == pytest.approx(50.80)
    assert result.p50_ms == pytest.approx(305.12)
    assert result.p99_ms == pytest.approx(1020.0)
    assert (result.non_2xx, result.socket_errors, result.graphql_errors) == (3, 3, 4)
    assert result.errors == 10
    clean = wrk_mod.parse_wrk(WRK_OUTPUT.replace("  Non-2xx or 3xx responses: 3\n", ""))
    assert clean.non_2xx == 0
    assert wrk_mod.to_ms("850.00us") == pytest.approx(0.85)
    assert wrk_mod.to_ms("1.00m") == pytest.approx(60_000)
    with pytest.raises(ValueError, match="no summary"):
        wrk_mod.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_serve_table_and_bodies() -> None:
    tpl = cases_mod.gql_case("search", cases_mod.SEARCH, [{"text": "a"}, {"text": "b"}])
    assert len(tpl.cold) == 2
    assert json.loads(cases_mod.fill(tpl.cold[1], -3))["variables"] == {
        "text": "b",
        "minWidth": -3,
    }
    assert json.loads(tpl.warm)["variables"]["minWidth"] == cases_mod.BASE_MIN_WIDTH
    result = wrk_mod.parse_wrk(WRK_OUTPUT)
    floor = wrk_mod.WrkResult(1000, 15.0, 101.6, 1.0, 2.0)
    table = serve_mod.format_table(
        [
            serve_mod.Row("floor", "warm", floor, 1024),
            serve_mod.Row("homepage", "warm", result, 2048, "20 newest"),
        ]
    )
    last = table.splitlines()[-1].split()
    assert last[:3] == ["homepage", "warm", "50.8"]
    assert "0.500" in last


def test_serve_without_wrk_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert serve_mod.main(["--cases", "homepage"]) == 2
    assert "apt-get install -y wrk" in out.getvalue()


@pytest.fixture
def floor_server(small_db: Path, tmp_path: Path) -> Iterator[servers_mod.Server]:
    port = servers_mod.free_port()
    argv = [sys.executable, "-m", "bench.floor", "--db", str(small_db), "--port", str(port)]
    server = servers_mod.start("floor", argv, port, tmp_path)
    try:
        server.wait_healthy(30)
        yield server
    finally:
        server.stop()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_script_drives_the_floor(floor_server: servers_mod.Server, tmp_path: Path) -> None:
    settings = wrk_mod.WrkSettings(duration=1, connections=4, threads=2, timeout=5)
    started = time.monotonic()
    for mode in ("cold", "warm"):
        result = wrk_mod.run_wrk(floor_server.url, cases_mod.floor_case(), mode, settings, tmp_path)
        assert result.requests > 0
        assert result.errors == 0
        assert result.p50_ms is not None
        assert result.p99_ms is not None
    assert time.monotonic() - started < 20


# --- each command end to end, small ---------------------------------------------------------


def _table(text: str, first_word: str) -> list[str]:
    """The whitespace-split line of a table starting with ``first_word``."""
    return next(line.split() for line in text.splitlines() if line.startswith(first_word + " "))


def test_first_sends_each_query_once(small_db: Path) -> None:
    out = io.StringIO()
    content = small_db.parent / "content"
    argv = ["--db", str(small_db), "--content", str(content), "--words", "6", "--slowest", "2"]
    assert first_mod.main(argv, out=out) in (0, 1)
    text = out.getvalue()
    topics = len(dataset_mod.describe(small_db).topics)
    for group, count in (("topics", topics), ("facets", 21), ("search", 6), ("prefix", None)):
        row = _table(text, group)
        assert count is None or int(row[1]) == count, row
        assert float(row[2].replace(",", "")) > 0  # p50 ms
        assert row[5:7] == ["0", "0"]  # no failures, no TIMEOUT
    assert "verdict (p95 < 100 ms, no errors)" in text
    assert text.count("newsgraph_executor_total{executor}: compiled") == 4
    assert re.search(r"ms  '\w+' \(in [\d,]+ articles\)  \[compiled\]", text), text


def test_stall_measures_the_homepage_alone_and_under_load(small_db: Path) -> None:
    out = io.StringIO()
    content = small_db.parent / "content"
    argv = ["--db", str(small_db), "--content", str(content), "--duration", "1.5",
            "--reference", "1", "--clients", "2"]  # fmt: skip
    assert stall_mod.main(argv, out=out) in (0, 1)
    text = out.getvalue()
    alone = next(line for line in text.splitlines() if line.startswith("homepage alone"))
    assert int(alone.split()[4].replace(",", "")) > 10  # requests in a second
    assert alone.endswith("none")  # no errors
    assert "homepage under load (2 s)" in text
    assert "expensive client 2" in text
    for family in ("search-facets", "or-not", "deep-quality", "aliases"):
        assert f"  {family}" in text
    assert "QUERY_TOO_COMPLEX" not in text
    assert "target 2: homepage p99 under load" in text


def test_scaling_reuses_a_database_and_generates_another(small_db: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    pair = f"50={small_db.parent / 'content'}:{small_db}"
    argv = ["--sizes", "50,80", "--requests", "4", "--work", str(tmp_path),
            "--dataset", pair, "--cases", "homepage,deep,readme-topic,readme-provider"]  # fmt: skip
    assert scaling_mod.main(argv, out=out) in (0, 1)
    text = out.getvalue()
    assert "generated 80 items" in text
    assert "generated 50 items" not in text
    assert (tmp_path / "scaling-80.db").exists()
    rows = [line.split() for line in text.splitlines() if line.startswith("readme-topic ")]
    assert [r[1] for r in rows] == ["50", "80"]
    assert rows[0][5:7] == ["1.00x", "1.00x"]
    assert all(r[-1] == "0" for r in rows)  # no errors
    assert "target 5 (each case's p50 and p95 within 1.5x of the 50-item figure" in text
    assert "RSS not judged below 1,000,000 items" in text


needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


@needs_wrk
def test_soak_samples_memory_and_never_hits_the_cache(small_db: Path) -> None:
    out = io.StringIO()
    argv = ["--db", str(small_db), "--content", str(small_db.parent / "content"),
            "--duration", "3", "--interval", "1", "--connections", "4",
            "--cases", "homepage,search,readme-topic"]  # fmt: skip
    assert soak_mod.main(argv, out=out) in (0, 1)
    text = out.getvalue()
    assert "errors: non-2xx 0, socket 0, GraphQL 0" in text
    assert text.count(" MB |") >= 2  # a series of samples
    assert "target 6 (RSS of the last 2 s within +-5% of its start, 0 errors)" in text
    assert "response cache answered 0.0% of the requests" in text


@needs_wrk
def test_serve_prints_bodies_metrics_and_verdicts(
    small_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSGRAPH_WORKERS", "1")
    out = io.StringIO()
    argv = ["--db", str(small_db), "--content", str(small_db.parent / "content"),
            "--duration", "1", "--connections", "4", "--cases", "homepage,readme-provider"]  # fmt: skip
    assert serve_mod.main(argv, out=out) in (0, 1)
    text = out.getvalue()
    assert re.search(r"homepage body: newsgraph ([\d,]+) bytes, floor \1 bytes \(1\.000x\); "
                     r"equal JSON", text), text  # fmt: skip
    assert "newsgraph during the runs: newsgraph_executor_total{executor}: cache" in text
    cold = _table(text, "readme-provider").copy()
    assert cold[1] == "cold"
    assert cold[11:13] == ["0.0", "0"]  # cache%, fallbacks: no cold request was cached
    assert re.search(r"^  readme-provider +(met|NOT MET) +cold", text, re.MULTILINE)
    assert "p99 not judged at 4 connections" in text
