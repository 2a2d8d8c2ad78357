"""Scaling curve: how latency grows with corpus size, and the server's memory.

Why: indexes and keyset cursors should make a page cost about the same at 1,000
or 200,000 articles. For each size this generates a corpus (kept in ``--work``
for the next run), loads it with ``newsgraph serve``, then sends sequential
requests from 127.0.0.1 for the homepage feed, a deep page by cursor (page 500,
or the last page of a smaller corpus), a topic page with facets and a text
search, each request unique (no response cache can answer it), and prints the
median and 95th-percentile latency per case and size, the ratio to the smallest
size, and the server's resident memory at the end.

Run: ``python -m bench.scaling [--sizes 1000,10000,50000,200000] [--requests 40]
[--work DIR]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx

from bench.cases import popular_topic
from bench.corpus import generate
from bench.servers import free_port, newsgraph_command, start

HOMEPAGE = """query($w: Int!) { articles(first: 20) { totalCount nodes { title publishedAt
  provider { name } leadImage(minWidth: $w) { url } images { url } topics { name }
  related(first: 3) { title provider { name } } } } }"""
DEEP = """query($after: String, $w: Int!) { articles(first: 20, after: $after) {
  pageInfo { endCursor } nodes { title leadImage(minWidth: $w) { url } provider { name } } } }"""
TOPIC = """query($slug: String!, $w: Int!) { topic(slug: $slug) { name articles(first: 20) {
  totalCount nodes { title leadImage(minWidth: $w) { url } } facets { providers(first: 10)
  { value count } types { value count } } } } }"""
SEARCH = """query($text: String!, $w: Int!) { articles(filter: {text: $text}, first: 20) {
  totalCount nodes { title leadImage(minWidth: $w) { url } } } }"""
WORDS = ("cloud", "privacy", "chip", "robot", "battery", "browser", "startup", "drone")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(client: httpx.Client, query: str, variables: dict[str, Any]) -> tuple[float, Any]:
    """Milliseconds for one request, and its data (errors fail the benchmark)."""
    started = time.perf_counter()
    answer = client.post("/graphql", json={"query": query, "variables": variables})
    elapsed = (time.perf_counter() - started) * 1000
    body = answer.json()
    if answer.status_code != 200 or body.get("errors"):
        raise SystemExit(f"request failed: {answer.status_code} {answer.text[:300]}")
    return elapsed, body["data"]


def deep_cursor(client: httpx.Client, pages: int) -> str | None:
    """The cursor after ``pages`` pages of 20, paged through the API."""
    after = None
    for _ in range(pages):
        _, data = timed(client, DEEP, {"after": after, "w": 300})
        after = data["articles"]["pageInfo"]["endCursor"]
    return after


def measure(url: str, db: Path, items: int, requests: int) -> dict[str, list[float]]:
    """Latencies per case for one running server."""
    slug, _ = popular_topic(db)
    out: dict[str, list[float]] = {"homepage": [], "deep": [], "topic": [], "search": []}
    with httpx.Client(base_url=url, timeout=60) as client:
        cursor = deep_cursor(client, min(499, items // 20 - 1))
        for n in range(requests):
            width = 300 - n  # never repeats: no response cache can answer
            out["homepage"].append(timed(client, HOMEPAGE, {"w": width})[0])
            out["deep"].append(timed(client, DEEP, {"after": cursor, "w": width})[0])
            out["topic"].append(timed(client, TOPIC, {"slug": slug, "w": width})[0])
            word = WORDS[n % len(WORDS)]
            out["search"].append(timed(client, SEARCH, {"text": word, "w": width})[0])
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def run(sizes: Sequence[int], requests: int, work: Path, out: TextIO) -> int:
    rows: list[tuple[int, str, float, float]] = []
    memory: dict[int, float] = {}
    for items in sizes:
        content = work / f"corpus-{items}"
        if not content.exists():
            started = time.monotonic()
            generate(content, items, seed=1)
            print(f"generated {items:,} items in {time.monotonic() - started:.0f} s", file=out)
        db = work / f"scaling-{items}.db"
        port = free_port()
        argv = [*newsgraph_command(), "serve", "--content", str(content), "--db", str(db),
                "--port", str(port)]  # fmt: skip
        server = start(f"newsgraph-{items}", argv, port, work)
        try:
            took = server.wait_healthy(timeout=1800)
            print(f"{items:,} items: loaded and serving after {took:.0f} s", file=out)
            latencies = measure(server.url, db, items, requests)
            memory[items] = rss_mb(server.proc.pid)
        finally:
            server.stop()
        for case, values in latencies.items():
            rows.append((items, case, statistics.median(values), p95(values)))
        out.flush()
    print(f"\n{requests} sequential unique requests per case and size, 127.0.0.1\n", file=out)
    print(f"{'case':10} {'items':>9} {'p50 ms':>8} {'p95 ms':>8} {'p50 vs smallest':>16}",
          file=out)  # fmt: skip
    smallest = {case: p50 for items, case, p50, _ in rows if items == sizes[0]}
    for items, case, p50, high in sorted(rows, key=lambda r: (r[1], r[0])):
        ratio = p50 / smallest[case] if smallest.get(case) else 0.0
        print(f"{case:10} {items:>9,} {p50:>8.2f} {high:>8.2f} {ratio:>15.2f}x", file=out)
    sizes_rss = ", ".join(f"{items:,} items {mb:.0f} MB" for items, mb in memory.items())
    print(f"\nserver RSS after the run: {sizes_rss}", file=out)
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,50000,200000")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--work", type=Path, default=None, help="folder for corpora and databases (kept)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        return run(sizes, args.requests, args.work, out)
    with tempfile.TemporaryDirectory(prefix="newsgraph-scaling-") as tmp:
        return run(sizes, args.requests, Path(tmp), out)


if __name__ == "__main__":
    raise SystemExit(main())
