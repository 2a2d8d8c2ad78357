"""Server processes for benchmarks: start, wait until healthy, settle, measure memory, stop."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


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


def serve_newsgraph(
    db: Path, content: Path, logdir: Path, name: str = "newsgraph", workers: int = 1
) -> Server:
    """Start ``newsgraph serve`` on ``db`` (it loads ``content`` first, incrementally:
    pass the folder the database was built from, or it removes every other article)."""
    port = free_port()
    argv = [*newsgraph_command(), "serve", "--db", str(db), "--content", str(content),
            "--port", str(port), "--workers", str(max(1, workers))]  # fmt: skip
    return start(name, argv, port, logdir)


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (Linux ``/proc``); 0 once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    """The processes started by ``pid``, their children and so on (Linux ``/proc``)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command name (in parentheses) may hold spaces: the ppid follows the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and every process under it (worker processes, pools)."""
    return rss_mb(pid) + sum(rss_mb(child) for child in descendants(pid))


def add_database_args(parser: argparse.ArgumentParser) -> None:
    """``--db``, ``--content`` and ``--startup-timeout``, for benchmarks that start
    ``newsgraph serve`` on an existing database."""
    parser.add_argument("--db", type=Path, required=True, help="a loaded newsgraph database")
    parser.add_argument(
        "--content",
        type=Path,
        required=True,
        help="the folder the database was loaded from (serve loads it first, incrementally)",
    )
    parser.add_argument(
        "--startup-timeout", type=float, default=900, help="seconds to wait for /healthz"
    )


def check_database_args(args: argparse.Namespace) -> None:
    """Refuse a missing database or content folder before any server starts."""
    if not args.db.is_file():
        raise SystemExit(f"--db {args.db} is not a file; load a corpus first (newsgraph load)")
    if not args.content.is_dir():
        raise SystemExit(f"--content {args.content} is not a folder")
