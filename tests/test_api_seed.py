"""Every field of the seed item comes back through the API exactly as in the file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from loaders.loader import load
from tests.conftest import GQL, TOKEN, client_for, data, error_codes, make_app

QUERY = """
query Seed($slug: String!) {
  article(slug: $slug) {
    id slug path category title excerpt body publishedAt originalUrl webUrl ampWebUrl
    cdnAmpWebUrl type quality heat published featuredContent secured extra
    provider { name domain images { url } }
    topics { name slug }
    images { url width height isCached title attribution }
    leadImage { url }
    related {
      title excerpt publishedAt webUrl ampWebUrl cdnAmpWebUrl type quality
      provider { name domain }
      images { url width height isCached }
      article { slug }
    }
  }
}
"""


@pytest.fixture
def seed_db(seed_file: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site" / "_news"
    root.mkdir(parents=True)
    (root / seed_file.name).write_bytes(seed_file.read_bytes())
    db = tmp_path / "seed.db"
    asyncio.run(load(root.parent, db))
    return db


def when(value: Any) -> str:
    return str(value.strftime("%Y-%m-%dT%H:%M:%SZ"))


async def test_every_seed_field_is_returned_as_in_the_file(seed_file: Path, seed_db: Path) -> None:
    raw = yaml.safe_load(seed_file.read_text(encoding="utf-8").split("---\n")[1])
    gql = client_for(make_app(seed_db, access_token=TOKEN))
    body = await gql(QUERY, {"slug": seed_file.stem}, headers={"Authorization": f"Bearer {TOKEN}"})
    art = data(body)["article"]
    for key in ("category", "title", "excerpt", "originalUrl", "webUrl", "type", "quality",
                "heat", "published", "secured"):  # fmt: skip
        assert art[key] == raw[key], key
    assert art["publishedAt"] == when(raw["publishedDateTime"])
    assert art["slug"] == seed_file.stem
    assert art["path"] == f"_news/{seed_file.name}"
    assert (art["ampWebUrl"], art["cdnAmpWebUrl"], art["featuredContent"]) == (None, None, None)
    assert art["body"] is None and art["extra"] is None
    assert art["provider"] == {**raw["provider"], "images": []}
    assert [t["name"] for t in art["topics"]] == raw["topics"]
    assert art["images"] == [{**img, "title": None, "attribution": None} for img in raw["images"]]
    assert art["leadImage"] == {"url": raw["images"][0]["url"]}
    assert len(art["related"]) == len(raw["related"])
    for got, want in zip(art["related"], raw["related"], strict=True):
        expected = {
            "title": want["title"],
            "excerpt": want["excerpt"],
            "publishedAt": when(want["publishedDateTime"]),
            "webUrl": want["webUrl"],
            "ampWebUrl": want.get("ampWebUrl"),
            "cdnAmpWebUrl": want.get("cdnAmpWebUrl"),
            "type": want["type"],
            "quality": want["quality"],
            "provider": want["provider"],
            "images": want["images"],
            "article": None,
        }
        assert got == expected


async def test_secured_is_refused_without_the_token(seed_file: Path, seed_db: Path) -> None:
    gql = client_for(make_app(seed_db, access_token=TOKEN))
    query = "query($s: String!) { article(slug: $s) { title secured } }"
    for headers in (None, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        body = await gql(query, {"s": seed_file.stem}, headers=headers)
        assert body["data"]["article"]["secured"] is None
        assert body["data"]["article"]["title"]
        assert error_codes(body) == ["FORBIDDEN"]
        assert body["errors"][0]["path"] == ["article", "secured"]


async def test_no_token_configured_means_nobody_gets_secured(
    seed_file: Path, seed_db: Path
) -> None:
    gql: GQL = client_for(make_app(seed_db))
    body = await gql(
        "query($s: String!) { article(slug: $s) { secured } }",
        {"s": seed_file.stem},
        headers={"Authorization": "Bearer "},
    )
    assert error_codes(body) == ["FORBIDDEN"]
