"""The verdicts and helpers of bench.serve, bench.soak and bench.scaling, without servers.

Why: a verdict line is what a reader of a benchmark run believes; these pin down how each
target of issue 14 is judged (ratios to the floor, p99 at 16 connections, the memory
plateau) and that the soak's request mix never repeats a body.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import httpx
import pytest

from bench import cases as cases_mod
from bench import scaling as scaling_mod
from bench import serve as serve_mod
from bench import soak as soak_mod
from bench import wrk as wrk_mod


def _rows(rps: dict[tuple[str, str], float], p99: float = 5.0) -> list[serve_mod.Row]:
    return [
        serve_mod.Row(case, mode, wrk_mod.WrkResult(100, 1.0, value, 1.0, p99), 1000)
        for (case, mode), value in rps.items()
    ]


def test_serve_verdicts_per_case() -> None:
    rows = _rows({("floor", "cold"): 1000, ("floor", "warm"): 1000, ("homepage", "cold"): 900,
                  ("homepage", "warm"): 3100, ("topic", "cold"): 650, ("topic", "warm"): 3500})  # fmt: skip
    lines = serve_mod.verdicts(rows, 16)
    assert "cold homepage >= 0.9" in lines[0]
    home, topic = lines[1].split(), lines[2].split()
    assert home[:2] == ["homepage", "met"]
    assert topic[:3] == ["topic", "NOT", "MET"]
    assert "cold 0.650x floor (>= 0.7) MISS" in lines[2]
    assert "p99 max 5.0 ms ok" in lines[1]
    slow = serve_mod.verdicts(_rows({("floor", "cold"): 10, ("homepage", "cold"): 10}, 25), 16)
    assert "NOT MET" in slow[1]
    assert "p99 max 25.0 ms MISS" in slow[1]
    assert "p99 not judged at 64 connections" in serve_mod.verdicts(rows, 64)[1]


def test_serve_compares_the_homepage_bodies() -> None:
    floor = cases_mod.floor_case()
    home = cases_mod.gql_case("homepage", cases_mod.HOMEPAGE, [{"first": 20, "after": None}])
    floor.response_body = home.response_body = b'{"data":{"articles":{"totalCount":1}}}'
    floor.response_bytes = home.response_bytes = len(floor.response_body)
    assert serve_mod.compare_bodies(floor, [home]).endswith("(1.000x); equal JSON")
    home.response_body = b'{"data":{"articles":{"totalCount":2}}}'
    assert "DIFFERS" in serve_mod.compare_bodies(floor, [home])
    assert "no homepage case" in serve_mod.compare_bodies(floor, [])


def test_soak_mix_never_repeats_a_line_and_judges_the_plateau() -> None:
    home = cases_mod.gql_case("homepage", cases_mod.HOMEPAGE, [{"first": 20, "after": None}])
    search = cases_mod.gql_case("search", cases_mod.SEARCH, [{"text": w} for w in "abc"])
    lines = soak_mod.mix([home, search], 4)
    assert len(lines) == len(set(lines)) == 8
    variables = [json.loads(cases_mod.fill(line, 7))["variables"] for line in lines]
    assert [v.get("text") for v in variables[1::2]] == ["a", "b", "c", "a"]
    assert variables[2]["copy"] == 1
    flat = [(t * 10.0, 100.0 + t % 2) for t in range(60)]
    assert soak_mod.plateau(flat, 300)[0]
    growing = [(t * 10.0, 100.0 + t) for t in range(60)]
    ok, first, low, high = soak_mod.plateau(growing, 300)
    assert (ok, first, low, high) == (False, 129.0, 129.0, 159.0)
    assert "   10 s   101.0 MB" in soak_mod.format_series(growing[:8], per_line=4)


def test_scaling_datasets_reuse_folders_and_named_pairs(tmp_path: Path) -> None:
    parser = argparse.Namespace(dataset=["1000000=/data/c1m:/data/c1m.db"],
                                corpus_dir=tmp_path / "c", db_dir=tmp_path / "d")  # fmt: skip
    found = scaling_mod.datasets(parser, [1000, 1_000_000])
    assert found[1000] == (tmp_path / "c" / "corpus-1000", tmp_path / "d" / "scaling-1000.db")
    assert found[1_000_000] == (Path("/data/c1m"), Path("/data/c1m.db"))
    parser.dataset = ["1000000=/data/c1m"]
    with pytest.raises(SystemExit, match="N=CONTENT_DIR:DB_FILE"):
        scaling_mod.datasets(parser, [1000])


def test_check_case_measures_timeouts_but_stops_on_a_broken_case() -> None:
    def answering(body: dict[str, object]) -> httpx.Client:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
        return httpx.Client(transport=transport, base_url="http://gql")

    case = cases_mod.gql_case("topic", cases_mod.TOPIC, [{"slug": "big"}])
    timeout = {"data": {"topic": None}, "errors": [{"message": "slow", "extensions":
               {"code": "TIMEOUT"}}]}  # fmt: skip
    with answering(timeout) as client:
        note = cases_mod.check_case(client, case)
    assert note is not None
    assert note.startswith("case topic: the server answered TIMEOUT to ")
    assert note.endswith("measured anyway, its errors are counted")
    assert case.response_bytes > 0
    with answering({"data": {"topic": {"name": "x"}}}) as client:
        assert cases_mod.check_case(client, case) is None
    invalid = {"errors": [{"message": "no", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}
    for body in (invalid, {"data": {"topic": None}}):
        with answering(body) as client, pytest.raises(SystemExit, match="case topic"):
            cases_mod.check_case(client, case)
