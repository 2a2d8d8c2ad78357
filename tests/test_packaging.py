"""What a user who installs the package gets: the wheel builds cleanly, installs into a
fresh virtual environment, and its ``newsgraph serve`` answers a query on the bundled sample.

This installs from the package index into a new environment (a minute or so the first
time, seconds once pip's cache holds the dependencies); it skips with the reason when
that is not possible here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


SOURCES = ("pyproject.toml", "README.md", "core", "db", "loaders", "api", "newsgraph")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The built wheel and everything the build printed.

    Built from a copy of the sources, so the build leaves nothing in the checkout.
    """
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(source)],
        timeout=600,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build the wheel here (pip wheel failed): {built.stderr[-500:]}")
    (found,) = out.glob("newsgraph-*.whl")
    return found, built.stdout + built.stderr


def test_the_wheel_builds_without_warnings(wheel: tuple[Path, str]) -> None:
    _, log = wheel
    assert "absent from the `packages` configuration" not in log
    assert "BuildBackendWarning" not in log


def test_the_wheel_holds_every_package_and_the_sample(wheel: tuple[Path, str]) -> None:
    path, _ = wheel
    names = zipfile.ZipFile(path).namelist()
    for package in ("core", "db", "loaders", "api", "api/http", "api/schema", "api/plans"):
        assert f"{package}/__init__.py" in names, package
    assert "newsgraph/cli.py" in names
    samples = [n for n in names if n.startswith("newsgraph/sample/_news/") and n.endswith(".md")]
    assert len(samples) >= 10
    assert any(n.startswith("newsgraph/sample/_data/topics/") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_installed_wheel_serves_the_sample(wheel: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = wheel
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    installed = _run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(path)],
        timeout=900,
    )
    if installed.returncode != 0:
        pytest.skip(f"cannot install the wheel's dependencies here: {installed.stderr[-500:]}")
    port = _free_port()
    work = tmp_path / "work"  # not the checkout: only the installed package may be imported
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSGRAPH_", "PYTHON"))}
    server = subprocess.Popen(
        [str(env_dir / "bin" / "newsgraph"), "serve", "--port", str(port)],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        body = _query_when_up(port, server)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert "errors" not in body, output
    articles = body["data"]["articles"]
    assert articles["totalCount"] >= 10, output
    assert articles["nodes"][0]["title"]
    assert (work / "newsgraph.db").exists()  # the default database, in the working folder


def _query_when_up(port: int, server: subprocess.Popen[bytes]) -> dict[str, object]:
    query = json.dumps({"query": "{ articles(first: 3) { totalCount nodes { title } } }"})
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise AssertionError(f"newsgraph serve exited with {server.returncode}")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=query.encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback
                return dict(json.load(answer))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
