"""Article.bodyHtml, Article.featuredContentHtml and Topic.children through the real app."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from db import schema
from db.aggregates import REBUILD
from loaders.loader import LoadOptions, load
from loaders.parse import Limits
from newsgraph.cli import main
from tests.conftest import Corpus, MakeItem, client_for, data, make_app
from tests.test_api_plans import Both
from tests.test_db_schema import make_database_at
from tests.test_loaders_loader import rows
from tests.test_loaders_render import YOUTUBE, danger

HTML = """query Html($first: Int) { articles(first: $first, orderBy: {field: QUALITY, direction: ASC}) {
  nodes { slug body bodyHtml featuredContent featuredContentHtml } } }"""
HOSTILE = {
    1: ("Hello <script>alert(1)</script>**world** [x](javascript:alert(1))", None),
    2: ('<img src="x" onerror="alert(1)"> ![p](data:image/png;base64,AAA=)', YOUTUBE),
    3: ('<iframe src="https://www.youtube.com/embed/x"></iframe>\n\n# Heading', None),
    4: ("", '<div onclick="x()"><iframe src="https://evil.example/e"></iframe></div>'),
    5: (
        "- a\n- b\n\n`code`",
        '<iframe src="https://player.vimeo.com/video/7" onload="x()">'
        "<script>alert(1)</script></iframe>",
    ),
}


@pytest.fixture
async def hostile(make_item: MakeItem, content: Path, db_path: Path) -> Path:
    for n, (body, embed) in HOSTILE.items():
        make_item(n, body=body, featuredContent=embed)
    report = await load(content, db_path, LoadOptions(workers=1))
    assert report.failed == 0, report.problems
    return db_path


async def nodes(db: Path) -> dict[str, dict[str, Any]]:
    body = await client_for(make_app(db))(HTML, {"first": 50})
    return {n["slug"]: n for n in data(body)["articles"]["nodes"]}


async def test_hostile_items_come_out_safe(hostile: Path) -> None:
    found = await nodes(hostile)
    got = {int(slug.rsplit("-", 1)[1]): n for slug, n in found.items()}
    assert got[1]["bodyHtml"] == ("<p>Hello <strong>world</strong> [x](javascript:alert(1))</p>")
    assert got[2]["bodyHtml"] == '<p><img src="x"> <img alt="p"></p>'
    assert got[2]["featuredContent"] == YOUTUBE  # the raw field is still as given
    assert got[2]["featuredContentHtml"].startswith(
        '<iframe src="https://www.youtube.com/embed/rigZ1FvrgSY" width="800"'
    )
    assert got[3]["bodyHtml"] == "<h1>Heading</h1>"  # no iframe in a body, allowed host or not
    assert got[4]["body"] is None and got[4]["bodyHtml"] is None
    assert got[4]["featuredContentHtml"] is None
    assert got[5]["bodyHtml"] == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p><code>code</code></p>"
    assert (
        got[5]["featuredContentHtml"] == '<iframe src="https://player.vimeo.com/video/7"></iframe>'
    )
    for n in got.values():
        assert n["bodyHtml"] is None or not danger(n["bodyHtml"]), n["bodyHtml"]


async def test_compiled_plans_answer_as_the_reference_on_hostile_items(hostile: Path) -> None:
    both = Both(Corpus(hostile.parent / "content", hostile))
    await both.check(HTML, {"first": 50})
    await both.check(
        "{ articles(first: 5) { nodes { slug ...H related { article { bodyHtml } } } } }"
        " fragment H on Article { featuredContentHtml bodyHtml provider { name } }"
    )
    await both.check('{ article(slug: "2024-01-01-story-2") { featuredContentHtml } }')
    assert (both.compared, both.uncompiled) == (3, 0)


async def test_the_allow_list_decides_and_a_new_list_re_renders(
    hostile: Path, content: Path
) -> None:
    vimeo_only = LoadOptions(workers=1, limits=replace(Limits(), embed_hosts=("player.vimeo.com",)))
    report = await load(content, hostile, vimeo_only)
    # only the articles with featured content are parsed again
    assert (report.updated, report.unchanged) == (3, 2)
    got = await nodes(hostile)
    assert got["2024-01-01-story-2"]["featuredContentHtml"] is None
    assert got["2024-01-01-story-5"]["featuredContentHtml"] is not None

    again = await load(content, hostile, vimeo_only)
    assert (again.updated, again.unchanged, again.content_version) == (0, 5, report.content_version)

    back = await load(content, hostile, LoadOptions(workers=1))
    assert back.updated == 3 and back.content_version > report.content_version
    assert (await nodes(hostile))["2024-01-01-story-2"]["featuredContentHtml"] is not None


async def test_a_load_cut_short_still_re_renders_next_time(hostile: Path, content: Path) -> None:
    no_embeds = LoadOptions(workers=1, limits=replace(Limits(), embed_hosts=()))
    # a load limited to other files: the forgotten embeds wait for the next full load
    partial = await load(content, hostile, replace(no_embeds, patterns=("**/*-1.md",), prune=False))
    assert partial.updated == 0
    assert (await nodes(hostile))["2024-01-01-story-2"]["featuredContentHtml"] is not None
    report = await load(content, hostile, no_embeds)
    assert report.updated == 3
    assert all(n["featuredContentHtml"] is None for n in (await nodes(hostile)).values())


def test_the_embed_host_flag_reaches_the_parsers(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_item(1, featuredContent=YOUTUBE)
    assert main(["load", str(content), "--db", str(db_path), "--embed-host", "none"]) == 0
    assert rows(db_path, "SELECT featured_content_html FROM articles") == [(None,)]
    assert main(["load", str(content), "--db", str(db_path)]) == 0
    assert rows(db_path, "SELECT count(featured_content_html) FROM articles") == [(1,)]


async def test_a_version_5_database_renders_its_rows_at_the_next_load(
    make_item: MakeItem, content: Path, db_path: Path
) -> None:
    make_database_at(db_path, 5)
    with_body = make_item(1, body="Some *text*")
    plain = make_item(2)
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:  # what a load by newsgraph at schema version 5 left
        for n, path, body in ((1, with_body, "Some *text*"), (2, plain, None)):
            rel = path.relative_to(content).as_posix()
            stat = path.stat()
            conn.execute(
                "INSERT INTO articles (id, path, slug, title, body) VALUES (?, ?, ?, ?, ?)",
                (n, rel, path.stem, f"Story number {n}", body),
            )
            conn.execute(
                "INSERT INTO articles_fts (rowid, title, excerpt, body) VALUES (?, ?, NULL, ?)",
                (n, f"Story number {n}", body),
            )
            conn.execute(
                "INSERT INTO files (path, size, mtime_ns, sha256, article_id) VALUES (?,?,?,?,?)",
                (rel, stat.st_size, stat.st_mtime_ns, "old-hash", n),
            )
        for statement in REBUILD:
            conn.execute(statement)
    finally:
        conn.close()
    report = await load(content, db_path, LoadOptions(workers=1))
    assert rows(db_path, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]
    assert (report.updated, report.unchanged) == (1, 1)  # only the one with a body
    assert rows(db_path, "SELECT id, body_html FROM articles ORDER BY id") == [
        (1, "<p>Some <em>text</em></p>"),
        (2, None),
    ]


async def test_the_powerapps_embeds_are_kept_and_its_topics_have_children(
    shared_corpus: Path, tmp_path: Path
) -> None:
    site = shared_corpus / "powerapps"
    if not site.is_dir():
        pytest.skip("the powerapps corpus is not present")
    db = tmp_path / "powerapps.db"
    report = await load(site, db, LoadOptions(workers=1))
    assert report.failed == 0
    gql = client_for(make_app(db))
    query = """{ articles(first: 100, filter: {type: "video"}) {
        nodes { featuredContent featuredContentHtml bodyHtml } } }"""
    found = [n for n in data(await gql(query))["articles"]["nodes"] if n["featuredContent"]]
    assert found, "the corpus has items with a YouTube embed"
    for n in found:
        html = n["featuredContentHtml"]
        assert html.startswith('<iframe src="https://www.youtube.com/embed/'), html
        assert html.endswith("></iframe>") and html.count("<iframe") == 1
        assert n["bodyHtml"] is None  # the corpus has no bodies
    total = rows(db, "SELECT count(*) FROM articles WHERE featured_content IS NOT NULL")
    assert rows(db, "SELECT count(featured_content_html) FROM articles") == total

    taxonomy = [
        yaml.safe_load(p.read_text()) for p in sorted((site / "_data/topics").glob("*.yaml"))
    ]
    parents = {t["parent"] for t in taxonomy if t.get("parent")}
    for parent in parents:
        body = await gql(
            "query($n: String) { topic(name: $n) { name children { name parent { name } } } }",
            {"n": parent},
        )
        topic = data(body)["topic"]
        want = sorted((t["name"] for t in taxonomy if t.get("parent") == parent), key=str.casefold)
        assert [c["name"] for c in topic["children"]] == want
        assert all(c["parent"]["name"] == topic["name"] for c in topic["children"])


async def test_children_mirror_the_taxonomy_of_the_generated_corpus(corpus: Corpus) -> None:
    taxonomy = [
        yaml.safe_load(p.read_text()) for p in sorted((corpus.root / "_data/topics").glob("*.yaml"))
    ]
    gql = client_for(make_app(corpus.db))
    query = "query($n: String) { topic(name: $n) { children { name slug } } }"
    roots = [t for t in taxonomy if not t.get("parent")]
    assert roots
    for root in roots:
        got = data(await gql(query, {"n": root["name"]}))["topic"]["children"]
        want = [t for t in taxonomy if t.get("parent") == root["name"]]
        assert [c["name"] for c in got] == sorted((t["name"] for t in want), key=str.casefold)
    leaf = next(t for t in taxonomy if t.get("parent"))
    assert data(await gql(query, {"n": leaf["name"]}))["topic"]["children"] == []
