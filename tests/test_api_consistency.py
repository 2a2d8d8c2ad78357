"""Reloads under load: no failed request, and every response sees one content version."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import httpx

from bench.corpus import generate
from loaders.loader import LoadOptions, load
from tests.conftest import make_app
from tests.test_loaders_atomic import rewrite_titles

QUERY = """{
  contentInfo { version articleCount }
  articles(first: 100) { totalCount nodes { title } }
  v2: articles(filter: {text: "V2"}) { totalCount }
}"""


async def test_reload_while_serving_is_seamless(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    generate(root, 400, seed=9)
    db = tmp_path / "live.db"
    await load(root, db, LoadOptions(workers=1))
    app = make_app(db)
    transport = httpx.ASGITransport(app=app)
    answers: list[dict[str, object]] = []
    failures: list[str] = []
    loading = True

    async def client() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            while loading:
                r = await http.post("/graphql", json={"query": QUERY})
                body = r.json()
                if r.status_code != 200 or "errors" in body:
                    failures.append(r.text)
                else:
                    answers.append(body["data"])
                await asyncio.sleep(0.01)

    clients = [asyncio.create_task(client()) for _ in range(4)]
    await asyncio.sleep(0.2)
    for step in range(3):
        if step % 2 == 0:
            rewrite_titles(root)
            (root / "_news" / "added.md").write_text(
                '---\ntitle: "V2 added"\npublishedDateTime: 2025-06-01T00:00:00Z\n---\n', "utf-8"
            )
        else:
            (root / "_news" / "added.md").unlink()
        report = await load(root, db, LoadOptions(workers=1))
        assert report.failed == 0
        await asyncio.sleep(0.2)
    loading = False
    await asyncio.gather(*clients)
    assert failures == []
    versions = {a["contentInfo"]["version"] for a in answers}  # type: ignore[index]
    assert len(versions) >= 3, "the clients should have seen several versions"
    for answer in answers:
        info, page, v2 = answer["contentInfo"], answer["articles"], answer["v2"]  # type: ignore[index]
        assert info["articleCount"] == page["totalCount"]
        titles = [n["title"] for n in page["nodes"]]
        new = sum(1 for t in titles if t.startswith("V2 "))
        assert new in (0, len(titles)), "a response mixed two versions"
        assert (v2["totalCount"] == 0) == (new == 0)


def test_wal_stays_bounded_over_100_reloads_with_a_reader_open(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    generate(root, 30, seed=4)
    db = tmp_path / "wal.db"
    asyncio.run(load(root, db, LoadOptions(workers=1)))
    reader = sqlite3.connect(db)
    item = next((root / "_news").rglob("*.md"))
    original = item.read_text(encoding="utf-8")
    sizes = []
    for n in range(100):
        item.write_text(original.replace('\ntitle: "', f'\ntitle: "R{n} ', 1), "utf-8")
        report = asyncio.run(load(root, db, LoadOptions(workers=1)))
        assert report.updated == 1
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 30
        sizes.append(Path(f"{db}-wal").stat().st_size)
    reader.close()
    assert max(sizes) < 4 * 1024 * 1024, max(sizes)
    assert sizes[-1] <= max(sizes[:10]) * 2 + 64 * 1024, "the WAL keeps growing"
