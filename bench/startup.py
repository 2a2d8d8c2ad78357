"""``newsgraph serve`` starting on a loaded database: how soon it answers, and how soon
its background reconcile of the content folder has finished.

Why: a server that loads before it listens is down for as long as the load takes; on
a database that already holds content it should answer at once (target 3 of issue 14:
``/healthz`` in under 5 s at a million items) while the reconcile runs behind it.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.servers import ROOT, free_port, newsgraph_command


@dataclass(frozen=True)
class Served:
    """``newsgraph serve`` on a loaded database: when it answered, when it had reconciled."""

    healthz_seconds: float
    reconciled_seconds: float | None
    rss_mb: float
    log: str


def high_water_mark(pid: int) -> int:
    """The peak resident set of a process so far, in bytes (``VmHWM``); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def serve_run(root: Path, db: Path, work: Path, timeout: float = 600) -> Served:
    """Start ``serve`` on ``db``; time ``/healthz`` and the background reconcile's report."""
    port = free_port()
    log = work / "serve.log"
    argv = [*newsgraph_command(), "serve", "--db", str(db), "--content", str(root)]
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*argv, "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    healthz = reconciled = None
    rss = 0.0
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            while time.perf_counter() - started < timeout and proc.poll() is None:
                if healthz is None:
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get("/healthz").status_code == 200:
                            healthz = time.perf_counter() - started
                if reconciled is None and b"reconciled:" in log.read_bytes():
                    reconciled = time.perf_counter() - started
                rss = max(rss, high_water_mark(proc.pid) / 2**20)
                if healthz is not None and reconciled is not None:
                    break
                time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    text = log.read_text(errors="replace")
    if healthz is None:
        raise SystemExit(f"newsgraph serve never answered /healthz:\n{text[-2000:]}")
    return Served(healthz, reconciled, rss, text)
