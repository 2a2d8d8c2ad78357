"""Factories shared by the tests: content files, seed paths, the shared corpus."""

from __future__ import annotations

import asyncio
import base64
import errno
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "corpus" / "seed" / "_news"
SAMPLE_SEED = ROOT / "newsgraph" / "sample" / "_news"
README_EXAMPLES = [
    block.split("```", 1)[0]
    for block in (ROOT / "README.md").read_text(encoding="utf-8").split("```graphql\n")[1:]
]
CLIENT_EXAMPLES = [e for e in README_EXAMPLES if "contentHealth" not in e]
"""The README's examples that any client sends (not the operator's health report, which
needs the access token and is answered by the reference executor)."""
SEED_NAME = "2021-02-04-clearview-facial-recognition-technology-ruled-illegal-in-canada.md"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        help="run the long profiles: thousands of fuzz cases, many kill-mid-load rounds",
    )


@pytest.fixture(scope="session")
def long_run(request: pytest.FixtureRequest) -> bool:
    """Whether ``--long`` was given."""
    return bool(request.config.getoption("--long"))


def front_matter(fields: dict[str, Any]) -> str:
    """Render a mapping as simple YAML front matter (enough for the tests' items)."""
    lines = ["---"]
    for key, value in fields.items():
        lines.extend(_yaml(key, value, 0))
    lines.append("---")
    return "\n".join(lines) + "\n"


def _yaml(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        out = [f"{pad}{key}:"]
        for k, v in value.items():
            out.extend(_yaml(k, v, indent + 2))
        return out
    if isinstance(value, list):
        out = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict):
                first = True
                for k, v in item.items():
                    rendered = _yaml(k, v, indent + 4)
                    if first:
                        rendered[0] = f"{pad}  - " + rendered[0].lstrip()
                        first = False
                    out.extend(rendered)
            else:
                out.append(f"{pad}  - {_scalar(item)}")
        return out
    return [f"{pad}{key}: {_scalar(value)}"]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, Raw):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


class Raw(str):
    """A scalar written into YAML as-is (e.g. an unquoted timestamp)."""


def item_fields(n: int, **overrides: Any) -> dict[str, Any]:
    """A complete, valid item numbered ``n``."""
    fields: dict[str, Any] = {
        "category": "news",
        "title": f"Story number {n}",
        "excerpt": f"Excerpt of story {n}",
        "publishedDateTime": Raw(f"2024-01-{1 + n % 28:02d}T{n % 24:02d}:00:00Z"),
        "originalUrl": f"https://example.com/original/{n}",
        "webUrl": f"https://example.com/story/{n}",
        "type": "article",
        "quality": n,
        "heat": n % 7,
        "published": True,
        "provider": {"name": "Example", "domain": "example.com"},
        "topics": ["Testing"],
        "images": [{"url": f"https://img.example.com/{n}.jpg", "width": 800, "height": 600}],
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


MakeItem = Callable[..., Path]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """An empty content folder with a ``_news`` collection."""
    root = tmp_path / "content"
    (root / "_news").mkdir(parents=True)
    return root


@pytest.fixture
def make_item(content: Path) -> MakeItem:
    """Write an item file: ``make_item(n, body="...", **field_overrides)``."""

    def make(n: int, body: str = "", name: str | None = None, **overrides: Any) -> Path:
        path = content / "_news" / (name or f"2024-01-01-story-{n}.md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter(item_fields(n, **overrides)) + body, encoding="utf-8")
        return path

    return make


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database file goes."""
    return tmp_path / "test.db"


@pytest.fixture
def seed_file() -> Path:
    """The original seed item: from the shared corpus if present, else the bundled copy."""
    for folder in (SEED, SAMPLE_SEED):
        if (folder / SEED_NAME).exists():
            return folder / SEED_NAME
    pytest.skip("the seed item is not available")


@pytest.fixture
def shared_corpus() -> Path:
    """``../shared/corpus`` when it exists; the test is skipped otherwise."""
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present")
    return corpus


def copy_tree(src: Path, dst: Path) -> Path:
    """Copy a content folder (tests must never write into ../shared)."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def set_mtime(path: Path, ns: int) -> None:
    """Give a file an explicit modification time (nanoseconds)."""
    os.utime(path, ns=(ns, ns))


# -- API fixtures ---------------------------------------------------------------


GQL = Callable[..., Awaitable[dict[str, Any]]]
TOKEN = "operator-secret-token"


def make_app(db: Path, clock: Any = None, **settings: Any) -> Any:
    """The real ASGI app over a loaded database (telling the time by ``clock`` if given)."""
    from api.http.app import create_app
    from core.config import Settings

    if clock is None:
        return create_app(Settings(db=db, **settings))
    return create_app(Settings(db=db, **settings), clock=clock)


def client_for(app: Any) -> GQL:
    """``await gql(query, variables=None, headers=None)`` -> the JSON body, over HTTP."""

    async def gql(
        query: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body

    return gql


def data(body: dict[str, Any]) -> Any:
    """The data of a response that must have no errors."""
    assert "errors" not in body, body["errors"]
    return body["data"]


def error_codes(body: dict[str, Any]) -> list[str]:
    """The extensions.code of every error of a response."""
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def article_key(global_id: str) -> int:
    """The row id inside an Article global id."""
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    kind, _, key = raw.partition(":")
    assert kind == "Article"
    return int(key)


class Corpus:
    """A generated corpus, loaded, with its items parsed independently of newsgraph."""

    def __init__(self, root: Path, db: Path) -> None:
        self.root = root
        self.db = db
        self.items: dict[str, dict[str, Any]] = {}
        for path in sorted(root.rglob("*.md")):
            if "_data" in path.parts:
                continue
            _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
            item = yaml.safe_load(front)
            item["__body"] = body
            self.items[path.stem.lower()] = item


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A 240-item generated corpus with a taxonomy, loaded once for the API tests."""
    from bench.corpus import generate
    from loaders.loader import LoadOptions, load

    base = tmp_path_factory.mktemp("api")
    root = base / "content"
    generate(root, 240, seed=5)
    db = base / "api.db"
    report = asyncio.run(load(root, db, LoadOptions(workers=1)))
    assert report.failed == 0, report.problems
    return Corpus(root, db)


@pytest.fixture
def gql(corpus: Corpus) -> GQL:
    """A GraphQL client over the real app and the shared generated corpus."""
    return client_for(make_app(corpus.db, access_token=TOKEN))


async def wait_for_reader(fifo: Path) -> int:
    """Open ``fifo`` for writing once a reader has it open (proof that a load is parsing it)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.01)
