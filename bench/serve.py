"""Serving benchmark: GraphQL throughput and latency per query shape, against a floor.

Why: a requests/s number for the GraphQL server says little unless it is set against
what this machine can do at all. This starts ``newsgraph serve`` (one uvicorn worker)
and :mod:`bench.floor` (a bare Starlette app answering the homepage feed with
hand-written SQL, same uvicorn settings) on the same database, and drives both with
``wrk`` from 127.0.0.1, one measurement at a time, so every ratio compares numbers
taken minutes apart on the same, shared machine.

Each case runs twice. *Warm*: the identical request repeated — what a response cache
would make of it. *Cold*: no two requests alike (a ``minWidth`` variable that never
repeats and, where the case has them, different slugs, cursors or search words), so no
response cache can help; on the generated corpora every ``minWidth`` at or below 320
(negative ones too) picks the same lead image, so cold and warm do the same work.

Cases: ``homepage`` (the README's feed, 20 newest with provider, images, topics and 3
related), ``topic`` (a popular topic's page with facets), ``deep`` (page 500 of the
feed by cursor, fetched through the API beforehand), ``search`` (full-text, by
relevance), ``article`` (one article by slug with its related items), and the README's
other examples as printed there: ``readme-topic``, ``readme-provider``, ``readme-search``,
``readme-article``, ``snippets`` (SearchSnippets) and ``similar`` (MoreLikeThis); and
``dedupe``, the homepage with ``dedupe: true`` (one article per story).

After the table it prints the homepage body of both servers (sizes, and whether the JSON
is equal: the floor is only a floor if it does the same work), what answered each run
(the server's ``/metrics``: response cache, compiled plan or reference executor, and plan
fallbacks, which must be 0 on the README's shapes) and a verdict per case for target 4 of
issue 14: cold homepage >= 0.9 of the floor, every other cold case >= 0.7, warm >= 3x the
floor, p99 < 20 ms at 16 connections.

Run: ``python -m bench.serve --db FILE --content DIR [--duration 15] [--connections 16]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from bench import metrics
from bench.cases import ALL_CASES, Case, build_cases, check_case, floor_case
from bench.servers import Server, free_port, newsgraph_command, start
from bench.wrk import WRK_INSTALL, WrkResult, WrkSettings, cpu_of_others, run_wrk


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    case: str
    mode: str
    result: WrkResult
    response_bytes: int
    note: str = ""
    others: float = 0.0  # CPU cores busy with other processes than wrk and the server
    counts: metrics.Counts | None = None  # what the server counted during the run


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def format_table(rows: Sequence[Row]) -> str:
    """The report: one line per case and mode, throughput as a ratio to the floor."""
    floor = {r.mode: r.result.rps for r in rows if r.case == "floor"}
    head = (
        f"{'case':<15} {'mode':<5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>7} {'sock err':>8} {'gql err':>7} {'requests':>8} {'resp KB':>7} "
        f"{'vs floor':>8} {'cache%':>6} {'fallbk':>6} {'others':>6}  notes"
    )
    out = [head, "-" * len(head)]
    for r in rows:
        base = floor.get(r.mode)
        ratio = f"{r.result.rps / base:.3f}" if base else "-"
        cache, fallbacks = "-", "-"
        if r.counts is not None and r.counts.available:
            cache = f"{100 * r.counts.share('cache'):.1f}"
            fallbacks = f"{sum(r.counts.fallbacks.values()):,}"
        out.append(
            f"{r.case:<15} {r.mode:<5} {r.result.rps:>8,.1f} {_ms(r.result.p50_ms):>8} "
            f"{_ms(r.result.p99_ms):>8} {r.result.non_2xx:>7} {r.result.socket_errors:>8} "
            f"{r.result.graphql_errors:>7} {r.result.requests:>8,} "
            f"{r.response_bytes / 1024:>7.1f} {ratio:>8} {cache:>6} {fallbacks:>6} "
            f"{r.others:>6.2f}  {r.note}"
        )
    return "\n".join(out)


TARGET_HOMEPAGE_COLD = 0.9
TARGET_OTHER_COLD = 0.7
TARGET_WARM = 3.0
TARGET_P99_MS = 20.0
TARGET_CONNECTIONS = 16


def verdicts(rows: Sequence[Row], connections: int) -> list[str]:
    """Target 4 of issue 14, one line per case: cold throughput as a share of the floor's
    (0.9 for the homepage, 0.7 for the others), warm >= 3x the floor, p99 < 20 ms (judged
    only at 16 connections, the setting the target names)."""
    floor = {r.mode: r.result.rps for r in rows if r.case == "floor"}
    lines = [
        f"target 4 (cold homepage >= {TARGET_HOMEPAGE_COLD} of the floor, other cold cases >= "
        f"{TARGET_OTHER_COLD}, warm >= {TARGET_WARM:g}x the floor, p99 < {TARGET_P99_MS:g} ms at "
        f"{TARGET_CONNECTIONS} connections):"
    ]
    cases = list(dict.fromkeys(r.case for r in rows if r.case != "floor"))
    for case in cases:
        parts, met = [], True
        by_mode = {r.mode: r for r in rows if r.case == case}
        for mode, need in (
            ("cold", TARGET_HOMEPAGE_COLD if case == "homepage" else TARGET_OTHER_COLD),
            ("warm", TARGET_WARM),
        ):
            row = by_mode.get(mode)
            if row is None or not floor.get(mode):
                continue
            ratio = row.result.rps / floor[mode]
            ok = ratio >= need and row.result.errors == 0
            met = met and ok
            parts.append(f"{mode} {ratio:.3f}x floor (>= {need:g}) {'ok' if ok else 'MISS'}")
        p99s = [r.result.p99_ms or 0.0 for r in by_mode.values()]
        if connections == TARGET_CONNECTIONS:
            ok = all(p < TARGET_P99_MS for p in p99s)
            met = met and ok
            parts.append(f"p99 max {max(p99s):.1f} ms {'ok' if ok else 'MISS'}")
        else:
            parts.append(f"p99 not judged at {connections} connections")
        lines.append(f"  {case:<16} {'met' if met else 'NOT MET':<8} " + "; ".join(parts))
    return lines


def compare_bodies(floor_c: Case, cases: Sequence[Case]) -> str:
    """The homepage body of the floor and of newsgraph: sizes, and whether equal as JSON."""
    home = next((c for c in cases if c.name == "homepage"), None)
    if home is None:
        return f"homepage body: floor {floor_c.response_bytes:,} bytes (no homepage case run)"
    same = json.loads(home.response_body) == json.loads(floor_c.response_body)
    ratio = home.response_bytes / floor_c.response_bytes if floor_c.response_bytes else 0.0
    return (
        f"homepage body: newsgraph {home.response_bytes:,} bytes, floor "
        f"{floor_c.response_bytes:,} bytes ({ratio:.3f}x); "
        f"{'equal JSON' if same else 'the JSON DIFFERS: the floor does not do the same work'}"
    )


# --- main ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serve",
        description="Throughput and latency of `newsgraph serve` per query shape, "
        "with a bare Starlette + SQL floor measured in the same run.",
    )
    parser.add_argument("--db", type=Path, help="database (default: a new one in a temp dir)")
    parser.add_argument(
        "--content", type=Path, help="content the database was built from (default: generate)"
    )
    parser.add_argument(
        "--items", type=int, default=50_000, help="items to generate without --content"
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--timeout", type=int, default=10, help="wrk request timeout, seconds")
    parser.add_argument("--cases", default=",".join(ALL_CASES), help="comma-separated")
    parser.add_argument(
        "--startup-timeout", type=float, default=900, help="seconds to wait for /healthz"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="newsgraph server processes (the floor keeps 1)"
    )
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Run the benchmark and print the table."""
    args = _parser().parse_args(argv)
    names = [n.strip() for n in args.cases.split(",") if n.strip()]
    unknown = sorted(set(names) - set(ALL_CASES))
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}; choose from {', '.join(ALL_CASES)}")
    if shutil.which("wrk") is None:
        print(f"bench.serve needs wrk, which is not installed; install it with: {WRK_INSTALL}")
        return 2
    settings = WrkSettings(args.duration, args.connections, args.threads, args.timeout)
    os.environ["NEWSGRAPH_WORKERS"] = str(max(1, args.workers))  # read by `newsgraph serve`
    out.write(f"newsgraph serve --workers {max(1, args.workers)}\n")
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-serve-") as tmp:
        work = Path(tmp)
        db, content = (p.resolve() for p in _inputs(args, work, out))
        return _run(names, db, content, settings, work, args.startup_timeout, out)


def _inputs(args: argparse.Namespace, work: Path, out: TextIO) -> tuple[Path, Path]:
    db: Path = args.db or work / "newsgraph.db"
    if args.content is not None:
        if not args.content.is_dir():
            raise SystemExit(f"--content {args.content} is not a folder")
        return db, args.content
    if db.exists():
        raise SystemExit(
            f"{db} exists: pass --content with the folder it was built from (the server "
            "loads the content first and would remove every article not in it)"
        )
    from bench.corpus import generate

    started = time.perf_counter()
    stats = generate(work / "content", args.items)
    out.write(f"generated {stats.items:,} items in {time.perf_counter() - started:.1f} s\n")
    return db, work / "content"


def _run(
    names: Sequence[str],
    db: Path,
    content: Path,
    settings: WrkSettings,
    work: Path,
    startup_timeout: float,
    out: TextIO,
) -> int:
    graph_port, floor_port = free_port(), free_port()
    servers: list[Server] = []
    try:
        graph = start(
            "newsgraph",
            [*newsgraph_command(), "serve", "--db", str(db), "--content", str(content),
             "--port", str(graph_port)],
            graph_port, work,
        )  # fmt: skip
        servers.append(graph)
        took = graph.wait_healthy(startup_timeout)
        loaded = [ln for ln in graph.log_tail(200).splitlines() if ln.startswith("added ")]
        out.write(f"newsgraph serve healthy after {took:.1f} s; its load: {loaded[-1:]}\n")
        floor = start(
            "floor",
            [sys.executable, "-m", "bench.floor", "--db", str(db), "--port", str(floor_port)],
            floor_port, work,
        )  # fmt: skip
        servers.append(floor)
        floor.wait_healthy(60)
        floor_c = floor_case()
        with httpx.Client(base_url=graph.url, timeout=60) as gclient:
            cases = build_cases(names, db, gclient, out)
            for case in cases:
                if problem := check_case(gclient, case):
                    out.write(f"WARNING: {problem}\n")
        with httpx.Client(base_url=floor.url, timeout=60) as fclient:
            check_case(fclient, floor_c)
        _header(settings, db, out)
        warmup = WrkSettings(3, settings.connections, settings.threads, settings.timeout)
        run_wrk(floor.url, floor_c, "warm", warmup, work)
        if cases:
            run_wrk(graph.url, cases[0], "warm", warmup, work)
        rows: list[Row] = []
        start_counts = metrics.scrape(graph.url)
        for case, url in [(floor_c, floor.url)] + [(c, graph.url) for c in cases]:
            for mode in ("cold", "warm"):
                server = graph if url == graph.url else floor
                server.settle()
                before = metrics.scrape(graph.url) if server is graph else None
                with cpu_of_others(server.proc.pid) as others:
                    result = run_wrk(url, case, mode, settings, work)
                counts = metrics.scrape(graph.url) - before if before is not None else None
                rows.append(
                    Row(case.name, mode, result, case.response_bytes, case.note, others[0], counts)
                )
                out.write(
                    f"  {case.name:<15} {mode}: {result.rps:,.1f} req/s, "
                    f"p99 {_ms(result.p99_ms)} ms\n"
                )
                out.flush()
        out.write("\n" + format_table(rows) + "\n")
        out.write("\n" + compare_bodies(floor_c, cases) + "\n")
        out.write(
            f"newsgraph during the runs: {(metrics.scrape(graph.url) - start_counts).describe()}\n"
        )
        out.write("\n".join(["", *verdicts(rows, settings.connections)]) + "\n")
        bad = [f"{r.case} {r.mode}" for r in rows if r.result.errors]
        if bad:
            out.write(f"\nERRORS in: {', '.join(bad)} (see the error columns)\n")
        out.write(
            "\nvs floor = req/s / the floor's homepage req/s in the same mode. resp KB = size "
            "of the warm answer. cache% = share of the run's requests the response cache answered "
            "(0 in cold runs, or they measured the cache); fallbk = plan fallbacks in the run. "
            "others = CPU cores that processes other than wrk and the "
            "server kept busy during the run (the machine is shared; high values mean noise). "
            "Cold: unique variables per request; warm: one request repeated.\n"
        )
        return 1 if bad else 0
    finally:
        for server in reversed(servers):
            server.stop()


def _header(settings: WrkSettings, db: Path, out: TextIO) -> None:
    version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    wrk_line = (version.stdout or version.stderr).splitlines()[:1]
    load1, load5, _ = os.getloadavg()
    out.write(
        f"\n{os.cpu_count()} CPUs (wrk and the server share them), load average "
        f"{load1:.2f}/{load5:.2f}; {' '.join(wrk_line)}\n"
        f"wrk -t{settings.threads} -c{settings.connections} -d{settings.duration}s "
        f"--timeout {settings.timeout}s --latency, POST from 127.0.0.1; "
        f"db {db} ({db.stat().st_size / 2**20:,.0f} MB); one uvicorn worker each; "
        "3 s untimed warm-up per server first; each run starts once the server has "
        "finished the previous run's requests\n\n"
    )
    out.flush()


if __name__ == "__main__":
    raise SystemExit(main())
