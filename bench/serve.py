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
relevance) and ``article`` (one article by slug with its related items).

Run: ``python -m bench.serve --db FILE --content DIR [--duration 15] [--connections 16]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from bench.load import machine_busy, process_cpu

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("wrk_post.lua")
WRK_INSTALL = "apt-get install -y wrk"
SLOT = "{K}"
_SENTINEL = 987_654_321
BASE_MIN_WIDTH = 300
"""Warm requests ask for ``minWidth: 300``; cold ones for 300, 299, ... and below."""
ALL_CASES = ("homepage", "topic", "deep", "search", "article")
DEEP_PAGE = 500
SEARCH_WORDS = (
    "cloud", "privacy", "ransomware", "chip", "robot", "battery", "satellite", "browser",
    "kernel", "encryption", "startup", "regulator", "drone", "telescope", "compiler",
    "firmware", "wallet", "podcast", "datacenter", "quantum",
)  # fmt: skip

HOMEPAGE = """query Homepage($first: Int!, $after: String, $minWidth: Int!) {
  articles(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id slug title excerpt publishedAt webUrl
      provider { name domain }
      leadImage(minWidth: $minWidth) { url width height }
      images { url width height }
      topics { name slug }
      related(first: 3) { title webUrl provider { name } article { slug } }
    }
  }
}"""

TOPIC = """query TopicPage($slug: String!, $minWidth: Int!) {
  topic(slug: $slug) {
    name articleCount parent { name }
    articles(first: 20) {
      totalCount
      nodes {
        title publishedAt provider { name }
        leadImage(minWidth: $minWidth) { url width height }
      }
      facets { providers(first: 5) { value label count } types { value count } }
    }
  }
}"""

SEARCH = """query Search($text: String!, $minWidth: Int!) {
  articles(filter: { text: $text }, first: 10) {
    totalCount
    nodes {
      title excerpt publishedAt provider { name }
      leadImage(minWidth: $minWidth) { url width height }
    }
  }
}"""

ARTICLE = """query Article($slug: String!, $minWidth: Int!) {
  article(slug: $slug) {
    title publishedAt quality heat published
    provider { name domain }
    leadImage(minWidth: $minWidth) { url width height }
    topics { name }
    related {
      title publishedAt webUrl ampWebUrl quality
      provider { name domain }
      images { url width height }
      article { slug }
    }
  }
}"""

CURSORS = """query Cursors($after: String) {
  articles(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor } }
}"""


# --- wrk output --------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured; latencies in milliseconds."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    non_2xx: int = 0
    socket_errors: int = 0
    graphql_errors: int = 0

    @property
    def errors(self) -> int:
        """Every request that did not come back as a clean answer."""
        return self.non_2xx + self.socket_errors + self.graphql_errors


def to_ms(text: str) -> float:
    """A wrk duration (``850.00us``, ``1.25ms``, ``2.00s``, ``1.00m``) in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read requests/s, p50/p99 (from ``--latency``) and error counts from wrk's output."""
    done = re.search(r"^\s*(\d+) requests in ([\d.]+\w+)", output, re.MULTILINE)
    rate = re.search(r"^Requests/sec:\s*([\d.]+)", output, re.MULTILINE)
    if done is None or rate is None:
        raise ValueError("wrk printed no summary:\n" + output[-2000:])
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    graphql = re.search(r"^bench-graphql-errors (\d+)", output, re.MULTILINE)
    return WrkResult(
        requests=int(done.group(1)),
        seconds=to_ms(done.group(2)) / 1000,
        rps=float(rate.group(1)),
        p50_ms=to_ms(percentiles["50"]) if "50" in percentiles else None,
        p99_ms=to_ms(percentiles["99"]) if "99" in percentiles else None,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
        graphql_errors=int(graphql.group(1)) if graphql else 0,
    )


# --- cases ---------------------------------------------------------------------------------


@dataclass
class Case:
    """One query shape: where it goes, the warm body and the cold body templates."""

    name: str
    path: str
    warm: str
    cold: list[str]
    note: str = ""
    response_bytes: int = 0


def graphql_body(query: str, variables: dict[str, Any]) -> str:
    """A GraphQL POST body as one JSON line."""
    return json.dumps({"query": query, "variables": variables}, separators=(",", ":"))


def template(body_with_sentinel: str) -> str:
    """Turn the one ``987654321`` in a JSON body into the Lua script's ``{K}`` slot."""
    if body_with_sentinel.count(str(_SENTINEL)) != 1 or SLOT in body_with_sentinel:
        raise ValueError("a body template needs exactly one slot")
    return body_with_sentinel.replace(str(_SENTINEL), SLOT)


def fill(tpl: str, value: int) -> str:
    """The body a template gives for ``value`` (what the Lua script sends)."""
    return tpl.replace(SLOT, str(value), 1)


def gql_case(name: str, query: str, variants: Sequence[dict[str, Any]], note: str = "") -> Case:
    """A GraphQL case: warm sends the first variant; cold cycles all with a unique minWidth."""
    cold = [template(graphql_body(query, {**v, "minWidth": _SENTINEL})) for v in variants]
    return Case(name, "/graphql", fill(cold[0], BASE_MIN_WIDTH), cold, note)


def floor_case() -> Case:
    """The floor app's homepage, with the same unique ``minWidth`` trick for cold."""
    cold = [template(json.dumps({"first": 20, "minWidth": _SENTINEL}, separators=(",", ":")))]
    return Case("floor", "/homepage", fill(cold[0], BASE_MIN_WIDTH), cold, "hand-written SQL")


def popular_topic(db: Path) -> tuple[str, int]:
    """The slug and article count of the topic with the most articles."""
    with closing_db(db) as conn:
        row = conn.execute(
            "SELECT slug, article_count FROM topics ORDER BY article_count DESC, slug LIMIT 1"
        ).fetchone()
    if row is None:
        raise SystemExit("the database has no topics; load a corpus first")
    return str(row[0]), int(row[1])


def article_slugs(db: Path, limit: int = 2000) -> list[str]:
    """Slugs spread over the corpus, articles with related items first in each stride."""
    with closing_db(db) as conn:
        rows = conn.execute(
            "SELECT slug FROM articles a WHERE EXISTS"
            " (SELECT 1 FROM related r WHERE r.article_id = a.id)"
            " ORDER BY (a.id * 7919) % 10007, a.id LIMIT ?",
            (limit,),
        ).fetchall()
    if not rows:
        raise SystemExit("the database has no article with related items")
    return [str(r[0]) for r in rows]


@contextmanager
def closing_db(db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to look up case parameters, closed afterwards."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def deep_cursors(client: httpx.Client, page: int, deadline: float) -> tuple[list[str], int]:
    """The edge cursors of the page before ``page`` of the feed, paging through the API
    (or of the last full page, on a smaller corpus); returns them and the page they open."""
    after: str | None = None
    cursors: list[str] = []
    for reached in range(1, page):
        if time.monotonic() > deadline:
            raise SystemExit(f"paging to page {page} took too long; is the server healthy?")
        answer = client.post("/graphql", json={"query": CURSORS, "variables": {"after": after}})
        answer.raise_for_status()
        data = answer.json()
        if data.get("errors"):
            raise SystemExit(f"paging failed: {data['errors']}")
        conn = data["data"]["articles"]
        if len(conn["edges"]) < 20 or not conn["pageInfo"]["hasNextPage"]:
            if not cursors:
                raise SystemExit("the feed has a single page; the deep case needs more items")
            return cursors, reached
        cursors = [e["cursor"] for e in conn["edges"]]
        after = conn["pageInfo"]["endCursor"]
    return cursors, page


def build_cases(names: Sequence[str], db: Path, client: httpx.Client, out: TextIO) -> list[Case]:
    """The GraphQL cases asked for, with their parameters looked up in the data."""
    cases: list[Case] = []
    for name in names:
        if name == "homepage":
            cases.append(gql_case(name, HOMEPAGE, [{"first": 20, "after": None}], "20 newest"))
        elif name == "topic":
            slug, count = popular_topic(db)
            note = f"topic {slug!r} ({count:,} articles), facets"
            cases.append(gql_case(name, TOPIC, [{"slug": slug}], note))
        elif name == "deep":
            started = time.monotonic()
            cursors, page = deep_cursors(client, DEEP_PAGE, started + 600)
            out.write(
                f"deep: paged to page {page} through the API in "
                f"{time.monotonic() - started:.1f} s\n"
            )
            variants = [{"first": 20, "after": c} for c in [cursors[-1], *cursors[:-1]]]
            cases.append(gql_case(name, HOMEPAGE, variants, f"page {page} by cursor"))
        elif name == "search":
            variants = [{"text": w} for w in SEARCH_WORDS]
            note = f"'{SEARCH_WORDS[0]}' warm, {len(SEARCH_WORDS)} words cold"
            cases.append(gql_case(name, SEARCH, variants, note))
        elif name == "article":
            slugs = article_slugs(db)
            note = f"by slug, {len(slugs):,} slugs cold"
            cases.append(gql_case(name, ARTICLE, [{"slug": s} for s in slugs], note))
        else:
            raise SystemExit(f"unknown case {name!r}; choose from {', '.join(ALL_CASES)}")
    return cases


def check_case(client: httpx.Client, case: Case) -> None:
    """Send the warm body and a few cold ones (negative minWidth too); refuse errors."""
    n = len(case.cold)
    bodies = [case.warm] + [
        fill(case.cold[k % n], BASE_MIN_WIDTH - k // n) for k in (0, 1, n, 400 * n + 1)
    ]
    for body in bodies:
        answer = client.post(case.path, content=body, headers={"content-type": "application/json"})
        data = answer.json() if answer.status_code == 200 else None
        bad = (
            data is None
            or data.get("errors")
            or not data.get("data")
            or None in (data["data"].values())
        )
        if bad:
            raise SystemExit(
                f"case {case.name}: the server answered {answer.status_code} "
                f"{answer.text[:500]!r} to {body[-300:]}"
            )
        if body is case.warm:
            case.response_bytes = len(answer.content)


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process we started, with its log file."""

    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    started: float = field(default_factory=time.monotonic)

    def wait_healthy(self, timeout: float) -> float:
        """Poll ``/healthz`` until it answers 200; return how long it took."""
        deadline = self.started + timeout
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise SystemExit(
                        f"{self.name} exited with status {self.proc.returncode}:\n"
                        + self.log_tail()
                    )
                with suppress(httpx.HTTPError):
                    if client.get("/healthz").status_code == 200:
                        return time.monotonic() - self.started
                time.sleep(0.25)
        raise SystemExit(f"{self.name} was not healthy after {timeout:.0f} s:\n{self.log_tail()}")

    def settle(self, timeout: float = 60) -> float:
        """Wait until requests left over from a run are done: ``/healthz`` answers
        quickly twice in a row. Returns the seconds waited (bounded by ``timeout``)."""
        started = time.monotonic()
        quick = 0
        with httpx.Client(base_url=self.url, timeout=timeout) as client:
            while quick < 2 and time.monotonic() - started < timeout:
                asked = time.monotonic()
                with suppress(httpx.HTTPError):
                    client.get("/healthz")
                quick = quick + 1 if time.monotonic() - asked < 0.02 else 0
                time.sleep(0.1)
        return time.monotonic() - started

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's output."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Ask the server to stop (SIGINT, as Ctrl-C would); kill it if it does not."""
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)


def start(name: str, argv: list[str], port: int, logdir: Path) -> Server:
    """Start a server process with its output in a log file."""
    log = logdir / f"{name}.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    return Server(name, proc, f"http://127.0.0.1:{port}", log)


def newsgraph_command() -> list[str]:
    """``newsgraph`` from this interpreter's environment."""
    script = Path(sys.executable).parent / "newsgraph"
    return [str(script)] if script.exists() else [sys.executable, "-m", "newsgraph.cli"]


# --- running wrk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkSettings:
    """How hard and how long wrk pushes."""

    duration: int = 15
    connections: int = 16
    threads: int = 2
    timeout: int = 10


def run_wrk(url: str, case: Case, mode: str, settings: WrkSettings, workdir: Path) -> WrkResult:
    """One wrk run of ``case`` in ``mode`` (warm or cold) against ``url``."""
    bodies = workdir / f"{case.name}-{mode}.bodies"
    lines = [case.warm] if mode == "warm" else case.cold
    bodies.write_text("\n".join(lines) + "\n")
    argv = [
        "wrk", f"-t{settings.threads}", f"-c{settings.connections}",
        f"-d{settings.duration}s", f"--timeout={settings.timeout}s", "--latency",
        "-s", str(LUA), url + case.path, "--",
        str(bodies), mode, str(settings.threads), str(BASE_MIN_WIDTH),
    ]  # fmt: skip
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=settings.duration + 60, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip()[-1000:]}")
    return parse_wrk(done.stdout)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def cpu_of_others(server_pid: int) -> Iterator[list[float]]:
    """Measure how many cores others kept busy meanwhile: the machine's busy time less
    the server's and our finished children's (wrk's), per second; set in ``[0]``."""
    found = [0.0]
    started = time.monotonic()
    busy, server, children = machine_busy(), process_cpu(server_pid), _children_cpu()
    yield found
    spent = (
        (machine_busy() - busy) - (process_cpu(server_pid) - server) - (_children_cpu() - children)
    )
    found[0] = max(0.0, spent / max(time.monotonic() - started, 1e-9))


# --- report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    case: str
    mode: str
    result: WrkResult
    response_bytes: int
    note: str = ""
    others: float = 0.0  # CPU cores busy with other processes than wrk and the server


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def format_table(rows: Sequence[Row]) -> str:
    """The report: one line per case and mode, throughput as a ratio to the floor."""
    floor = {r.mode: r.result.rps for r in rows if r.case == "floor"}
    head = (
        f"{'case':<9} {'mode':<5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>7} {'sock err':>8} {'gql err':>7} {'requests':>8} {'resp KB':>7} "
        f"{'vs floor':>8} {'others':>6}  notes"
    )
    out = [head, "-" * len(head)]
    for r in rows:
        base = floor.get(r.mode)
        ratio = f"{r.result.rps / base:.3f}" if base else "-"
        out.append(
            f"{r.case:<9} {r.mode:<5} {r.result.rps:>8,.1f} {_ms(r.result.p50_ms):>8} "
            f"{_ms(r.result.p99_ms):>8} {r.result.non_2xx:>7} {r.result.socket_errors:>8} "
            f"{r.result.graphql_errors:>7} {r.result.requests:>8,} "
            f"{r.response_bytes / 1024:>7.1f} {ratio:>8} {r.others:>6.2f}  {r.note}"
        )
    return "\n".join(out)


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
                check_case(gclient, case)
        with httpx.Client(base_url=floor.url, timeout=60) as fclient:
            check_case(fclient, floor_c)
        _header(settings, db, out)
        warmup = WrkSettings(3, settings.connections, settings.threads, settings.timeout)
        run_wrk(floor.url, floor_c, "warm", warmup, work)
        if cases:
            run_wrk(graph.url, cases[0], "warm", warmup, work)
        rows: list[Row] = []
        for case, url in [(floor_c, floor.url)] + [(c, graph.url) for c in cases]:
            for mode in ("cold", "warm"):
                server = graph if url == graph.url else floor
                server.settle()
                with cpu_of_others(server.proc.pid) as others:
                    result = run_wrk(url, case, mode, settings, work)
                rows.append(Row(case.name, mode, result, case.response_bytes, case.note, others[0]))
                out.write(
                    f"  {case.name:<9} {mode}: {result.rps:,.1f} req/s, "
                    f"p99 {_ms(result.p99_ms)} ms\n"
                )
                out.flush()
        out.write("\n" + format_table(rows) + "\n")
        bad = [f"{r.case} {r.mode}" for r in rows if r.result.errors]
        if bad:
            out.write(f"\nERRORS in: {', '.join(bad)} (see the error columns)\n")
        out.write(
            "\nvs floor = req/s / the floor's homepage req/s in the same mode. resp KB = size "
            "of the warm answer. others = CPU cores that processes other than wrk and the "
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
