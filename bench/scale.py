"""Scaling benchmark: read-only replicas behind nginx, and a shared cache's hits.

Why: issue 12 puts identical read-only replicas behind nginx with Varnish in front
(deploy/). This measures what that buys on this machine, with the floor in the same
run: the bare Starlette floor (:mod:`bench.floor`, hand-written SQL for the homepage
feed), then ``newsgraph serve --read-only`` on a built file through nginx with one
replica and with two, each sent the cold homepage (no two requests alike, so the
replicas' response caches cannot answer and each request costs a replica a full
query), and finally one persisted-query GET repeated through Varnish (hits: the
replicas never see them) and, for comparison, the same GET through nginx alone (each
request reaches a replica, whose response cache answers it).

On a 2-core machine the replicas, nginx, Varnish and wrk share the same cores:
two replicas cannot be twice one. The table says so rather than hide it: every
ratio is against the floor measured minutes apart on the same machine.

Run: ``python -m bench.scale [--db BUILT_FILE | --items 5000] [--duration 10]
[--connections 16]`` (needs wrk and nginx; Varnish for the cache rows).
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
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import httpx

from bench.cases import Case, build_cases, check_case, floor_case
from bench.deploy import (
    nginx_binary,
    persisted,
    port_of,
    start_nginx,
    start_replica,
    start_varnish,
    varnish_binary,
)
from bench.queries import HOMEPAGE
from bench.servers import Server, free_port, newsgraph_command, start
from bench.wrk import WRK_INSTALL, WrkResult, WrkSettings, parse_wrk, run_wrk


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a file written by `newsgraph build`")
    parser.add_argument(
        "--items", type=int, default=5000, help="without --db: generate and build this many"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Run the benchmark and print the table."""
    args = _parser().parse_args(argv)
    missing = [name for name in ("wrk",) if shutil.which(name) is None]
    if nginx_binary() is None:
        missing.append("nginx")
    if missing:
        out.write(
            f"bench.scale needs {' and '.join(missing)}: scripts/install-deploy-deps "
            f"(or {WRK_INSTALL} nginx-light)\n"
        )
        return 2
    settings = WrkSettings(args.duration, args.connections, args.threads, 10)
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-scale-") as tmp:
        work = Path(tmp)
        db = args.db.resolve() if args.db else _build(work, args.items, out)
        return _run(db, settings, work, out)


def _build(work: Path, items: int, out: TextIO) -> Path:
    from bench.corpus import generate

    started = time.perf_counter()
    generate(work / "content", items)
    db = work / "news.db"
    built = subprocess.run(
        [*newsgraph_command(), "build", str(work / "content"), "--out", str(db)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if built.returncode != 0:
        raise SystemExit(f"newsgraph build failed: {built.stderr[-1000:]}")
    out.write(f"generated and built {items:,} items in {time.perf_counter() - started:.1f} s\n")
    return db


def _run(db: Path, settings: WrkSettings, work: Path, out: TextIO) -> int:
    servers: list[Server] = []
    proxies = []
    rows: list[tuple[str, WrkResult, str]] = []
    try:
        floor_port = free_port()
        floor = start(
            "floor",
            [sys.executable, "-m", "bench.floor", "--db", str(db), "--port", str(floor_port)],
            floor_port, work,
        )  # fmt: skip
        servers.append(floor)
        replicas = [start_replica(db, work, f"replica{n}") for n in (1, 2)]
        servers.extend(replicas)
        for server in servers:
            server.wait_healthy(120)
        one = start_nginx(work / "nginx-one", [port_of(replicas[0])])
        two = start_nginx(work / "nginx-two", [port_of(r) for r in replicas])
        proxies += [one, two]
        for proxy in proxies:
            proxy.wait_ready()
        with httpx.Client(base_url=two.url, timeout=60) as client:
            (homepage,) = build_cases(["homepage"], db, client, out)
            check_case(client, homepage)
        floor_c = floor_case()
        _header(settings, db, out)
        warmup = WrkSettings(3, settings.connections, settings.threads, settings.timeout)
        run_wrk(floor.url, floor_c, "warm", warmup, work)
        run_wrk(two.url, homepage, "warm", warmup, work)
        runs: list[tuple[str, str, Case, str]] = [
            ("floor, direct", floor.url, floor_c, "bare Starlette + SQL, one process"),
            ("1 replica, direct", replicas[0].url, homepage, "cold homepage POST, no nginx"),
            ("1 replica via nginx", one.url, homepage, "cold homepage POST"),
            ("2 replicas via nginx", two.url, homepage, "cold homepage POST"),
        ]
        for name, url, case, note in runs:
            for server in servers:
                server.settle()
            rows.append((name, run_wrk(url, case, "cold", settings, work), note))
            _progress(rows[-1], out)
        get_path = _persisted_get(two.url)
        rows.append(("GET via nginx", _wrk_get(two.url + get_path, settings), "replica cache"))
        _progress(rows[-1], out)
        if varnish_binary() is not None:
            varnish = start_varnish(work / "varnish", port_of_url(two.url))
            proxies.append(varnish)
            varnish.wait_ready(60)
            httpx.get(varnish.url + get_path, timeout=30)
            hit = httpx.get(varnish.url + get_path, timeout=30).headers.get("x-cache")
            result = _wrk_get(varnish.url + get_path, settings)
            rows.append(("GET via Varnish", result, f"persisted GET, X-Cache {hit}"))
            _progress(rows[-1], out)
        else:
            out.write("varnishd is not installed: no cache-hit row\n")
        out.write("\n" + format_table(rows) + "\n")
        out.write(
            "\nvs floor = req/s / the floor's req/s in this run. Cold: a minWidth variable "
            "that never repeats, so each request is a full query on a replica. The replicas, "
            "nginx, Varnish and wrk share this machine's cores.\n"
        )
        return 1 if any(r.errors for _, r, _ in rows) else 0
    finally:
        for proxy in proxies:
            proxy.stop()
        for server in reversed(servers):
            server.stop()


def port_of_url(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _persisted_get(url: str) -> str:
    """The path of a persisted-query GET for the README's homepage (with its document,
    so whichever replica answers knows it)."""
    params = {"query": HOMEPAGE, "variables": json.dumps({"minWidth": 300}),
              "extensions": persisted(HOMEPAGE)}  # fmt: skip
    path = "/graphql?" + urllib.parse.urlencode(params)
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(4):
            answer = client.get(path)
            if answer.status_code != 200 or "errors" in answer.json():
                raise SystemExit(f"the persisted GET failed: {answer.text[:300]}")
    return path


def _wrk_get(url: str, settings: WrkSettings) -> WrkResult:
    argv = ["wrk", f"-t{settings.threads}", f"-c{settings.connections}",
            f"-d{settings.duration}s", "--timeout=10s", "--latency", url]  # fmt: skip
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=settings.duration + 60, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip()[-1000:]}")
    return parse_wrk(done.stdout)


def format_table(rows: Sequence[tuple[str, WrkResult, str]]) -> str:
    """One line per run, throughput against the floor's."""
    floor = next((r.rps for name, r, _ in rows if name.startswith("floor")), 0.0)
    lines = [
        f"| {'run':<22} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} "
        f"| {'vs floor':>8} | notes",
        f"| {'-' * 22} | {'-' * 8} | {'-' * 7} | {'-' * 7} | {'-' * 6} | {'-' * 8} | ---",
    ]
    for name, r, note in rows:
        ratio = f"{r.rps / floor:.2f}" if floor else "-"
        lines.append(
            f"| {name:<22} | {r.rps:>8,.0f} | {_ms(r.p50_ms):>7} | {_ms(r.p99_ms):>7} "
            f"| {r.errors:>6} | {ratio:>8} | {note}"
        )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _progress(row: tuple[str, WrkResult, str], out: TextIO) -> None:
    name, result, _ = row
    out.write(f"  {name}: {result.rps:,.0f} req/s, p99 {_ms(result.p99_ms)} ms\n")
    out.flush()


def _header(settings: WrkSettings, db: Path, out: TextIO) -> None:
    load1, load5, _ = os.getloadavg()
    out.write(
        f"\n{os.cpu_count()} CPUs shared by everything below, load average "
        f"{load1:.2f}/{load5:.2f}; wrk -t{settings.threads} -c{settings.connections} "
        f"-d{settings.duration}s; db {db.name} ({db.stat().st_size / 2**20:,.1f} MB); "
        "one uvicorn worker per replica, one nginx worker\n\n"
    )
    out.flush()


if __name__ == "__main__":
    raise SystemExit(main())
