"""``serve --watch``: reload the content folder incrementally when files change.

The watcher runs in its own thread with its own event loop, so a long load
never delays a request; each load is one transaction, so requests in flight
keep their snapshot, and caches follow the new content version on their own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

from watchfiles import awatch

from core.errors import NewsgraphError
from core.records import LoadReport
from loaders.loader import LoadOptions, load

log = logging.getLogger("newsgraph.watch")


def describe(report: LoadReport) -> list[str]:
    """Log lines for a load: one per refused file, then the counts."""
    lines = [f"refused {problem}" for problem in report.problems]
    lines.append(
        f"reloaded: added {report.added}, updated {report.updated}, removed {report.removed}, "
        f"failed {report.failed} (content version {report.content_version}, "
        f"{report.seconds:.2f} s)"
    )
    return lines


async def watch(
    content: Path, db: Path, options: LoadOptions, stop: asyncio.Event | None = None
) -> None:
    """Reload after every burst of changes under ``content`` until ``stop`` is set."""
    async for _changes in awatch(content, debounce=300, step=50, stop_event=stop):
        try:
            report = await load(content, db, options)
        except NewsgraphError as exc:
            log.error("reload failed, the previous content stays: %s", exc)
            continue
        for line in describe(report):
            (log.warning if line.startswith("refused") else log.info)("%s", line)


class Watcher:
    """A thread that runs :func:`watch` until :meth:`stop`."""

    def __init__(self, content: Path, db: Path, options: LoadOptions) -> None:
        self.content, self.db, self.options = content, db, options
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="content-watcher", daemon=True)

    def start(self) -> None:
        """Start watching; returns once the watcher is listening."""
        self._thread.start()
        self._ready.wait(timeout=10)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await watch(self.content, self.db, self.options, self._stop)

        asyncio.run(main())

    def stop(self) -> None:
        """Stop watching and wait for the thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
