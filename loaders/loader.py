"""Walk a content folder and load it into SQLite: incremental, atomic, parallel, lean.

1. *Plan* (in a thread): walk the folder in path order and merge it with the
   ``files`` table read in the same order (:mod:`loaders.plan`). A file whose
   size and mtime match is unchanged and is not even opened; the others, and
   the paths gone from the folder, are spooled to a temporary file.
2. *Remove* the articles of files gone from disk (unless ``prune`` is off),
   first, so a file moved to another folder keeps its slug.
3. *Parse* the rest in worker processes when there are many (YAML parsing is
   CPU-bound; both cores work), in chunks, in order, a bounded number of
   chunks in flight, while the main process writes finished chunks. A file
   whose bytes hash as before is unchanged too.
4. *Write* through :class:`db.writer.LoadWriter` in one transaction. Any
   failure rolls back, so the previous content stays whole.

Nothing here holds a per-file structure for the whole load: memory depends on
the window of chunks in flight, not on how many files the folder has.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from core.errors import ConfigError
from core.records import LoadReport
from db.connection import connect_async
from db.files import KnownFiles
from db.health import save_problems
from db.writer import LoadWriter
from loaders.parse import Job, Limits, Outcome, parse_jobs
from loaders.plan import Plan, Spool, Todo, plan
from loaders.render import hosts_digest
from loaders.site import read_site
from loaders.walk import Walk, matches

__all__ = ["DEFAULT_PATTERNS", "LoadOptions", "load", "matches"]

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
    report = LoadReport()
    walk = Walk(root, options.patterns)
    conn = await connect_async(db_path)
    writer = LoadWriter(conn)
    work: Plan | None = None
    try:
        await writer.follow_embed_hosts(hosts_digest(options.limits.embed_hosts))
        await writer.begin()
        work = await asyncio.to_thread(_plan, walk, writer.known_files())
        report.problems.extend(walk.problems)
        report.unchanged = work.unchanged
        await writer.expect(work.todo.count)
        if options.prune:
            for gone in work.gone.batches():
                report.removed += await writer.remove(gone)
        total, done = work.todo.count, 0
        async for outcomes in _parse(_jobs(str(root), work.todo), total, options):
            await _apply(writer, outcomes, report)
            done += len(outcomes)
            if progress is not None:
                progress(done, total)
        site = await asyncio.to_thread(read_site, str(root), walk.site, options.limits)
        report.problems.extend(site.problems)
        if not await writer.site_matches(site.topics, site.organizations):
            await writer.put_site(site.topics, site.organizations)
        await save_problems(conn, report.problems)
        report.content_version = await writer.commit()
    except BaseException:
        await writer.rollback()
        raise
    finally:
        if work is not None:
            work.close()
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


def _plan(walk: Walk, known: KnownFiles) -> Plan:
    """The merge, in a thread; the read connection closes there, even if the load was
    cancelled meanwhile."""
    try:
        return plan(walk.chunks(), known.batches(), known.details)
    finally:
        known.close()


def _jobs(root: str, todo: Spool[Todo]) -> Iterator[list[Job]]:
    """The spooled files to parse as chunks of jobs, read as they are needed."""
    chunk: list[Job] = []
    for batch in todo.batches():
        for state, known_sha in batch:
            chunk.append(Job(root, state, known_sha or None))
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


async def _parse(
    chunks: Iterator[list[Job]], total: int, options: LoadOptions
) -> AsyncIterator[list[Outcome]]:
    """Yield parsed chunks in order; in worker processes when there are many files."""
    if total < PARALLEL_MIN_FILES or options.workers <= 1:
        for chunk in chunks:
            yield await asyncio.to_thread(parse_jobs, chunk, options.limits)
        return
    loop = asyncio.get_running_loop()
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
        pending = deque(
            loop.run_in_executor(pool, parse_jobs, chunk, options.limits)
            for chunk in islice(chunks, window)
        )
        while pending:
            outcomes = await pending.popleft()
            for chunk in islice(chunks, 1):
                pending.append(loop.run_in_executor(pool, parse_jobs, chunk, options.limits))
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
