"""The deployment of deploy/ run for real on 127.0.0.1: replicas, nginx, Varnish.

Read-only replicas (``newsgraph serve --read-only``) on one built file, nginx
with ``deploy/nginx.conf`` in front of them, and Varnish with
``deploy/varnish.vcl`` in front of nginx or of a replica; every process in a
temporary folder of its own, on free ports, never as a system service. The
tests of deploy/ and ``scripts/bench scale`` use these.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.servers import ROOT, Server, free_port, newsgraph_command

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
VARNISH_VCL = ROOT / "deploy" / "varnish.vcl"


def nginx_binary() -> str | None:
    """nginx, if installed (Debian puts it in /usr/sbin)."""
    return shutil.which("nginx") or _sbin("nginx")


def varnish_binary() -> str | None:
    """varnishd, if installed (with a C compiler: Varnish compiles its VCL)."""
    found = shutil.which("varnishd") or _sbin("varnishd")
    return found if found and shutil.which("cc") else None


def _sbin(name: str) -> str | None:
    path = Path("/usr/sbin") / name
    return str(path) if path.exists() else None


def start_replica(
    db: Path, logdir: Path, name: str, env: dict[str, str] | None = None, *extra: str
) -> Server:
    """``newsgraph serve --read-only`` on ``db``, on a free port."""
    port = free_port()
    argv = [*newsgraph_command(), "serve", "--read-only", "--db", str(db),
            "--port", str(port), *extra]  # fmt: skip
    log = logdir / f"{name}.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
    return Server(name, proc, f"http://127.0.0.1:{port}", log)


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def nginx_site(listen: int, backends: list[int]) -> str:
    """deploy/nginx.conf with its listen port and upstream servers replaced."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    servers = re.findall(r"^( *server 127\.0\.0\.1:)(\d+)( [^;]*;)$", text, re.MULTILINE)
    if not servers:
        raise SystemExit(f"{NGINX_CONF}: no upstream server lines to replace")
    indent, _, params = servers[0]
    lines = "\n".join(f"{indent}{port}{params}" for port in backends)
    text = re.sub(r"^ *server 127\.0\.0\.1:\d+ [^;]*;\n", "", text, flags=re.MULTILINE)
    text = text.replace("    keepalive", lines + "\n    keepalive", 1)
    return text.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{listen};")


@dataclass
class Proxy:
    """A proxy process we started (nginx or Varnish) and the URL it listens on."""

    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    cleanup: list[Path] = field(default_factory=list)

    def wait_ready(self, timeout: float = 20) -> None:
        """Wait until the proxy accepts connections (any HTTP answer will do)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')}")
            try:
                httpx.get(self.url + "/healthz", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start: {self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def start_nginx(prefix: Path, backends: list[int], workers: int = 1) -> Proxy:
    """nginx in the foreground with deploy/nginx.conf inside a minimal main config."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (scripts/install-deploy-deps)")
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (prefix / "newsgraph.conf").write_text(nginx_site(port, backends), encoding="utf-8")
    temp = {k: prefix / k for k in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    main = f"""
worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {prefix}/newsgraph.conf;
}}
"""
    conf = prefix / "nginx.conf"
    conf.write_text(main, encoding="utf-8")
    log = prefix / "stderr.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
            stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    return Proxy("nginx", proc, f"http://127.0.0.1:{port}", prefix / "error.log")


def start_varnish(workdir: Path, backend: int, memory_mb: int = 64) -> Proxy:
    """varnishd in the foreground with deploy/varnish.vcl, its backend port replaced."""
    binary = varnish_binary()
    if binary is None:
        raise RuntimeError("varnishd (and a C compiler) is not installed")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    vcl = VARNISH_VCL.read_text(encoding="utf-8").replace(
        '.port = "8080";', f'.port = "{backend}";'
    )
    (workdir / "newsgraph.vcl").write_text(vcl, encoding="utf-8")
    log = workdir / "varnishd.log"
    argv = [
        binary, "-F", "-j", "none", "-n", str(workdir / "instance"),
        "-a", f"127.0.0.1:{port}", "-f", str(workdir / "newsgraph.vcl"),
        "-s", f"malloc,{memory_mb}m", "-T", "none",
        "-p", "default_grace=0", "-p", "default_keep=0",
    ]  # fmt: skip
    with open(log, "wb") as fh:
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Proxy("varnish", proc, f"http://127.0.0.1:{port}", log)


@dataclass
class Tally:
    """What a burst of client requests got: answers, failures (with a sample), replicas."""

    ok: int = 0
    failed: int = 0
    retried_apq: int = 0
    failures: list[str] = field(default_factory=list)
    upstreams: dict[str, int] = field(default_factory=dict)


def persisted(query: str) -> str:
    """The ``extensions`` parameter that names ``query`` by its SHA-256 (APQ)."""
    digest = hashlib.sha256(query.encode()).hexdigest()
    return json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})


def ask(client: httpx.Client, query: str, tally: Tally, *, get: bool) -> None:
    """One client request as a browser app would send it: a POST, or a persisted-query GET
    (the hash alone, then hash and document when the replica does not know it yet)."""
    try:
        if get:
            ext = persisted(query)
            r = client.get("/graphql", params={"extensions": ext})
            if r.status_code == 200 and "PersistedQueryNotFound" in r.text:
                tally.retried_apq += 1
                r = client.get("/graphql", params={"query": query, "extensions": ext})
        else:
            r = client.post("/graphql", json={"query": query})
        good = r.status_code == 200 and "errors" not in r.json()
    except (httpx.HTTPError, ValueError) as exc:
        tally.failed += 1
        tally.failures.append(repr(exc))
        return
    if good:
        tally.ok += 1
        upstream = r.headers.get("x-upstream", "")
        tally.upstreams[upstream] = tally.upstreams.get(upstream, 0) + 1
    else:
        tally.failed += 1
        tally.failures.append(f"{r.status_code} {r.text[:200]}")


def burst(url: str, queries: list[str], seconds: float, clients: int = 6) -> Tally:
    """``clients`` threads sending ``queries`` in turn (POST and persisted GET alternately)
    for ``seconds``; the tally of every answer."""
    tally = Tally()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(n: int) -> None:
        mine = Tally()
        with httpx.Client(base_url=url, timeout=30) as client:
            i = n
            while time.monotonic() < deadline:
                ask(client, queries[i % len(queries)], mine, get=bool(i % 2))
                i += 1
        with lock:
            tally.ok += mine.ok
            tally.failed += mine.failed
            tally.retried_apq += mine.retried_apq
            tally.failures.extend(mine.failures)
            for k, v in mine.upstreams.items():
                tally.upstreams[k] = tally.upstreams.get(k, 0) + v

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally
