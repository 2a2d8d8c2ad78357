"""Soak test: a minute of concurrency 64 over the README's queries, watching memory.

Why: a server can pass every test and still leak, or start failing only after
thousands of requests. This starts ``newsgraph serve`` on a generated corpus
(or ``--db``/``--content``), drives it with ``wrk`` from 127.0.0.1 at
concurrency 64 for a bounded time with the README's example queries plus a
homepage feed whose variables never repeat, samples the server's resident
memory every two seconds, and prints errors, throughput, latency and whether
memory grew after warm-up.

Run: ``python -m bench.soak [--seconds 60] [--connections 64] [--items 10000]``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bench.corpus import generate
from bench.scaling import rss_mb
from bench.servers import free_port, newsgraph_command, start
from bench.wrk import LUA, parse_wrk

ROOT = Path(__file__).resolve().parent.parent
COLD_HOMEPAGE = (
    "query($w: Int!) { articles(first: 20) { nodes { title provider { name } "
    "leadImage(minWidth: $w) { url } topics { name } related(first: 3) { title } } } }"
)


def bodies() -> list[str]:
    """wrk body templates: each README example, and a homepage whose ``{K}`` never repeats."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    lines = [
        json.dumps({"query": q, "extensions": {"soak": 987654321}}).replace("987654321", "{K}")
        for q in examples
    ]
    cold = json.dumps({"query": COLD_HOMEPAGE, "variables": {"w": 987654321}})
    lines.append(cold.replace("987654321", "{K}"))
    return lines


def run(db: Path, content: Path, seconds: int, connections: int, work: Path, out: TextIO) -> int:
    port = free_port()
    argv = [*newsgraph_command(), "serve", "--db", str(db), "--content", str(content),
            "--port", str(port)]  # fmt: skip
    server = start("newsgraph-soak", argv, port, work)
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        begun = time.monotonic()
        while not stop.is_set():
            samples.append((time.monotonic() - begun, rss_mb(server.proc.pid)))
            stop.wait(2)

    try:
        server.wait_healthy(timeout=900)
        body_file = work / "soak.bodies"
        body_file.write_text("\n".join(bodies()) + "\n")
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        done = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=10s", "--latency",
             "-s", str(LUA), server.url + "/graphql", "--", str(body_file), "cold", "2", "300"],
            capture_output=True, text=True, timeout=seconds + 120, check=False,
        )  # fmt: skip
        stop.set()
        sampler.join()
        if done.returncode != 0:
            print(f"wrk failed: {done.stderr[-500:]}", file=out)
            return 1
        result = parse_wrk(done.stdout)
    finally:
        stop.set()
        server.stop()
    warm = [mb for at, mb in samples if at >= 10] or [mb for _, mb in samples]
    print(
        f"soak: {seconds} s at concurrency {connections}, {len(bodies())} request shapes", file=out
    )
    print(f"requests {result.requests:,} ({result.rps:,.0f}/s), p50 {result.p50_ms} ms, "
          f"p99 {result.p99_ms} ms", file=out)  # fmt: skip
    print(f"errors: non-2xx {result.non_2xx}, socket {result.socket_errors}, "
          f"GraphQL {result.graphql_errors}", file=out)  # fmt: skip
    print(f"server RSS: start {samples[0][1]:.0f} MB, after warm-up {warm[0]:.0f} MB, "
          f"max {max(warm):.0f} MB, end {warm[-1]:.0f} MB "
          f"(growth after warm-up {warm[-1] - warm[0]:+.0f} MB)", file=out)  # fmt: skip
    return 0 if result.errors == 0 else 1


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--content", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsgraph-soak-") as tmp:
        work = Path(tmp)
        content = args.content
        if content is None:
            content = work / "corpus"
            generate(content, args.items, seed=2)
        db = args.db or work / "soak.db"
        return run(db, content, args.seconds, args.connections, work, out)


if __name__ == "__main__":
    raise SystemExit(main())
