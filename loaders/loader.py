"""Walk a content folder and load it into SQLite: incremental, atomic, parallel.

1. *Scan* (in a thread): every file matching the patterns, with size and mtime.
2. *Decide*: a file whose size and mtime match what the database remembers is
   unchanged and is not even opened. Others are read and hashed; the same
   hash as before means unchanged too.
3. *Parse* in worker processes when there are many files (YAML parsing is
   CPU-bound; both cores work), in chunks, in order, while the main process
   writes finished chunks.
4. *Write* through :class:`db.writer.LoadWriter` in one transaction; files gone
   from disk are removed (unless ``prune`` is off). Any failure rolls back, so
   the previous content stays whole.
"""

from __future__ import annotations

import asyncio
import fnmatch
import multiprocessing
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from core.errors import ConfigError
from core.records import FileState, LoadReport, Problem
from db.connection import connect_async
from db.writer import LoadWriter
from loaders.parse import Job, Limits, Outcome, parse_jobs
from loaders.site import is_site_file, read_site

DEFAULT_PATTERNS = ("**/*.md", "**/*.markdown")
PARALLEL_MIN_FILES = 400
CHUNK = 200

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to load: which files, whether to prune, how many processes."""

    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    prune: bool = True
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    limits: Limits = field(default_factory=Limits)


@dataclass(slots=True)
class Scan:
    """The files found under a content root."""

    articles: list[FileState] = field(default_factory=list)
    site: list[FileState] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def matches(rel: str, patterns: Sequence[str]) -> bool:
    """Glob match where a leading ``**/`` also matches files at the top level."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(rel, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatchcase(rel, pattern[3:]):
            return True
    return False


def scan(root: Path, patterns: Sequence[str]) -> Scan:
    """Find content files; hidden folders and ``_site`` are skipped, symlinked folders too."""
    found = Scan()
    for folder, dirs, files in os.walk(root, onerror=None, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "_site")
        base = PurePosixPath(Path(folder).relative_to(root).as_posix())
        for name in sorted(files):
            if name.startswith("."):
                continue
            rel = str(base / name) if str(base) != "." else name
            site = is_site_file(rel)
            if not site and not matches(rel, patterns):
                continue
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError as exc:
                found.problems.append(Problem(rel, f"cannot read the file: {exc.strerror or exc}"))
                continue
            state = FileState(rel, st.st_size, st.st_mtime_ns)
            (found.site if site else found.articles).append(state)
    return found


async def load(
    content: str | Path,
    db_path: str | Path,
    options: LoadOptions | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Load ``content`` into the database at ``db_path``; return the report."""
    options = options or LoadOptions()
    root = Path(content)
    if not root.is_dir():
        raise ConfigError(f"content folder {root} does not exist or is not a folder")
    started = time.perf_counter()
    found = await asyncio.to_thread(scan, root, options.patterns)
    report = LoadReport(problems=list(found.problems), failed=len(found.problems))
    conn = await connect_async(db_path)
    writer = LoadWriter(conn)
    try:
        known = await writer.begin()
        jobs: list[Job] = []
        for state in found.articles:
            before = known.files.get(state.path)
            if before and (before.size, before.mtime_ns) == (state.size, state.mtime_ns):
                report.unchanged += 1
            else:
                jobs.append(Job(str(root), state, before.sha256 if before else None))
        done = 0
        async for outcomes in _parse(jobs, options):
            await _apply(writer, outcomes, report)
            done += len(outcomes)
            if progress is not None:
                progress(done, len(jobs))
        on_disk = {s.path for s in found.articles}
        gone = [p for p in known.files if p not in on_disk]
        if options.prune:
            report.removed = await writer.remove(gone)
        site = await asyncio.to_thread(read_site, str(root), found.site, options.limits)
        report.problems.extend(site.problems)
        if not await writer.site_matches(site.topics, site.organizations):
            await writer.put_site(site.topics, site.organizations)
        report.content_version = await writer.commit()
    except BaseException:
        await writer.rollback()
        raise
    finally:
        await conn.close()
    report.failed = len(report.problems)
    report.seconds = time.perf_counter() - started
    return report


def exit_with_parent(parent: int) -> None:
    """In a parser process: exit when the loader that started us is gone.

    A loader killed with SIGKILL cannot shut its pool down; without this its
    idle workers would wait for work forever.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


async def _parse(jobs: list[Job], options: LoadOptions) -> AsyncIterator[list[Outcome]]:
    """Yield parsed chunks in order; in worker processes when there are many files."""
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    loop = asyncio.get_running_loop()
    if len(jobs) < PARALLEL_MIN_FILES or options.workers <= 1:
        for chunk in chunks:
            yield await asyncio.to_thread(parse_jobs, chunk, options.limits)
        return
    pool: Executor = ProcessPoolExecutor(
        max_workers=options.workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        # chunks in flight: enough that parsers never wait for the writer to catch up
        # (with 2 per worker they idled a fifth of a 50k load); ~0.5 MB each
        window = options.workers * 8
        pending = [
            loop.run_in_executor(pool, parse_jobs, c, options.limits) for c in chunks[:window]
        ]
        next_chunk = window
        while pending:
            outcomes = await pending.pop(0)
            if next_chunk < len(chunks):
                pending.append(
                    loop.run_in_executor(pool, parse_jobs, chunks[next_chunk], options.limits)
                )
                next_chunk += 1
            yield outcomes
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


async def _apply(writer: LoadWriter, outcomes: list[Outcome], report: LoadReport) -> None:
    fresh = [(o.state, o.article) for o in outcomes if o.article is not None]
    same = [o.state for o in outcomes if o.same]
    report.problems.extend(o.problem for o in outcomes if o.problem is not None)
    added, updated = await writer.put_articles(fresh)
    report.added += added
    report.updated += updated
    report.unchanged += len(same)
    await writer.touch_files(same)
