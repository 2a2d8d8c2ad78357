"""Loading benchmark: ``newsgraph load`` against a read-and-parse floor, in one run.

Why: "50,000 items in N seconds" depends on the machine and on what else it is doing
(this one is shared). What the loader adds is the part we own, so the number that
matters is the ratio to a *floor*: the same files, read and their front matter parsed
with ``yaml.load(..., Loader=yaml.CSafeLoader)`` and nothing else (no validation, no
hashing, no SQLite), on the same number of processes, measured minutes apart.

Measurements, each in its own child process so that its peak memory is its own:

* the floor, once untimed to warm the page cache, then timed before and after the loads
  (the ratio uses the faster of the two, the harder target);
* a full ``newsgraph load`` into a fresh database;
* a reload with nothing changed (size and mtime match, so no file is even opened);
* ``newsgraph serve`` on that unchanged database: seconds until ``/healthz`` answers, and
  until its background reconcile has logged its report.

Peak RSS is the high-water mark (``VmHWM``) of each process, read from ``/proc`` ten
times a second: the main process, the largest parser process, and the whole tree
(resident sets summed, sampled). The end prints the targets of issue 14 (target 3).

Run: ``python -m bench.load [--items N | --corpus DIR] [--workers W] [--work DIR]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from bench.servers import newsgraph_command
from bench.startup import Served, high_water_mark, serve_run
from loaders.site import is_site_file

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 200
SUFFIXES = (".md", ".markdown")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")
_Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]


# --- the floor: read + YAML, nothing else --------------------------------------------------


def content_files(root: Path) -> list[str]:
    """The item files the loader would load: ``*.md``/``*.markdown`` outside ``_data``
    site files, hidden folders and ``_site``."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "_site")
        rel_folder = os.path.relpath(folder, root)
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(SUFFIXES):
                continue
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            if not is_site_file(rel):
                found.append(os.path.join(folder, name))
    return found


def parse_chunk(paths: list[str]) -> int:
    """Read each file and parse its front matter; return how many parsed to a mapping."""
    parsed = 0
    for path in paths:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8").removeprefix("\ufeff")
        if not text.startswith("---"):
            continue
        start = text.find("\n") + 1
        end = text.find("\n---", start - 1)
        if end < 0:
            continue
        data = yaml.load(text[start:end], Loader=_Loader)  # noqa: S506 - a safe loader
        parsed += isinstance(data, dict)
    return parsed


def floor(root: Path, workers: int) -> tuple[int, int]:
    """Parse every item file on ``workers`` processes; return (files, parsed)."""
    files = content_files(root)
    chunks = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
    if workers <= 1:
        return len(files), sum(parse_chunk(c) for c in chunks)
    # spawn, as the loader's pool does, so that both pay the same start-up
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return len(files), sum(pool.imap_unordered(parse_chunk, chunks))


# --- measuring a child process -------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """A finished child: wall time, peak RSS (largest process, whole tree), CPU, output."""

    seconds: float
    max_rss_mb: float
    tree_rss_mb: float
    status: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # the child and its descendants, user + system
    others: float = 0.0  # cores that other processes kept busy meanwhile
    main_rss_mb: float = 0.0  # high-water mark of the child itself
    workers_rss_mb: float = 0.0  # the largest high-water mark of its descendants


def machine_busy() -> float:
    """CPU seconds all cores have spent busy since boot (``/proc/stat``)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / _TICKS


def _stat(pid: int | str) -> list[bytes] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2 :].split()  # fields from the 3rd (state) on


def process_cpu(pid: int) -> float:
    """CPU seconds one process has used so far (user + system); 0 once it is gone."""
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / _TICKS


def tree_sample(pid: int) -> tuple[int, dict[int, float]]:
    """Bytes resident in ``pid`` and all its descendants now, and each one's CPU seconds."""
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (fields := _stat(entry.name)) is not None:
            kids.setdefault(int(fields[1]), []).append(int(entry.name))
    todo, total, cpu = [pid], 0, {}
    while todo:
        current = todo.pop()
        todo.extend(kids.get(current, ()))
        fields = _stat(current)
        if fields is not None:
            total += int(fields[21]) * _PAGE
            cpu[current] = (int(fields[11]) + int(fields[12])) / _TICKS
    return total, cpu


def measure(argv: Sequence[str], timeout: float = 3600) -> Measured:
    """Run ``argv`` to the end; time it, record its peak memory and what else ran."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy = machine_busy()
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=ROOT, stdout=out, stderr=err)
        peak, cpu_seen, hwm = 0, dict[int, float](), dict[int, int]()
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.wait(0.1):
                rss, cpu = tree_sample(proc.pid)
                peak = max(peak, rss)
                cpu_seen.update(cpu)
                for child in cpu:
                    hwm[child] = max(hwm.get(child, 0), high_water_mark(child))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = started + timeout
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    raise SystemExit(f"{' '.join(argv)} took over {timeout:.0f} s; stopped it")
                time.sleep(0.01)
        finally:
            stop.set()
            sampler.join()
        seconds = time.perf_counter() - started
        # wait4 counts the child and the children it reaped; the samples also see workers
        # it left to exit on their own (missing up to 0.1 s of each one's end): the larger
        tree_cpu = max(usage.ru_utime + usage.ru_stime, sum(cpu_seen.values()))
        others = max(0.0, (machine_busy() - busy - tree_cpu) / seconds)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            seconds,
            usage.ru_maxrss / 1024,
            peak / 2**20,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            tree_cpu,
            others,
            hwm.get(proc.pid, 0) / 2**20,
            max((v for k, v in hwm.items() if k != proc.pid), default=0) / 2**20,
        )


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    name: str
    items: int
    run: Measured
    ratio_to: float | None = None  # the floor's items/s, for the ratio column

    @property
    def rate(self) -> float:
        """Items per second (wall time of the whole child process)."""
        return self.items / self.run.seconds if self.run.seconds else 0.0


def format_table(rows: Sequence[Row]) -> str:
    """Items, seconds, items/s, peak RSS and the ratio to the floor, one line per run."""
    head = (
        f"{'measurement':<24} {'items':>9} {'seconds':>8} {'items/s':>9} "
        f"{'main RSS MB':>11} {'parser RSS MB':>13} {'tree RSS MB':>11} {'CPU s':>7} "
        f"{'others':>6} {'ratio to floor':>14}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = f"{r.rate / r.ratio_to:.3f}" if r.ratio_to else "-"
        parsers = f"{r.run.workers_rss_mb:.0f}" if r.run.workers_rss_mb else "-"
        lines.append(
            f"{r.name:<24} {r.items:>9,} {r.run.seconds:>8.2f} {r.rate:>9,.0f} "
            f"{r.run.main_rss_mb:>11.0f} {parsers:>13} {r.run.tree_rss_mb:>11.0f} "
            f"{r.run.cpu_seconds:>7.1f} {r.run.others:>6.2f} {ratio:>14}"
        )
    return "\n".join(lines)


def targets(full: Measured, again: Measured, served: Served, ratio: float) -> str:
    """Target 3 of issue 14, each with the number measured in this run."""
    checks = [
        ("first load: main process peak RSS < 300 MB", full.main_rss_mb < 300,
         f"{full.main_rss_mb:.0f} MB (parsers {full.workers_rss_mb:.0f} MB each at most)"),
        ("no-change reload < 5 s", again.seconds < 5, f"{again.seconds:.2f} s"),
        ("no-change reload peak RSS < 200 MB", again.main_rss_mb < 200,
         f"{again.main_rss_mb:.0f} MB"),
        ("serve on the unchanged database: /healthz < 5 s", served.healthz_seconds < 5,
         f"{served.healthz_seconds:.2f} s (its reconcile reported after "
         + (f"{served.reconciled_seconds:.2f} s" if served.reconciled_seconds else "never")
         + f", serve peak RSS {served.rss_mb:.0f} MB)"),
        ("first load >= 0.8 of the parse floor", ratio >= 0.8, f"{ratio:.3f}"),
    ]  # fmt: skip
    return "\n".join(f"{'met    ' if ok else 'NOT met'} {name}: {got}" for name, ok, got in checks)


def _floor_run(root: Path, workers: int) -> tuple[Measured, int]:
    run = measure(
        [sys.executable, "-m", "bench.load", "--floor-only", str(root), "--workers", str(workers)]
    )
    if run.status != 0:
        raise SystemExit(f"the floor failed:\n{run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    return run, int(report["parsed"])


def _load_run(root: Path, db: Path, workers: int) -> tuple[Measured, dict[str, int]]:
    argv = [*newsgraph_command(), "load", str(root), "--db", str(db)]
    run = measure([*argv, "--workers", str(workers), "--json"])
    if run.status != 0:
        raise SystemExit(f"newsgraph load failed ({run.status}):\n{run.stderr[-2000:]}")
    return run, json.loads(run.stdout)


def benchmark(root: Path, workers: int, out: TextIO, work: Path) -> list[Row]:
    """Run every measurement on the content at ``root``; print progress and the table."""
    files = len(content_files(root))
    load1, load5, _ = os.getloadavg()
    affinity = len(os.sched_getaffinity(0))
    out.write(
        f"content {root}: {files:,} item files; {workers} worker process(es); "
        f"CPUs: {os.cpu_count()} (usable {affinity}); load average {load1:.2f}/{load5:.2f}\n"
    )
    out.flush()
    warm, _ = _floor_run(root, workers)
    out.write(
        f"page cache warmed by one untimed floor pass over the same files ({warm.seconds:.1f} s)\n"
    )
    out.flush()
    before, parsed = _floor_run(root, workers)
    db = work / "bench-load.db"
    full, full_report = _load_run(root, db, workers)
    again, again_report = _load_run(root, db, workers)
    served = serve_run(root, db, work)
    after, _ = _floor_run(root, workers)
    end1, end5, _ = os.getloadavg()
    best = max(parsed / before.seconds, parsed / after.seconds)
    rows = [
        Row("floor: read + YAML", parsed, before, best),
        Row("floor again, after loads", parsed, after, best),
        Row("newsgraph load (full)", full_report["added"], full, best),
        Row("reload, nothing changed", again_report["unchanged"], again),
    ]
    out.write("\n" + format_table(rows) + "\n\n")
    out.write(
        f"full load: added {full_report['added']:,}, failed {full_report['failed']}, "
        f"{full_report['seconds']:.2f} s inside the loader; reload: unchanged "
        f"{again_report['unchanged']:,}, added {again_report['added']}, "
        f"updated {again_report['updated']}, {again_report['seconds']:.2f} s inside the loader; "
        f"database {db.stat().st_size / 2**20:,.0f} MB; load average at the end "
        f"{end1:.2f}/{end5:.2f}\n"
        "seconds = wall time of the whole child process (interpreter start included, for the "
        "floor too); ratio to floor = items/s / the faster floor's items/s; main RSS = peak "
        "of the process we started; parser RSS = peak of the largest of its child processes; "
        "tree RSS = all processes of the run together, sampled at 10 Hz; "
        "CPU s = CPU time of the run's processes; others = CPU cores that other processes "
        "kept busy meanwhile (the machine is shared: high values mean noise)\n"
    )
    reconciled = served.reconciled_seconds
    out.write(
        f"newsgraph serve on the unchanged database: /healthz answered after "
        f"{served.healthz_seconds:.2f} s; the background reconcile reported after "
        + (f"{reconciled:.2f} s" if reconciled is not None else "(no report)")
        + f"; serve peak RSS {served.rss_mb:.0f} MB\n\n"
    )
    out.write(targets(full, again, served, full_report["added"] / full.seconds / best) + "\n")
    if parsed != files or full_report["added"] != files:
        out.write(
            f"WARNING: {files:,} files, the floor parsed {parsed:,}, the loader added "
            f"{full_report['added']:,}: the runs did not cover the same items\n"
        )
    return rows


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Generate (or take) a corpus, run the measurements and print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--items", type=int, default=50_000, help="items to generate")
    source.add_argument("--corpus", type=Path, help="an existing content folder")
    source.add_argument("--floor-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument(
        "--work", type=Path, help="folder for the database (default: a temporary folder)"
    )
    args = parser.parse_args(argv)
    if args.floor_only is not None:  # the child process of a floor measurement
        files, parsed = floor(args.floor_only, args.workers)
        print(json.dumps({"files": files, "parsed": parsed}))
        return 0
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-load-", dir=args.work) as tmp:
        work = Path(tmp)
        if args.corpus is not None:
            if not args.corpus.is_dir():
                parser.error(f"--corpus {args.corpus} is not a folder")
            root = args.corpus.resolve()
        else:
            from bench.corpus import generate

            started = time.perf_counter()
            root = work / "content"
            stats = generate(root, args.items, seed=args.seed)
            out.write(
                f"generated {stats.items:,} items ({stats.bytes / 2**20:,.0f} MB) in "
                f"{time.perf_counter() - started:.1f} s\n"
            )
        benchmark(root, args.workers, out, work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
