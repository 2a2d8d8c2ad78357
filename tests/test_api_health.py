"""contentHealth and `newsgraph load --report`: what is broken or missing, for operators."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from loaders.loader import LoadOptions, load
from newsgraph.cli import main
from tests.conftest import GQL, TOKEN, MakeItem, client_for, data, error_codes, make_app

AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPORT = """query($first: Int!) { contentHealth { version checkedAt
    checks { kind description count items(first: $first) {
        nodes { reason path line url article { slug } provider { domain } topic { slug } }
        pageInfo { hasNextPage endCursor } } } } }"""


def _write_site(content: Path, make_item: MakeItem) -> None:
    topics = content / "_data" / "topics"
    topics.mkdir(parents=True)
    (topics / "testing.yaml").write_text("name: Testing\n", encoding="utf-8")
    make_item(1)  # healthy, topic in the taxonomy
    make_item(2, images=None, topics=["Stray"])  # no images; a topic outside the taxonomy
    make_item(3, provider=None, webUrl=None, originalUrl=None)  # no provider
    make_item(4, publishedDateTime=None, webUrl="http://www.example.com/story/1?utm_source=x")
    make_item(5, provider={"domain": "nameless.org"},
              related=[{"title": "Gone", "webUrl": "https://nowhere.example/x"},
                       {"title": "Here", "webUrl": "https://example.com/story/2"}])  # fmt: skip
    (content / "_news" / "broken.md").write_text(
        "---\ntitle: Broken\nquality: high\n---\n", encoding="utf-8"
    )


@pytest.fixture
async def site(make_item: MakeItem, content: Path, db_path: Path) -> GQL:
    _write_site(content, make_item)
    await load(content, db_path, LoadOptions(workers=1))
    return client_for(make_app(db_path, access_token=TOKEN))


def _checks(body: dict[str, Any]) -> dict[str, Any]:
    return {c["kind"]: c for c in data(body)["contentHealth"]["checks"]}


async def test_without_the_token_it_is_forbidden(site: GQL) -> None:
    body = await site(REPORT, {"first": 5})
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] == {"contentHealth": None}


async def test_each_check_counts_and_points_at_its_findings(site: GQL) -> None:
    checks = _checks(await site(REPORT, {"first": 5}, AUTH))
    counts = {kind: c["count"] for kind, c in checks.items()}
    assert counts == {
        "REFUSED_FILES": 1, "UNMATCHED_RELATED": 1, "DUPLICATE_URLS": 1, "NO_IMAGES": 1,
        "NO_PROVIDER": 1, "NO_DATE": 1, "UNNAMED_PROVIDERS": 1, "TOPICS_NOT_IN_TAXONOMY": 1,
    }  # fmt: skip
    only = {kind: c["items"]["nodes"][0] for kind, c in checks.items()}
    refused = only["REFUSED_FILES"]
    assert refused["path"] == "_news/broken.md" and refused["line"] == 3
    assert "quality" in refused["reason"] and refused["article"] is None
    assert only["UNMATCHED_RELATED"]["url"] == "https://nowhere.example/x"
    assert only["UNMATCHED_RELATED"]["article"] == {"slug": "2024-01-01-story-5"}
    assert "(Gone)" in only["UNMATCHED_RELATED"]["reason"]
    # the same page as item 1's (tracking parameter, www. and http aside): one story
    assert only["DUPLICATE_URLS"]["url"] == "https://example.com/story/1"
    assert only["DUPLICATE_URLS"]["reason"] == "2 articles have this address"
    assert only["DUPLICATE_URLS"]["article"] == {"slug": "2024-01-01-story-1"}
    assert only["NO_IMAGES"]["article"] == {"slug": "2024-01-01-story-2"}
    assert only["NO_PROVIDER"]["path"] == "_news/2024-01-01-story-3.md"
    assert only["NO_DATE"]["article"] == {"slug": "2024-01-01-story-4"}
    assert only["UNNAMED_PROVIDERS"]["provider"] == {"domain": "nameless.org"}
    assert only["TOPICS_NOT_IN_TAXONOMY"]["topic"] == {"slug": "stray"}
    assert all(c["description"] for c in checks.values())


async def test_findings_page_with_cursors(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    for n in range(1, 8):
        make_item(n, images=None)
    await load(content, db_path, LoadOptions(workers=1))
    gql = client_for(make_app(db_path, access_token=TOKEN))
    query = """query($after: String) { contentHealth { checks(kinds: [NO_IMAGES]) {
        count items(first: 3, after: $after) { nodes { article { slug } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } } } }"""
    seen: list[str] = []
    after = None
    while True:
        (check,) = data(await gql(query, {"after": after}, AUTH))["contentHealth"]["checks"]
        page = check["items"]
        seen += [n["article"]["slug"] for n in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert check["count"] == 7
    assert len(seen) == len(set(seen)) == 7  # newest first, each once
    bad = await gql(query, {"after": "bm9wZQ"}, AUTH)
    assert error_codes(bad) == ["BAD_CURSOR"]


async def test_refused_files_follow_the_last_load(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    broken = content / "_news" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    await load(content, db_path, LoadOptions(workers=1))
    await load(content, db_path, LoadOptions(workers=1))  # nothing changed: still refused
    gql = client_for(make_app(db_path, access_token=TOKEN))
    query = """{ contentHealth { checks(kinds: [REFUSED_FILES]) { count
        items { nodes { path reason } } } } }"""
    (check,) = data(await gql(query, headers=AUTH))["contentHealth"]["checks"]
    assert check["count"] == 1 and check["items"]["nodes"][0]["path"] == "_news/broken.md"
    make_item(2, name="broken.md")
    await load(content, db_path, LoadOptions(workers=1))
    (check,) = data(await gql(query, headers=AUTH))["contentHealth"]["checks"]
    assert check == {"count": 0, "items": {"nodes": []}}  # never served from a cache
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM load_problems").fetchone() == (0,)


def test_load_report_prints_the_checks(
    make_item: MakeItem, content: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_site(content, make_item)
    main(["load", str(content), "--db", str(db_path), "--workers", "1", "--report"])
    out = capsys.readouterr().out
    assert "content health:" in out
    assert "  refused files: 1" in out and "    _news/broken.md:3 - " in out
    assert "  duplicate urls: 1" in out and "https://example.com/story/1" in out
    main(["load", str(content), "--db", str(db_path), "--report", "--json"])
    found = json.loads(capsys.readouterr().out)
    health = {c["check"]: c for c in found["health"]}
    assert health["NO_DATE"]["count"] == 1
    assert health["NO_DATE"]["first"] == [
        {"reason": "no publishedDateTime", "path": "_news/2024-01-01-story-4.md"}
    ]
