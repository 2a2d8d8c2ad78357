"""Loading folders into SQLite: round trips, incremental loads and bad input."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
import yaml

from loaders.loader import LoadOptions, load, matches
from tests.conftest import MakeItem, copy_tree, set_mtime


def rows(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def version(db: Path) -> int:
    return int(rows(db, "SELECT value FROM meta WHERE key = 'content_version'")[0][0])


def fingerprint(db: Path) -> dict[str, str]:
    """Hashes of the database and its WAL, to show that a load wrote nothing."""
    out = {}
    for suffix in ("", "-wal"):
        f = Path(f"{db}{suffix}")
        out[suffix] = hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else "-"
    return out


async def test_seed_item_round_trips_into_every_table(seed_file: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "_news").mkdir(parents=True)
    (root / "_news" / seed_file.name).write_bytes(seed_file.read_bytes())
    db = tmp_path / "n.db"
    report = await load(root, db)
    assert (report.added, report.failed) == (1, 0)
    raw = yaml.safe_load(seed_file.read_text(encoding="utf-8").split("---\n")[1])
    (art,) = rows(
        db,
        "SELECT a.slug, a.path, a.category, a.title, a.excerpt, a.published_at, a.original_url,"
        " a.web_url, a.amp_web_url, a.cdn_amp_web_url, a.type, a.quality, a.heat, a.published,"
        " a.featured_content, a.secured, a.body, p.name, p.domain, a.id"
        " FROM articles a JOIN providers p ON p.id = a.provider_id",
    )
    assert art[:19] == (
        seed_file.stem, f"_news/{seed_file.name}", raw["category"], raw["title"], raw["excerpt"],
        "2021-02-04T12:52:00Z", raw["originalUrl"], raw["webUrl"], None, None, raw["type"],
        raw["quality"], raw["heat"], 0, None, raw["secured"], None,
        raw["provider"]["name"], raw["provider"]["domain"],
    )  # fmt: skip
    article_id = art[19]
    topics = rows(
        db,
        "SELECT t.name FROM article_topics x JOIN topics t ON t.id = x.topic_id"
        " WHERE x.article_id = ? ORDER BY x.position",
        article_id,
    )
    assert [t[0] for t in topics] == raw["topics"]
    images = rows(db, "SELECT url, width, height, is_cached FROM article_images ORDER BY position")
    assert images == [(i["url"], i["width"], i["height"], 1) for i in raw["images"]]
    related = rows(
        db,
        "SELECT r.title, r.excerpt, r.published_at, r.web_url, r.amp_web_url, r.cdn_amp_web_url,"
        " r.type, r.quality, p.name, p.domain, r.id FROM related r"
        " JOIN providers p ON p.id = r.provider_id ORDER BY r.position",
    )
    assert len(related) == len(raw["related"])
    for got, want in zip(related, raw["related"], strict=True):
        assert got[:10] == (
            want["title"], want["excerpt"],
            want["publishedDateTime"].strftime("%Y-%m-%dT%H:%M:%SZ"), want["webUrl"],
            want.get("ampWebUrl"), want.get("cdnAmpWebUrl"), want["type"], want["quality"],
            want["provider"]["name"], want["provider"]["domain"],
        )  # fmt: skip
        images = rows(
            db, "SELECT url, width, height, is_cached FROM related_images WHERE related_id = ?",
            got[10],
        )  # fmt: skip
        assert images == [(i["url"], i["width"], i["height"], 1) for i in want["images"]]
    fts = rows(db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'clearview'")
    assert fts == [(article_id,)]


async def test_second_load_of_unchanged_content_writes_nothing(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    for n in range(5):
        make_item(n)
    first = await load(content, db_path)
    assert (first.added, first.content_version) == (5, 1)
    before = fingerprint(db_path)
    again = await load(content, db_path)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 5, 0)
    assert again.content_version == 1
    assert fingerprint(db_path) == before


async def test_touched_but_identical_file_is_unchanged(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    path = make_item(1)
    await load(content, db_path)
    set_mtime(path, 1_000_000_000_000_000_000)
    report = await load(content, db_path)
    assert (report.unchanged, report.updated, report.content_version) == (1, 0, 1)


async def test_add_change_remove(make_item: MakeItem, content: Path, db_path: Path) -> None:
    paths = [make_item(n) for n in range(3)]
    await load(content, db_path)
    (old_id,) = rows(db_path, "SELECT id FROM articles WHERE path LIKE '%story-1.md'")[0]
    make_item(1, title="Changed title", topics=["Other"])
    os.utime(paths[1], ns=(1, 1))
    paths[2].unlink()
    make_item(9)
    report = await load(content, db_path)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert report.content_version == 2
    titles = {r[0] for r in rows(db_path, "SELECT title FROM articles")}
    assert titles == {"Story number 0", "Changed title", "Story number 9"}
    (new_id,) = rows(db_path, "SELECT id FROM articles WHERE title = 'Changed title'")[0]
    assert new_id == old_id, "an updated article keeps its id"
    assert rows(db_path, "SELECT name, article_count FROM topics ORDER BY name") == [
        ("Other", 1), ("Testing", 2),
    ]  # fmt: skip
    hits = rows(db_path, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'changed'")
    assert hits == [(old_id,)]
    assert rows(db_path, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'number'") == [
        (2,)
    ]
    assert_text_index_matches_articles(db_path)
    assert_references_hold(db_path)
    assert rows(db_path, "SELECT count(*) FROM article_images") == [(3,)]


def assert_references_hold(db: Path) -> None:
    """No row refers to a missing one (the loader deletes children itself, see db.connection)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def assert_text_index_matches_articles(db: Path) -> None:
    """FTS5's own check that the index holds exactly the words of the articles table."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


async def test_no_prune_keeps_articles_of_deleted_files(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1)
    gone = make_item(2)
    await load(content, db_path)
    gone.unlink()
    report = await load(content, db_path, LoadOptions(prune=False))
    assert report.removed == 0
    assert rows(db_path, "SELECT count(*) FROM articles") == [(2,)]


async def test_bad_files_are_reported_and_the_rest_loads(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    news = content / "_news"
    make_item(1)
    make_item(2, quality="high", name="bad-quality.md")
    make_item(3, images=3, name="bad-images.md")
    (news / "no-front-matter.md").write_text("just text\n", encoding="utf-8")
    (news / "bad-yaml.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (news / "latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (news / "big.md").write_bytes(b"---\ntitle: x\n---\n" + b"x" * (1024 * 1024 + 10))
    (news / "binary.md").write_bytes(b"\x00\x01\x02" * 10)
    (news / "alias.md").write_text("---\na: &x [1]\nb: *x\n---\n", encoding="utf-8")
    unreadable = news / "unreadable.md"
    unreadable.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    loop = news / "loop.md"
    loop.symlink_to(loop)
    report = await load(content, db_path)
    reasons = {Path(p.path).name: (p.line, p.reason) for p in report.problems}
    assert report.added == 2  # story 1 and the unreadable one (root can read anything)
    assert reasons["bad-quality.md"][1].startswith("quality: expected a whole number")
    assert reasons["bad-quality.md"][0] is not None
    assert reasons["bad-images.md"][1] == "images: expected a list, got 3"
    assert "no YAML front matter" in reasons["no-front-matter.md"][1]
    assert "malformed YAML" in reasons["bad-yaml.md"][1]
    assert reasons["latin1.md"] == (2, reasons["latin1.md"][1])
    assert "UTF-8" in reasons["latin1.md"][1]
    assert "limit" in reasons["big.md"][1]
    assert "binary" in reasons["binary.md"][1]
    assert "alias" in reasons["alias.md"][1]
    assert "cannot read" in reasons["loop.md"][1]
    assert report.failed == len(report.problems) == 9
    assert rows(db_path, "SELECT count(*) FROM articles") == [(2,)]


async def test_a_file_that_breaks_keeps_its_previous_version(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    path = make_item(1)
    await load(content, db_path)
    path.write_text("---\nquality: high\n---\n", encoding="utf-8")
    report = await load(content, db_path)
    assert report.failed == 1 and report.removed == 0
    assert rows(db_path, "SELECT title FROM articles") == [("Story number 1",)]
    fixed = make_item(1, title="Fixed")
    assert fixed == path
    report = await load(content, db_path)
    assert (report.updated, report.failed) == (1, 0)


async def test_related_items_link_to_articles_in_the_corpus(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    related = [
        {"title": "Inside", "webUrl": "https://example.com/story/2"},
        {"title": "Outside", "webUrl": "https://elsewhere.org/x", "provider": {"name": "E"}},
    ]
    make_item(1, related=related)
    await load(content, db_path)
    assert rows(db_path, "SELECT title, target_id FROM related ORDER BY position") == [
        ("Inside", None), ("Outside", None),
    ]  # fmt: skip
    make_item(2)
    await load(content, db_path)
    (target,) = rows(db_path, "SELECT id FROM articles WHERE web_url LIKE '%/2'")[0]
    assert rows(db_path, "SELECT title, target_id FROM related ORDER BY position") == [
        ("Inside", target), ("Outside", None),
    ]  # fmt: skip
    assert rows(db_path, "SELECT domain, name FROM providers ORDER BY domain") == [
        ("elsewhere.org", "E"), ("example.com", "Example"),
    ]  # fmt: skip


async def test_providers_and_topics_are_shared_and_pruned(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1, topics=["AI", "Cloud"])
    logo = [{"url": "https://other.net/logo.png", "width": 50, "height": 50}]
    other = {"name": "Other", "domain": "other.net", "images": logo}
    related = [{"title": "R", "webUrl": "https://x.org/r", "images": logo, "provider": other}]
    two = make_item(2, topics=["ai"], provider=other, related=related)
    await load(content, db_path)
    assert rows(db_path, "SELECT name, slug, article_count FROM topics ORDER BY name") == [
        ("AI", "ai", 2), ("Cloud", "cloud", 1),
    ]  # fmt: skip
    assert rows(db_path, "SELECT count(*) FROM provider_images") == [(1,)]
    assert rows(db_path, "SELECT count(*) FROM related_images") == [(1,)]
    two.unlink()
    await load(content, db_path)
    assert rows(db_path, "SELECT domain FROM providers") == [("example.com",)]
    assert rows(db_path, "SELECT count(*) FROM provider_images") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM related_images") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM article_topics") == [(2,)]
    assert_references_hold(db_path)


async def test_site_data_enriches_topics_and_providers(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1, topics=["Canvas apps"])
    (content / "_data" / "topics").mkdir(parents=True)
    (content / "_data" / "organizations").mkdir(parents=True)
    (content / "_data" / "topics" / "01.yaml").write_text(
        "name: Canvas apps\n_id: canvas\nparent: Power Apps\nkeywords: [canvas app]\n"
        "hashtags: ['#Canvas']\n",
        encoding="utf-8",
    )
    (content / "_data" / "organizations" / "example.com.md").write_text(
        "---\n_id: example.com\nname: Example Inc.\ndomain: example.com\nimages:\n"
        "  - url: /logo.jpg\n    width: 50\n    height: 50\n---\n",
        encoding="utf-8",
    )
    (content / "_data" / "organizations" / "broken.md").write_text("---\n[\n---\n", "utf-8")
    report = await load(content, db_path)
    assert report.added == 1
    assert [Path(p.path).name for p in report.problems] == ["broken.md"]
    assert rows(db_path, "SELECT slug, parent, keywords, hashtags FROM topics") == [
        ("canvas", "Power Apps", '["canvas app"]', '["#Canvas"]')
    ]
    assert rows(db_path, "SELECT name, from_site FROM providers") == [("Example Inc.", 1)]
    assert rows(db_path, "SELECT url, width FROM provider_images") == [("/logo.jpg", 50)]
    before = fingerprint(db_path)
    again = await load(content, db_path)
    assert again.content_version == report.content_version
    assert fingerprint(db_path) == before


async def test_slug_collisions_get_a_distinct_slug(
    content: Path, make_item: MakeItem, db_path: Path
) -> None:
    make_item(1, name="same.md")
    make_item(2, name="sub/same.md")
    await load(content, db_path)
    slugs = sorted(r[0] for r in rows(db_path, "SELECT slug FROM articles"))
    assert slugs[0] == "same" and slugs[1].startswith("same-") and len(set(slugs)) == 2


async def test_patterns_and_parallel_parsing(tmp_path: Path, db_path: Path) -> None:
    from bench.corpus import generate

    root = tmp_path / "gen"
    generate(root, 450, seed=3)
    (root / "notes.txt").write_text("not content", encoding="utf-8")
    report = await load(root, db_path, LoadOptions(workers=2))
    assert (report.added, report.failed) == (450, 0)
    again = await load(root, db_path, LoadOptions(workers=2))
    assert again.unchanged == 450


@pytest.mark.parametrize(
    ("path", "ok"),
    [("a.md", True), ("_news/a.md", True), ("x/y/z.markdown", True), ("a.txt", False)],
)
def test_default_patterns(path: str, ok: bool) -> None:
    assert matches(path, LoadOptions().patterns) is ok


async def test_shared_corpus_copy_reloads_after_edit(shared_corpus: Path, tmp_path: Path) -> None:
    root = copy_tree(shared_corpus / "seed", tmp_path / "seed")
    db = tmp_path / "s.db"
    await load(root, db)
    item = next((root / "_news").glob("*.md"))
    item.write_text(item.read_text(encoding="utf-8").replace("quality: 24", "quality: 25"), "utf-8")
    report = await load(root, db)
    assert report.updated == 1
    assert rows(db, "SELECT quality FROM articles") == [(25,)]
    assert json.loads(json.dumps(report.content_version)) == 2


async def test_hostile_files_are_refused_and_the_server_keeps_serving(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    from tests.conftest import client_for, data, make_app

    news = content / "_news"
    make_item(1)
    await load(content, db_path)
    gql = client_for(make_app(db_path))
    laughs = ["---", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (news / "laughs.md").write_text("\n".join(laughs) + "\n---\n", encoding="utf-8")
    (news / "recursive.md").write_text("---\na: &x [1, *x]\n---\n", encoding="utf-8")
    (news / "deep.md").write_text("---\na: " + "[" * 3000 + "]" * 3000 + "\n---\n", "utf-8")
    (news / "huge.md").write_bytes(b"---\ntitle: x\n---\n" + b"word " * 300_000)
    (news / "big-front.md").write_text("---\ntitle: " + "x" * 70_000 + "\n---\n", "utf-8")
    (news / "binary.md").write_bytes(bytes(range(256)) * 10)
    (news / "loop.md").symlink_to(news / "loop.md")
    (news / "dirloop").symlink_to(news, target_is_directory=True)
    make_item(2)
    report = await load(content, db_path)
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert report.added == 1
    assert set(reasons) == {
        "laughs.md", "recursive.md", "deep.md", "huge.md", "big-front.md", "binary.md", "loop.md",
    }  # fmt: skip
    assert "alias" in reasons["laughs.md"] and "alias" in reasons["recursive.md"]
    assert "front matter nests" in reasons["deep.md"]
    assert "limit" in reasons["huge.md"] and "front matter is over" in reasons["big-front.md"]
    body = await gql("{ articles { totalCount } }")
    assert data(body)["articles"]["totalCount"] == 2
