"""Scaling curve: latency per query shape from 1,000 to 1,000,000 articles, and memory.

Why: indexes and keyset cursors should make a page cost about the same at 1,000 or
1,000,000 articles (target 5 of issue 14: every case within 1.5x of its 1k figure,
serving RSS < 400 MB at 1M). For each size this starts ``newsgraph serve`` on that
corpus and sends, from 127.0.0.1 and one at a time, ``--requests`` requests of every
:mod:`bench.serve` case (homepage, topic, deep page, search, article and the README's
TopicPage, ProviderPage, Search and Article), each request unique as in bench.serve's
cold runs, so no response cache answers it. Before timing a case, each of its variants
(search word, slug, cursor) is sent once untimed, so counts and facets the server keeps
per list are warm: this measures the steady state (``bench.first`` measures first
requests).

Corpora and databases are kept and reused, because a million items take half an hour to
generate and seven minutes to load: ``--corpus-dir`` holds ``corpus-<N>`` folders,
``--db-dir`` ``scaling-<N>.db`` files (missing ones are generated and loaded), and
``--dataset N=CONTENT:DB`` names an existing pair for one size.

Run: ``python -m bench.scaling --corpus-dir DIR --db-dir DIR [--sizes 1000,10000,...]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from bench import metrics
from bench.cases import ALL_CASES, CHECK_BASE, COLD_BASE, build_cases, check_case, fill
from bench.corpus import generate
from bench.servers import serve_newsgraph, tree_rss_mb
from bench.timing import Outcome, Summary, ms, post_body

TARGET_RATIO = 1.5
TARGET_RSS_MB = 400.0
TARGET_RSS_ITEMS = 1_000_000


@dataclass
class SizeResult:
    """One corpus size: latencies per case, memory, and what the server counted."""

    items: int
    summaries: dict[str, Summary]
    rss_healthy_mb: float
    rss_after_mb: float
    counts: metrics.Counts
    startup_s: float


def datasets(args: argparse.Namespace, sizes: Sequence[int]) -> dict[int, tuple[Path, Path]]:
    """(content folder, database) per size, from ``--dataset`` or the two folders."""
    named: dict[int, tuple[Path, Path]] = {}
    for spec in args.dataset:
        size, _, pair = spec.partition("=")
        content, _, db = pair.partition(":")
        if not (size.strip().isdigit() and content and db):
            raise SystemExit(f"--dataset takes N=CONTENT_DIR:DB_FILE, got {spec!r}")
        named[int(size)] = (Path(content), Path(db))
    return {
        n: named.get(n, (args.corpus_dir / f"corpus-{n}", args.db_dir / f"scaling-{n}.db"))
        for n in sizes
    }


def measure(
    url: str, db: Path, names: Sequence[str], requests: int, out: TextIO
) -> dict[str, Summary]:
    """Sequential unique requests per case against one running server."""
    found: dict[str, Summary] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for case in build_cases(names, db, client, out):
            if problem := check_case(client, case):  # untimed: refuses errors, compiles
                out.write(f"WARNING: {problem}\n")
            n = len(case.cold)
            for k in range(min(n, requests)):  # untimed: every variant the timed run uses
                post_body(client, fill(case.cold[k], CHECK_BASE - 1000 - k))
            outcomes: list[Outcome] = []
            for k in range(requests):
                body = fill(case.cold[k % n], COLD_BASE - k // n)
                outcomes.append(post_body(client, body))
            found[case.name] = Summary.of(outcomes)
    return found


def run_size(
    items: int,
    content: Path,
    db: Path,
    args: argparse.Namespace,
    names: Sequence[str],
    work: Path,
    out: TextIO,
) -> SizeResult:
    """Generate the corpus if missing, serve it (loading it if needed), measure."""
    if not content.exists():
        started = time.monotonic()
        generate(content, items, seed=1)
        out.write(f"generated {items:,} items in {content} in {time.monotonic() - started:.0f} s\n")
    server = serve_newsgraph(db, content, work, f"scaling-{items}")
    try:
        took = server.wait_healthy(args.startup_timeout)
        healthy_rss = tree_rss_mb(server.proc.pid)
        out.write(f"{items:,} items: serving {db} after {took:.1f} s, RSS {healthy_rss:.0f} MB\n")
        out.flush()
        before = metrics.scrape(server.url)
        summaries = measure(server.url, db, names, args.requests, out)
        counts = metrics.scrape(server.url) - before
        return SizeResult(items, summaries, healthy_rss, tree_rss_mb(server.proc.pid), counts, took)
    finally:
        server.stop()


def report(results: Sequence[SizeResult], requests: int, out: TextIO) -> bool:
    """The table (ratios to the smallest size), memory, server counts and the verdict."""
    base = results[0]
    out.write(
        f"\n{requests} sequential unique requests per case and size from 127.0.0.1 (after "
        f"untimed warm-up requests); ratios to the {base.items:,}-item figures; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n\n"
    )
    head = (
        f"{'case':<16} {'items':>10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'p50 x':>6} {'p95 x':>6} {'errors':>6}"
    )
    out.write(head + "\n" + "-" * len(head) + "\n")
    verdict: list[str] = []
    met = True
    for case in base.summaries:
        worst = 0.0
        for r in results:
            s, b = r.summaries[case], base.summaries[case]
            x50, x95 = s.p50 / b.p50 if b.p50 else 0.0, s.p95 / b.p95 if b.p95 else 0.0
            worst = max(worst, x50, x95)
            out.write(
                f"{case:<16} {r.items:>10,} {ms(s.p50):>8} {ms(s.p95):>8} {ms(s.max):>8} "
                f"{x50:>5.2f}x {x95:>5.2f}x {s.failed:>6}\n"
            )
            met = met and s.failed == 0
        ok = worst <= TARGET_RATIO
        met = met and ok
        verdict.append(f"{case} {'ok' if ok else 'MISS'} ({worst:.2f}x)")
    out.write("\n")
    for r in results:
        out.write(
            f"{r.items:>10,} items: serve healthy after {r.startup_s:.1f} s; RSS "
            f"{r.rss_healthy_mb:.0f} MB healthy, {r.rss_after_mb:.0f} MB after the run; "
            f"{r.counts.describe()}\n"
        )
    big = [r for r in results if r.items >= TARGET_RSS_ITEMS]
    rss_ok = all(r.rss_after_mb < TARGET_RSS_MB for r in big)
    rss_text = (
        f"RSS {max(r.rss_after_mb for r in big):.0f} MB at {big[-1].items:,}"
        if big
        else f"RSS not judged below {TARGET_RSS_ITEMS:,} items"
    )
    all_met = met and rss_ok
    out.write(
        f"\ntarget 5 (each case's p50 and p95 within {TARGET_RATIO}x of the {base.items:,}-item "
        f"figure; serving RSS < {TARGET_RSS_MB:.0f} MB at 1M): {'met' if all_met else 'NOT MET'}"
        f"\n  {'; '.join(verdict)}\n  {rss_text} ({'ok' if rss_ok else 'MISS'})\n"
    )
    return all_met


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """The command line (``--help``); 1 if the target is not met."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.scaling",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="comma-separated")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per case")
    parser.add_argument("--cases", default=",".join(ALL_CASES), help="comma-separated")
    parser.add_argument("--corpus-dir", type=Path, help="corpora (corpus-N), kept and reused")
    parser.add_argument("--db-dir", type=Path, help="databases (scaling-N.db), kept and reused")
    parser.add_argument("--work", type=Path, help="both --corpus-dir and --db-dir")
    parser.add_argument(
        "--dataset",
        action="append",
        default=[],
        metavar="N=CONTENT:DB",
        help="an existing corpus and database for size N (repeatable)",
    )
    parser.add_argument("--startup-timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    names = [n.strip() for n in args.cases.split(",") if n.strip()]
    if unknown := sorted(set(names) - set(ALL_CASES)):
        raise SystemExit(f"unknown case(s) {unknown}; choose from {', '.join(ALL_CASES)}")
    with tempfile.TemporaryDirectory(prefix="newsgraph-scaling-") as tmp:
        work = Path(tmp)
        keep = args.work or work
        args.corpus_dir = args.corpus_dir or keep
        args.db_dir = args.db_dir or keep
        for folder in (args.corpus_dir, args.db_dir):
            folder.mkdir(parents=True, exist_ok=True)
        results = [
            run_size(n, content.resolve(), db.resolve(), args, names, work, out)
            for n, (content, db) in datasets(args, sizes).items()
        ]
    return 0 if report(results, args.requests, out) else 1


if __name__ == "__main__":
    raise SystemExit(main())
