"""Built files and read-only replicas: `newsgraph build`, `serve --read-only`, reopening."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from api.http.replica import Replica
from bench.servers import Server, free_port, newsgraph_command, start
from db import built
from loaders.loader import LoadOptions, load
from newsgraph.cli import main
from tests.conftest import MakeItem, make_app

Q = "{ contentInfo { digest articleCount } articles(first: 3) { nodes { slug title } } }"


def build(content: Path, out: Path, capsys: pytest.CaptureFixture[str], *more: str) -> str:
    assert main(["build", str(content), "--out", str(out), "--workers", "1", *more]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"built {out}: content ")
    return printed.split("content ", 1)[1].split()[0]


def test_build_writes_one_compact_file_with_the_digest_of_a_load(
    make_item: MakeItem, content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(4):
        make_item(n)
    out = tmp_path / "ship" / "news.db"
    digest = build(content, out, capsys)
    assert sorted(p.name for p in out.parent.iterdir()) == ["news.db"]  # nothing else left
    loaded = asyncio.run(load(content, tmp_path / "loaded.db", LoadOptions(workers=1)))
    assert digest == loaded.content_digest
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert built.check(out, thorough=True).digest == digest


def test_read_only_refuses_bad_files_at_start(
    make_item: MakeItem, content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_item(1)
    good = tmp_path / "news.db"
    build(content, good, capsys)
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)
    newer = tmp_path / "newer.db"
    shutil.copy(good, newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    cases = {
        tmp_path / "missing.db": "no database file",
        text: "is not a newsgraph database",
        other: "is not a newsgraph database",
        newer: "newer than this newsgraph",
    }
    for path, message in cases.items():
        assert main(["serve", "--read-only", "--db", str(path)]) == 2
        assert message in capsys.readouterr().err
    assert main(["serve", "--read-only", "--watch", "--db", str(good)]) == 2
    assert "drop --watch" in capsys.readouterr().err


async def test_reopen_switches_files_and_tells_subscribers(
    make_item: MakeItem, content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(3):
        make_item(n)
    served = tmp_path / "news.db"
    await asyncio.to_thread(main, ["build", str(content), "--out", str(served), "--workers", "1"])
    make_item(7, title="A later story")
    make_item(0, title="An edited story")
    (content / "_news" / "2024-01-01-story-1.md").unlink()
    await asyncio.to_thread(
        main,
        ["build", str(content), "--out", str(tmp_path / "next.db"), "--from", str(served),
         "--workers", "1"],
    )  # fmt: skip
    app = make_app(served, read_only=True)
    replica: Replica = app.state.replica
    events = app.state.feed.subscribe()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        before = await c.post("/graphql", json={"query": Q})
        os.replace(tmp_path / "next.db", served)  # the rollout: rename over the served path
        assert (await c.post("/graphql", json={"query": Q})).content == before.content
        assert await replica.reopen()
        after = await c.post("/graphql", json={"query": Q})
        assert after.headers["x-content-version"] != before.headers["x-content-version"]
        assert after.json()["data"]["contentInfo"]["articleCount"] == 3
        change = events.get_nowait()
        assert (len(change.added), len(change.updated), len(change.removed)) == (1, 1, 1)

        served.write_bytes(served.read_bytes()[: 4096 * 3])  # a damaged file at the path
        with caplog.at_level(logging.ERROR, logger="newsgraph.replica"):
            assert not await replica.reopen()
        assert "kept serving content" in caplog.text
        kept = await c.post("/graphql", json={"query": Q})
        assert kept.content == after.content
    assert list(tmp_path.glob("*-wal")) == list(tmp_path.glob("*-shm")) == []


def read_only_mount(folder: Path, argv: list[str]) -> list[str]:
    """``argv`` run where ``folder`` is a read-only file system (a bind mount in a mount
    namespace of its own, when we may make one), else as given."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return argv
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return argv
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, "sh", str(folder), *argv]


def test_a_replica_serves_a_read_only_folder_and_reopens_on_sighup(
    make_item: MakeItem, content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(3):
        make_item(n)
    ship = tmp_path / "ship"
    served = ship / "news.db"
    first = build(content, served, capsys)
    make_item(9, title="Fresh story")
    second = build(content, tmp_path / "next.db", capsys, "--from", str(served))
    port = free_port()
    argv = [*newsgraph_command(), "serve", "--read-only", "--db", str(served), "--port", str(port)]
    ship.chmod(0o555)
    served.chmod(0o444)
    server: Server = start("replica", read_only_mount(ship, argv), port, tmp_path)
    failures: list[str] = []
    seen: set[str] = set()
    stop, answered = threading.Event(), threading.Event()

    def keep_asking() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while not stop.is_set():
                try:
                    r = client.post("/graphql", json={"query": Q})
                    if r.status_code != 200 or "errors" in r.json():
                        failures.append(r.text)
                    seen.add(r.headers["x-content-version"])
                    answered.set()
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))

    asker = threading.Thread(target=keep_asking)
    try:
        server.wait_healthy(30)
        asker.start()
        assert answered.wait(30)
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.get("/healthz").headers["x-content-version"] == first
            if os.geteuid() == 0 and read_only_mount(ship, ["x"]) != ["x"]:
                # the bind mount is the replica's own: outside it the folder is writable
                ship.chmod(0o755)
                shutil.copy(tmp_path / "next.db", ship / ".next.db")
                os.replace(ship / ".next.db", served)
            else:
                ship.chmod(0o755)
                os.replace(tmp_path / "next.db", served)
            server.proc.send_signal(signal.SIGHUP)
            for _ in range(100):
                if client.get("/healthz").headers["x-content-version"] == second:
                    break
                threading.Event().wait(0.1)
        for _ in range(100):  # the asking client gets an answer from the new file too
            if second in seen:
                break
            threading.Event().wait(0.1)
        stop.set()
        asker.join(timeout=30)
    finally:
        stop.set()
        server.stop()
    assert failures == []
    assert seen == {first, second}
    assert "read-only" in server.log.read_text()
    assert sorted(p.name for p in ship.iterdir()) == ["news.db"]  # no -wal, -shm, journal
