"""Run ``newsgraph serve`` as a subprocess on a free loopback port, for tests that need a real
HTTP server (a browser, an HTTP client library)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import README_EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = ROOT / "tests" / "browser"
NODE_MODULES = BROWSER_DIR / "node_modules"
README_QUERIES = README_EXAMPLES


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def newsgraph_server(
    workdir: Path, *args: str, start_timeout: float = 30.0, token: str | None = None
) -> Iterator[str]:
    """Serve from a fresh database in ``workdir`` (the bundled sample unless ``args`` name
    other content); yield the base URL. ``args`` are further ``newsgraph serve`` flags;
    ``token`` is the operator's access token, if any.

    The server's output goes to ``workdir/serve.log``, quoted in the failure when it does not
    come up.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSGRAPH_")}
    if token is not None:
        env["NEWSGRAPH_ACCESS_TOKEN"] = token
    log_path = workdir / "serve.log"
    command = [
        sys.executable, "-m", "newsgraph.cli", "serve",
        "--db", str(workdir / "serve.db"), "--host", "127.0.0.1", "--port", str(port), *args,
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"newsgraph serve did not come up on {base}:\n"
                        + log_path.read_text(encoding="utf-8", errors="replace")
                    )
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
