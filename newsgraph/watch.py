"""Loads while serving: the start-up reconcile and ``serve --watch``.

``serve`` on a database that already holds content answers at once and brings
the database up to date with the content folder here, in the background (a
no-change reconcile of a million files takes seconds; the server used to wait
for it). With ``--watch`` the same thread then reloads after every burst of
changes.

The loads run in a thread with its own event loop, so a long load never delays
a request beyond sharing the interpreter; each load is one transaction, so
requests in flight keep their snapshot, and caches follow the new content
version on their own. A failed load is logged and the previous content stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import awatch

from core.errors import NewsgraphError
from core.records import LoadReport
from loaders.loader import LoadOptions, load

log = logging.getLogger("newsgraph.watch")

OnReport = Callable[[LoadReport], None]


def describe(report: LoadReport, verb: str = "reloaded") -> list[str]:
    """Log lines for a load: one per refused file, then the counts."""
    lines = [f"refused {problem}" for problem in report.problems]
    lines.append(
        f"{verb}: added {report.added}, updated {report.updated}, "
        f"unchanged {report.unchanged}, removed {report.removed}, failed {report.failed} "
        f"(content version {report.content_version}, {report.seconds:.2f} s)"
    )
    return lines


async def run(
    content: Path,
    db: Path,
    options: LoadOptions,
    stop: asyncio.Event,
    *,
    reconcile: bool = False,
    watch: bool = True,
    on_report: OnReport | None = None,
) -> None:
    """Reconcile once (``reconcile``) and/or reload after changes (``watch``) until ``stop``.

    The watcher starts before the reconcile reads the folder, so a change made
    while it runs is not missed: it causes one more (incremental) load after it.
    """
    lock = asyncio.Lock()

    async def one_load(verb: str) -> None:
        async with lock:
            try:
                report = await load(content, db, options)
            except NewsgraphError as exc:
                log.error("%s failed, the previous content stays: %s", verb, exc)
                return
        for line in describe(report, verb):
            (log.warning if line.startswith("refused") else log.info)("%s", line)
        if on_report is not None:
            on_report(report)

    first = asyncio.create_task(one_load("reconciled")) if reconcile else None
    try:
        if watch:
            async for _changes in awatch(content, debounce=300, step=50, stop_event=stop):
                await one_load("reloaded")
        elif first is not None:
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({first, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
    finally:
        if first is not None and not first.done():
            log.info("stopping: the reconcile is cancelled, the previous content stays")
            first.cancel()
        if first is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await first


async def watch(
    content: Path, db: Path, options: LoadOptions, stop: asyncio.Event | None = None
) -> None:
    """Reload after every burst of changes under ``content`` until ``stop`` is set."""
    await run(content, db, options, stop or asyncio.Event())


class BackgroundLoads:
    """A thread that runs :func:`run` until :meth:`stop`."""

    def __init__(
        self,
        content: Path,
        db: Path,
        options: LoadOptions,
        *,
        reconcile: bool,
        watch: bool,
        on_report: OnReport | None = None,
    ) -> None:
        self.content, self.db, self.options = content, db, options
        self.reconcile, self.watch, self.on_report = reconcile, watch, on_report
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="content-loads", daemon=True)

    def start(self) -> None:
        """Start; returns once the thread's loop runs (the first load may still be going)."""
        self._thread.start()
        self._ready.wait(timeout=10)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await run(
                self.content, self.db, self.options, self._stop,
                reconcile=self.reconcile, watch=self.watch, on_report=self.on_report,
            )  # fmt: skip

        asyncio.run(main())

    def stop(self, timeout: float = 10) -> None:
        """Stop (a load under way is rolled back) and wait for the thread."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already finished
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=timeout)
