"""Soak: ten minutes at 64 connections of requests that never repeat, watching memory.

Why: a server can pass every test and still leak, or fail only after hundreds of
thousands of requests (target 6 of issue 14: on the 1M database, RSS sampled every 10 s
reaches a plateau after warm-up, the last 5 minutes within +-5%, and 0 errors). This
starts ``newsgraph serve`` (one worker) and drives it with ``wrk`` from 127.0.0.1 with a
mix of every :mod:`bench.serve` case (homepage, topic, deep page, search, article and
the README's TopicPage, ProviderPage, Search and Article), up to ``--variants`` bodies
of each, every request with a variable that never repeats (bench.serve's cold mode), so
the response cache cannot hold them. The server's resident memory (its process and any
children) is sampled every ``--interval`` seconds and printed as a series, with the
plateau check, wrk's errors and the server's own counts (the response cache must have
answered none of the requests).

Run: ``python -m bench.soak --db FILE --content DIR [--duration 600] [--interval 10]``,
or ``--items N`` to generate and load a corpus first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import httpx

from bench import metrics
from bench.cases import ALL_CASES, COLD_BASE, Case, build_cases, check_case
from bench.corpus import generate
from bench.servers import serve_newsgraph, tree_rss_mb
from bench.wrk import LUA, parse_wrk

PLATEAU_TOLERANCE = 0.05


def mix(cases: Sequence[Case], variants: int) -> list[str]:
    """Body templates for wrk's cold mode: ``variants`` of each case, interleaved so that
    every case gets the same share of the requests. A case with fewer variants repeats
    them with an unused variable ``copy`` added, so that no two lines are alike (wrk's
    cold mode makes request bodies unique only across distinct lines)."""
    found: list[str] = []
    for i in range(variants):
        for case in cases:
            line = case.cold[i % len(case.cold)]
            if i >= len(case.cold):
                if not line.endswith("}}"):
                    raise ValueError(f"case {case.name}: the body does not end in its variables")
                line = f'{line[:-2]},"copy":{i}}}}}'
            found.append(line)
    return found


def plateau(
    samples: Sequence[tuple[float, float]], window: float
) -> tuple[bool, float, float, float]:
    """Whether every sample of the last ``window`` seconds is within +-5% of the first
    one of that window; returns (ok, first MB, lowest MB, highest MB)."""
    if not samples:
        return False, 0.0, 0.0, 0.0
    end = samples[-1][0]
    last = [mb for at, mb in samples if at >= end - window] or [samples[-1][1]]
    first = last[0]
    ok = all(abs(mb - first) <= PLATEAU_TOLERANCE * first for mb in last)
    return ok, first, min(last), max(last)


def format_series(samples: Sequence[tuple[float, float]], per_line: int = 6) -> str:
    """``   10 s  312.4 MB`` cells, ``per_line`` to a line."""
    cells = [f"{at:>5.0f} s {mb:>7.1f} MB" for at, mb in samples]
    return "\n".join(
        "  " + " | ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)
    )


def run(args: argparse.Namespace, db: Path, content: Path, work: Path, out: TextIO) -> int:
    """Serve ``db``, drive it with wrk while sampling memory, print; 1 if the target is
    not met."""
    server = serve_newsgraph(db, content, work, "soak")
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample(begun: float) -> None:
        while True:
            samples.append((time.monotonic() - begun, tree_rss_mb(server.proc.pid)))
            if stop.wait(args.interval):
                return

    try:
        took = server.wait_healthy(args.startup_timeout)
        names = [n.strip() for n in args.cases.split(",") if n.strip()]
        with httpx.Client(base_url=server.url, timeout=60) as client:
            cases = build_cases(names, db, client, out)
            for case in cases:
                if problem := check_case(client, case):
                    out.write(f"WARNING: {problem}\n")
        bodies = work / "soak.bodies"
        bodies.write_text("\n".join(mix(cases, args.variants)) + "\n")
        before = metrics.scrape(server.url)
        out.write(
            f"soak: {args.duration} s at {args.connections} connections on {db} "
            f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}); serve healthy "
            f"after {took:.1f} s at {tree_rss_mb(server.proc.pid):.0f} MB; "
            f"{len(cases)} cases: {', '.join(c.name for c in cases)}\n"
        )
        out.flush()
        sampler = threading.Thread(target=sample, args=(time.monotonic(),), daemon=True)
        sampler.start()
        argv = [
            "wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout=10s",
            "--latency", "-s", str(LUA), server.url + "/graphql", "--",
            str(bodies), "cold", "2", str(COLD_BASE),
        ]  # fmt: skip
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=args.duration + 120, check=False
        )
        stop.set()
        sampler.join()
        if done.returncode != 0:
            out.write(f"wrk failed ({done.returncode}): {done.stderr[-500:]}\n")
            return 1
        result = parse_wrk(done.stdout)
        counts = metrics.scrape(server.url) - before
    finally:
        stop.set()
        server.stop()
    window = min(args.plateau, args.duration / 2)
    ok, first, low, high = plateau(samples, window)
    spread = f"{(low / first - 1):+.1%}..{(high / first - 1):+.1%}" if first else "-"
    out.write(
        f"requests {result.requests:,} ({result.rps:,.1f}/s), p50 {result.p50_ms} ms, "
        f"p99 {result.p99_ms} ms\n"
        f"errors: non-2xx {result.non_2xx}, socket {result.socket_errors}, "
        f"GraphQL {result.graphql_errors}\n"
        f"server: {counts.describe()}\n"
        f"\nRSS every {args.interval:g} s (server process and children):\n"
        f"{format_series(samples)}\n"
        f"\nlast {window:.0f} s: {first:.1f} MB at the start, {low:.1f}..{high:.1f} MB "
        f"({spread})\n"
    )
    cache_share = counts.share("cache")
    met = ok and result.errors == 0
    out.write(
        f"\ntarget 6 (RSS of the last {window:.0f} s within +-{PLATEAU_TOLERANCE:.0%} of its "
        f"start, 0 errors): {'met' if met else 'NOT MET'}"
        f" (plateau {'ok' if ok else 'MISS'}, errors {result.errors})"
        f"; response cache answered {cache_share:.1%} of the requests\n"
    )
    return 0 if met else 1


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """The command line (``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", type=Path, help="a loaded database (with --content)")
    parser.add_argument("--content", type=Path, help="the folder it was loaded from")
    parser.add_argument("--items", type=int, default=10_000, help="corpus size without --db")
    parser.add_argument("--duration", type=int, default=600, help="seconds of load")
    parser.add_argument("--interval", type=float, default=10, help="seconds between RSS samples")
    parser.add_argument("--plateau", type=float, default=300, help="seconds judged at the end")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--variants", type=int, default=20, help="bodies per case at most")
    parser.add_argument("--cases", default=",".join(ALL_CASES), help="comma-separated")
    parser.add_argument("--startup-timeout", type=float, default=900)
    args = parser.parse_args(argv)
    if (args.db is None) != (args.content is None):
        raise SystemExit("pass --db and --content together (or neither, with --items)")
    with tempfile.TemporaryDirectory(prefix="newsgraph-soak-") as tmp:
        work = Path(tmp)
        if args.content is None:
            generate(work / "corpus", args.items, seed=2)
            return run(args, work / "soak.db", work / "corpus", work, out)
        if not args.db.is_file() or not args.content.is_dir():
            raise SystemExit("--db must be a database file and --content a folder")
        return run(args, args.db.resolve(), args.content.resolve(), work, out)


if __name__ == "__main__":
    raise SystemExit(main())
