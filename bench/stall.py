"""Isolation: does a worker busy with expensive queries still answer the homepage? (target 2)

Why: reads ran on the event loop, so one slow request held every other request of the
worker (issue 14: a homepage request sent 0.2 s after a search for ``the`` waited 1.84 s).
This starts ``newsgraph serve`` with one worker and measures, in the same run:

1. each family of :mod:`bench.expensive` once, alone (what the load costs by itself);
2. the homepage alone, sequentially, for ``--reference`` seconds: the reference p99;
3. the same homepage client while ``--clients`` clients (4) send the most expensive
   queries the limits accept, back to back, each request different (no cache helps).

Homepage requests are the README's, each with a ``minWidth`` that never repeats, so the
response cache cannot answer them either. It prints the homepage's p50/p99/max alone and
under load, every client's errors by code, and the verdict: p99 under load < 50 ms.

Run: ``python -m bench.stall --db FILE --content DIR [--duration 30] [--reference 10]``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import httpx

from bench import dataset, metrics
from bench.expensive import DEEP_QUALITY, Family, before, cost, families
from bench.queries import HOMEPAGE
from bench.servers import add_database_args, check_database_args, serve_newsgraph
from bench.timing import Outcome, Summary, ms, post

TARGET_P99_MS = 50.0
DEEP_PAGES = 10


def homepage_client(
    url: str, seconds: float, timeout: float, widths: Callable[[], int]
) -> list[Outcome]:
    """Send the homepage back to back for ``seconds``; every request's outcome."""
    found: list[Outcome] = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=timeout) as client:
        while time.monotonic() < deadline:
            found.append(post(client, HOMEPAGE, {"minWidth": widths()}))
    return found


def load_client(
    url: str,
    fams: Sequence[Family],
    counter: Callable[[], int],
    stop: threading.Event,
    timeout: float,
    into: list[tuple[str, Outcome]],
) -> None:
    """Send expensive requests back to back until ``stop``, cycling through the families."""
    with httpx.Client(base_url=url, timeout=timeout) as client:
        while not stop.is_set():
            k = counter()
            family = fams[k % len(fams)]
            into.append((family.name, post(client, family.query, family.variables(k))))


def deep_cursors(url: str, slugs: Sequence[str], pages: int) -> list[tuple[str, str | None]]:
    """For each rare topic, the cursor ``pages`` pages deep (or its last page's) in the
    QUALITY order, paged through the API with ``publishedBefore`` values no run reuses."""
    found: list[tuple[str, str | None]] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for n, slug in enumerate(slugs):
            after: str | None = None
            for page in range(pages):
                variables = {"slug": slug, "after": after, "before": before(10**9 + n * 100 + page)}
                answer = client.post(
                    "/graphql", json={"query": DEEP_QUALITY, "variables": variables}
                )
                data = (answer.json().get("data") or {}).get("articles") or {}
                info = data.get("pageInfo") or {}
                if not info.get("hasNextPage"):
                    break
                after = info.get("endCursor")
            found.append((slug, after))
    return found


def _row(name: str, s: Summary) -> str:
    return (
        f"{name:<24} {s.count:>8,} {ms(s.p50):>8} {ms(s.p99):>8} {ms(s.max):>8}  {s.error_text()}"
    )


def run(args: argparse.Namespace, work: Path, out: TextIO) -> int:
    """Choose the load from the database, start the server, measure and print; 1 if the
    target is not met."""
    db = args.db.resolve()
    data = dataset.describe(db)
    vocab = dataset.vocabulary(db)
    common = [w.value for w in vocab if w.value.isalpha()][:15]
    rare_word = next((w.value for w in reversed(vocab) if w.value.isalpha()), "zorbulate")
    rare_topics = [t.value for t in reversed(data.topics) if t.count > 0][:3]
    server = serve_newsgraph(db, args.content.resolve(), work, "stall")
    try:
        took = server.wait_healthy(args.startup_timeout)
        out.write(
            f"isolation on {db} ({data.articles:,} articles), {os.cpu_count()} CPUs, load "
            f"average {os.getloadavg()[0]:.2f}; one newsgraph worker, healthy after {took:.1f} s\n"
            f"common words {', '.join(common[:5])}; rare topics {', '.join(rare_topics)}\n\n"
        )
        fams = families(common, rare_word, deep_cursors(server.url, rare_topics, DEEP_PAGES))
        k = itertools.count(1)
        lock = threading.Lock()

        def counter() -> int:
            with lock:
                return next(k)

        out.write("each family once, alone (cost: the server's estimate; limit 50,000):\n")
        with httpx.Client(base_url=server.url, timeout=args.timeout) as client:
            for fam in fams:
                variables = fam.variables(counter())
                o = post(client, fam.query, variables)
                codes = ", ".join(sorted(set(o.codes))) or "ok"
                out.write(
                    f"  {fam.name:<18} cost {cost(fam.query, variables):>6,} {ms(o.ms):>8} ms "
                    f"{o.size / 1024:>7.1f} KB  {codes}\n"
                )
        out.flush()
        widths = itertools.count(0)

        def width() -> int:
            with lock:
                return 300 - next(widths)  # never repeats, same lead image at or below 320

        started = metrics.scrape(server.url)
        alone = Summary.of(homepage_client(server.url, args.reference, args.timeout, width))
        quiet = metrics.scrape(server.url)
        stop = threading.Event()
        per_client: list[list[tuple[str, Outcome]]] = [[] for _ in range(args.clients)]
        threads = [
            threading.Thread(
                target=load_client,
                args=(server.url, fams, counter, stop, args.timeout, per_client[n]),
                daemon=True,
            )
            for n in range(args.clients)
        ]
        for t in threads:
            t.start()
        time.sleep(0.2)  # let every load client have a request in flight
        loaded = Summary.of(homepage_client(server.url, args.duration, args.timeout, width))
        stop.set()
        for t in threads:
            t.join(args.timeout + 5)
        during = metrics.scrape(server.url) - quiet
        head = f"{'client':<24} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  errors"
        out.write("\n" + head + "\n" + "-" * len(head) + "\n")
        out.write(_row(f"homepage alone ({args.reference:.0f} s)", alone) + "\n")
        out.write(_row(f"homepage under load ({args.duration:.0f} s)", loaded) + "\n")
        for n, sent in enumerate(per_client, 1):
            out.write(_row(f"expensive client {n}", Summary.of(o for _, o in sent)) + "\n")
        out.write("\nexpensive requests by family, under load:\n")
        for fam in fams:
            done = [o for sent in per_client for name, o in sent if name == fam.name]
            out.write(_row(f"  {fam.name}", Summary.of(done)) + "\n")
        out.write(
            f"\nserver, homepage alone: {(quiet - started).describe()}\n"
            f"server, under load: {during.describe()}\n"
        )
        met = loaded.p99 < TARGET_P99_MS and loaded.failed == 0
        ratio = loaded.p99 / alone.p99 if alone.p99 else 0.0
        out.write(
            f"\ntarget 2: homepage p99 under load {ms(loaded.p99)} ms ({ratio:,.1f}x its p99 "
            f"alone, {ms(alone.p99)} ms), target < {TARGET_P99_MS:.0f} ms with no errors: "
            f"{'met' if met else 'NOT MET'}\n"
        )
        return 0 if met else 1
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """The command line (``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.stall",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_database_args(parser)
    parser.add_argument("--duration", type=float, default=30, help="seconds under load")
    parser.add_argument("--reference", type=float, default=10, help="seconds of homepage alone")
    parser.add_argument("--clients", type=int, default=4, help="clients sending expensive queries")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout, seconds")
    args = parser.parse_args(argv)
    check_database_args(args)
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-stall-") as tmp:
        return run(args, Path(tmp), out)


if __name__ == "__main__":
    raise SystemExit(main())
