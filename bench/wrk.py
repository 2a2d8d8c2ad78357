"""Running wrk and reading what it printed.

wrk drives the servers from 127.0.0.1 with the Lua script beside this module
(``wrk_post.lua``), which POSTs one body per request from a file and counts
GraphQL errors; :func:`parse_wrk` reads the summary, the latency percentiles and
the error counts, :func:`cpu_of_others` how busy the rest of the machine was.
"""

from __future__ import annotations

import re
import resource
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.cases import COLD_BASE, Case
from bench.load import machine_busy, process_cpu

LUA = Path(__file__).with_name("wrk_post.lua")
WRK_INSTALL = "apt-get install -y wrk"
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
        str(bodies), mode, str(settings.threads), str(COLD_BASE),
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
