"""First requests: how long a page takes the first time anybody asks for it (target 1).

Why: at a million articles the steady state is fast, but the first visit of a topic, a
filter or a search word counts and facets every matching article, and the largest ones
ran into the 1 s SQL limit (issue 14). Repeating one request measures the server's
caches; this sends every query exactly once, on a server that has answered nothing
like it since it started:

- ``topics``: the README's TopicPage (with facets) for every topic, the largest included;
- ``facets``: the first page of a list with every facet, once for each filter the
  README lists (``category`` ... ``text``, ``and``/``or``/``not``), with values that match
  as many articles as possible (the worst case);
- ``search``: the README's Search for a spread of words from one article to nearly all
  (``the``), chosen from the full-text index's own vocabulary (``fts5vocab``);
- ``prefix``: the same for prefixes (``cou*``) that expand to many words.

The server is restarted before each group (``--no-restart`` keeps one), and each group
starts with one untimed request of its document that matches nothing (a facet page: one
article), so the document is parsed and compiled before the first timed request (the
server compiles a document once it ran cleanly; a warning says when the warm-up failed).
The parameters are read from the SQLite file, not through the API, so choosing them
warms nothing. The target: every group's
p95 < 100 ms at 1M, no errors, no ``TIMEOUT``.

Run: ``python -m bench.first --db FILE --content DIR [--groups topics,facets,search]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from bench import dataset, metrics
from bench.queries import FACET_PAGE, SEARCH, TOPIC_PAGE
from bench.servers import Server, add_database_args, check_database_args, serve_newsgraph
from bench.timing import Outcome, Summary, ms, post

GROUPS = ("topics", "facets", "search", "prefix")
TARGET_P95_MS = 100.0
BROAD_DATES = {"publishedAfter": "2000-01-01T00:00:00Z", "publishedBefore": "2999-01-01T00:00:00Z"}


@dataclass(frozen=True)
class Probe:
    """One request to send once: its group, a label for the report, query and variables."""

    group: str
    label: str
    query: str
    variables: dict[str, Any]


def topic_probes(data: dataset.Dataset) -> list[Probe]:
    """The README's TopicPage for every topic, largest first."""
    return [
        Probe("topics", f"{t.value} ({t.count:,} articles)", TOPIC_PAGE, {"slug": t.value})
        for t in data.topics
    ]


def facet_filters(data: dataset.Dataset, word: str) -> list[tuple[str, dict[str, Any]]]:
    """One filter per field the README lists, each matching as many articles as it can."""
    topics = [t.value for t in data.topics[:2]]
    providers = [p.value for p in data.providers[:3]]
    types = [t.value for t in data.types] or ["article"]
    categories = [c.value for c in data.categories] or ["news"]
    return [
        ("no filter", {}),
        ("category", {"category": categories[0]}),
        ("categoryIn", {"categoryIn": categories[:2]}),
        ("type", {"type": types[0]}),
        ("typeIn", {"typeIn": types[:3]}),
        ("topicsAny", {"topicsAny": topics}),
        ("topicsAll", {"topicsAll": topics}),
        ("providerIn", {"providerIn": providers}),
        ("providerNotIn", {"providerNotIn": providers[:1]}),
        ("publishedAfter", {"publishedAfter": BROAD_DATES["publishedAfter"]}),
        ("publishedBefore", {"publishedBefore": BROAD_DATES["publishedBefore"]}),
        ("qualityMin", {"qualityMin": 0}),
        ("qualityMax", {"qualityMax": 1_000_000}),
        ("heatMin", {"heatMin": 0}),
        ("heatMax", {"heatMax": 1_000_000}),
        ("published", {"published": True}),
        ("hasImages", {"hasImages": True}),
        ("text", {"text": word}),
        ("and", {"and": [{"type": types[0]}, {"hasImages": True}]}),
        ("or", {"or": [{"type": types[0]}, {"hasImages": True}]}),
        ("not", {"not": {"providerIn": providers[:1]}}),
    ]


def facet_probes(data: dataset.Dataset, word: str) -> list[Probe]:
    """The first facet page of every filter (see :func:`facet_filters`)."""
    return [
        Probe("facets", f"{name} {value!r}"[:70], FACET_PAGE, {"filter": value})
        for name, value in facet_filters(data, word)
    ]


def search_probes(words: Sequence[dataset.Value]) -> list[Probe]:
    """The README's Search for each word."""
    return [
        Probe("search", f"{w.value!r} (in {w.count:,} articles)", SEARCH, {"text": w.value})
        for w in words
    ]


def prefix_probes(words: Sequence[dataset.Value], count: int = 6) -> list[Probe]:
    """The README's Search for prefixes of the most common long words (``cou*``)."""
    prefixes: list[str] = []
    for w in words:
        prefix = w.value[:3] + "*"
        if len(w.value) >= 4 and w.value.isalpha() and prefix not in prefixes:
            prefixes.append(prefix)
        if len(prefixes) == count:
            break
    return [Probe("prefix", repr(p), SEARCH, {"text": p}) for p in prefixes]


def warm_up_probe(name: str, rare_word: str) -> Probe:
    """The group's untimed first request: its document, with a value that matches nothing
    (or, for facet pages, one article: a filter that matches nothing can still scan)."""
    if name == "topics":
        return Probe(name, "no such topic", TOPIC_PAGE, {"slug": "bench-no-such-topic"})
    if name == "facets":
        return Probe(name, f"text {rare_word!r}", FACET_PAGE, {"filter": {"text": rare_word}})
    text = "benchnosuchword" + ("*" if name == "prefix" else "")
    return Probe(name, repr(text), SEARCH, {"text": text})


@dataclass
class GroupResult:
    """What one group measured, and what the server counted meanwhile."""

    name: str
    sent: list[tuple[Probe, Outcome, str]]  # (probe, outcome, who answered it)
    warm_up: tuple[Probe, Outcome]
    counts: metrics.Counts
    started_s: float = 0.0

    @property
    def summary(self) -> Summary:
        """Percentiles and errors of the group's timed requests."""
        return Summary.of(o for _, o, _ in self.sent)


def answered_by(counts: metrics.Counts) -> str:
    """``compiled``, or ``reference after fallback runtime``, from one request's counts."""
    who = "+".join(sorted(counts.executors)) or "?"
    if counts.fallbacks:
        who += " after fallback " + "+".join(sorted(counts.fallbacks))
    return who


def run_group(
    server: Server, name: str, warm_up: Probe, probes: Sequence[Probe], timeout: float
) -> GroupResult:
    """Send the warm-up, then every probe once, in order; nothing is retried. The server's
    counters are read around each request (``/metrics`` touches no cache) to say what
    answered it."""
    start = metrics.scrape(server.url)
    sent: list[tuple[Probe, Outcome, str]] = []
    with httpx.Client(base_url=server.url, timeout=timeout) as client:
        warmed = post(client, warm_up.query, warm_up.variables)
        before = metrics.scrape(server.url)
        for probe in probes:
            outcome = post(client, probe.query, probe.variables)
            after = metrics.scrape(server.url)
            sent.append((probe, outcome, answered_by(after - before)))
            before = after
    return GroupResult(name, sent, (warm_up, warmed), before - start)


def report(results: Sequence[GroupResult], slowest: int, out: TextIO) -> bool:
    """Print the table, the slowest requests per group and the verdict; True if met."""
    head = (
        f"{'group':<8} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'failed':>6} {'TIMEOUT':>7}  verdict (p95 < {TARGET_P95_MS:.0f} ms, no errors)"
    )
    out.write("\n" + head + "\n" + "-" * len(head) + "\n")
    met = True
    for r in results:
        s = r.summary
        ok = s.p95 < TARGET_P95_MS and s.failed == 0
        met = met and ok
        out.write(
            f"{r.name:<8} {s.count:>8} {ms(s.p50):>8} {ms(s.p95):>8} {ms(s.max):>8} "
            f"{s.failed:>6} {s.errors['TIMEOUT']:>7}  {'met' if ok else 'NOT MET'}\n"
        )
    for r in results:
        s = r.summary
        probe, warmed = r.warm_up
        out.write(
            f"\n{r.name}: server healthy after {r.started_s:.1f} s; untimed warm-up "
            f"({probe.label}) {ms(warmed.ms)} ms; errors: {s.error_text()}\n"
            f"  {r.counts.describe()}\n"
        )
        failed = sorted(set(warmed.codes) - {"NO_DATA"})  # matching nothing is the point
        if failed:
            out.write(
                f"  WARNING: the warm-up answered {', '.join(failed)}; the "
                "server compiles a document only once it ran cleanly, so the reference "
                "executor may have answered this group\n"
            )
        worst = sorted(r.sent, key=lambda sent: -sent[1].ms)[:slowest]
        for probe, outcome, who in worst:
            codes = f" {', '.join(sorted(set(outcome.codes)))}" if outcome.codes else ""
            out.write(f"  {ms(outcome.ms):>8} ms  {probe.label}  [{who}{codes}]\n")
    return met


def probes_for(name: str, db: Path, words: int) -> tuple[Probe, list[Probe]]:
    """The warm-up and the probes of one group, chosen from the database."""
    vocab = dataset.vocabulary(db)
    plain = [w.value for w in vocab if w.value.isalpha()]
    warm_up = warm_up_probe(name, plain[-1] if plain else "benchnosuchword")
    if name == "topics":
        return warm_up, topic_probes(dataset.describe(db))
    if name == "facets":
        return warm_up, facet_probes(dataset.describe(db), plain[0] if plain else "the")
    if name == "search":
        return warm_up, search_probes(dataset.spread(vocab, words))
    return warm_up, prefix_probes(vocab)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.first",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_database_args(parser)
    parser.add_argument("--groups", default="topics,facets,search,prefix", help="comma-separated")
    parser.add_argument("--words", type=int, default=24, help="search words, rare to common")
    parser.add_argument(
        "--no-restart",
        action="store_true",
        help="one server for all groups (later groups may find warm caches)",
    )
    parser.add_argument("--timeout", type=float, default=30, help="client timeout, seconds")
    parser.add_argument("--slowest", type=int, default=8, help="requests listed per group")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Run the groups asked for; exit status 1 if a target is not met."""
    args = _parser().parse_args(argv)
    names = [n.strip() for n in args.groups.split(",") if n.strip()]
    if unknown := sorted(set(names) - set(GROUPS)):
        raise SystemExit(f"unknown group(s) {unknown}; choose from {', '.join(GROUPS)}")
    check_database_args(args)
    db = args.db.resolve()
    articles = dataset.describe(db).articles
    out.write(
        f"first requests on {db} ({articles:,} articles), {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}; every query sent once, sequentially, "
        f"{'one server for all groups' if args.no_restart else 'a new server per group'}\n"
    )
    results: list[GroupResult] = []
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-first-") as tmp:
        server: Server | None = None
        try:
            for name in names:
                warm_up, probes = probes_for(name, db, args.words)
                if server is None or not args.no_restart:
                    if server is not None:
                        server.stop()
                    server = serve_newsgraph(db, args.content.resolve(), Path(tmp), f"first-{name}")
                    up = server.wait_healthy(args.startup_timeout)
                result = run_group(server, name, warm_up, probes, args.timeout)
                result.started_s = up
                s = result.summary
                out.write(f"  {name}: {s.count} requests, p95 {ms(s.p95)} ms, max {ms(s.max)} ms\n")
                out.flush()
                results.append(result)
        finally:
            if server is not None:
                server.stop()
    met = report(results, args.slowest, out)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
