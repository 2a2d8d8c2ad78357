"""Stories through the real app: planted duplicates, ``storyId``, ``duplicates``,
``dedupe: true`` (paging, counts, facets, filters, compiled plans) and related links by
address key."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from loaders.loader import LoadOptions, load
from tests.conftest import GQL, MakeItem, client_for, data, make_app
from tests.test_api_plans import Both

URL = "https://news.example.com/2024/acme-fined"
AMP = "https://other-example-org.cdn.ampproject.org/c/s/www.other.example.org/b/launch"
REWORDED = (
    "Clearview facial recognition technology ruled illegal in Canada",
    "Canada rules Clearview facial-recognition technology illegal",
)
PLANTED: dict[int, dict[str, Any]] = {
    # one page, twice: the copy differs only by utm_source
    1: {"title": "Regulators fine Acme over data breach", "webUrl": URL, "quality": 30},
    2: {"title": "Acme fined by regulators", "webUrl": f"{URL}?utm_source=twitter", "quality": 60},
    # an AMP page and its canonical page (titles unlike each other)
    3: {"title": "Rocket launch delayed again", "webUrl": "https://other.example.org/b/launch/",
        "quality": 40},
    4: {"title": "Weather scrubs the mission", "webUrl": AMP, "quality": 40},
    # a reworded title a day later; the same words ten days later are another story
    5: {"title": REWORDED[0], "quality": 50},
    6: {"title": REWORDED[1], "quality": 20,
        "publishedDateTime": "2024-01-06T10:00:00Z"},
    7: {"title": REWORDED[1], "quality": 90, "publishedDateTime": "2024-01-16T10:00:00Z"},
}  # fmt: skip


def write(make_item: MakeItem, n: int, **fields: Any) -> Path:
    fields.setdefault("publishedDateTime", f"2024-01-05T{n:02d}:00:00Z")
    fields.setdefault("webUrl", f"https://example.com/story/{n}")
    fields.setdefault("originalUrl", None)
    return make_item(n, **fields)


@pytest.fixture
def loaded(make_item: MakeItem, content: Path, db_path: Path) -> SimpleNamespace:
    """The planted duplicates, five stories of their own, and a reader of related links."""
    for n, fields in PLANTED.items():
        write(make_item, n, **fields)
    for n in range(10, 15):
        write(make_item, n, topics=["Other"])
    write(
        make_item, 20, title="Links to the others",
        related=[
            {"title": "tracked", "webUrl": "https://www.news.example.com/2024/acme-fined/?utm_campaign=x#top"},
            {"title": "amp only", "cdnAmpWebUrl": AMP},
            {"title": "elsewhere", "webUrl": "https://nowhere.example.net/x"},
        ],
    )  # fmt: skip
    report = asyncio.run(load(content, db_path, LoadOptions(workers=1)))
    assert report.failed == 0, report.problems
    return SimpleNamespace(root=content, db=db_path)


def client(db: Path) -> GQL:
    return client_for(make_app(db))


STORIES = "{ articles(first: 100) { nodes { slug storyId quality duplicates { slug } } } }"


def by_slug(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["slug"]: n for n in data(body)["articles"]["nodes"]}


def slug(n: int) -> str:
    return f"2024-01-01-story-{n}"


async def test_planted_duplicates_share_a_story(loaded: SimpleNamespace) -> None:
    nodes = by_slug(await client(loaded.db)(STORIES))
    story = {int(s.rsplit("-", 1)[1]): n["storyId"] for s, n in nodes.items()}
    assert story[1] == story[2]  # only utm_source differs
    assert story[3] == story[4]  # AMP cache form and canonical
    assert story[5] == story[6]  # reworded title, a day apart
    assert story[7] != story[5]  # the same words ten days later
    others = [story[n] for n in (1, 3, 5, 7, 10, 11, 12, 13, 14, 20)]
    assert len(set(others)) == len(others)
    # best first: quality, then newest; never the article itself
    assert nodes[slug(1)]["duplicates"] == [{"slug": slug(2)}]
    assert nodes[slug(2)]["duplicates"] == [{"slug": slug(1)}]
    assert nodes[slug(5)]["duplicates"] == [{"slug": slug(6)}]
    assert nodes[slug(10)]["duplicates"] == []


async def test_related_links_find_articles_by_address_key(loaded: SimpleNamespace) -> None:
    query = '{ article(slug: "2024-01-01-story-20") { related { title article { slug } } } }'
    related = data(await client(loaded.db)(query))["article"]["related"]
    found = {r["title"]: r["article"] and r["article"]["slug"] for r in related}
    assert found["tracked"] in (slug(1), slug(2))
    assert found["amp only"] in (slug(3), slug(4))
    assert found["elsewhere"] is None
    by_url = """{ a: article(url: "https://www.news.example.com/2024/acme-fined/?fbclid=1") { slug }
                  b: article(url: "https://other.example.org/b/launch/amp") { slug }
                  c: article(url: "https://nowhere.example.net/x") { slug } }"""
    answer = data(await client(loaded.db)(by_url))
    assert answer["a"]["slug"] in (slug(1), slug(2)) and answer["b"]["slug"] in (slug(3), slug(4))
    assert answer["c"] is None
    both = Both(loaded)  # type: ignore[arg-type]
    await both.check(by_url)
    assert both.compared == 1


DEDUPED = """query Feed($first: Int, $after: String, $last: Int, $before: String,
    $f: ArticleFilter, $order: [ArticleOrder!]) {
  articles(first: $first, after: $after, last: $last, before: $before, filter: $f,
           orderBy: $order, dedupe: true) {
    totalCount countsExact
    nodes { slug quality }
    pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
  }
}"""


async def test_dedupe_keeps_the_best_of_each_story(loaded: SimpleNamespace) -> None:
    gql = client(loaded.db)
    found = data(await gql(DEDUPED, {"first": 100}))["articles"]
    slugs = [n["slug"] for n in found["nodes"]]
    assert found["totalCount"] == len(slugs) == 13 - 3 and found["countsExact"]
    assert slug(2) in slugs and slug(1) not in slugs  # quality 60 over 30
    assert slug(5) in slugs and slug(6) not in slugs
    assert slug(3) in slugs or slug(4) in slugs
    assert not (slug(3) in slugs and slug(4) in slugs)
    plain = data(await gql("{ articles { totalCount } }"))["articles"]
    assert plain["totalCount"] == 13


@pytest.mark.parametrize(
    "order", [None, [{"field": "QUALITY"}], [{"field": "TITLE", "direction": "ASC"}]]
)
async def test_dedupe_pages_exactly_both_ways(loaded: SimpleNamespace, order: Any) -> None:
    gql = client(loaded.db)
    whole = [
        n["slug"]
        for n in data(await gql(DEDUPED, {"first": 100, "order": order}))["articles"]["nodes"]
    ]
    forward: list[str] = []
    after = None
    while True:
        page = data(await gql(DEDUPED, {"first": 3, "after": after, "order": order}))["articles"]
        forward += [n["slug"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert forward == whole
    backward: list[str] = []
    before = None
    while True:
        page = data(await gql(DEDUPED, {"last": 4, "before": before, "order": order}))["articles"]
        backward = [n["slug"] for n in page["nodes"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == whole


async def test_dedupe_under_a_filter_picks_among_the_matches(loaded: SimpleNamespace) -> None:
    gql = client(loaded.db)
    found = data(await gql(DEDUPED, {"first": 100, "f": {"qualityMax": 50}}))["articles"]
    slugs = {n["slug"] for n in found["nodes"]}
    assert slug(1) in slugs and slug(2) not in slugs  # the better one does not match
    assert {slug(5), slug(6)} & slugs == {slug(5)}
    assert found["totalCount"] == len(slugs)
    searched = data(await gql(DEDUPED, {"first": 100, "f": {"text": "clearview"}}))["articles"]
    assert [n["slug"] for n in searched["nodes"]] in ([slug(7), slug(5)], [slug(5), slug(7)])
    assert searched["totalCount"] == 2


async def test_dedupe_facets_count_stories(loaded: SimpleNamespace) -> None:
    query = """{ a: articles(dedupe: true) { totalCount facets { topics { value count } } }
                 b: articles { facets { topics { value count } } }
                 c: topic(slug: "testing") { articles(dedupe: true) { totalCount } } }"""
    found = data(await client(loaded.db)(query))
    deduped = {f["value"]: f["count"] for f in found["a"]["facets"]["topics"]}
    plain = {f["value"]: f["count"] for f in found["b"]["facets"]["topics"]}
    assert deduped == {"testing": 5, "other": 5} and plain == {"testing": 8, "other": 5}
    assert found["c"]["articles"]["totalCount"] == 5


async def test_compiled_plans_answer_dedupe_as_the_reference(loaded: SimpleNamespace) -> None:
    both = Both(loaded)  # type: ignore[arg-type]
    for query in (
        STORIES,
        DEDUPED,
        """{ articles(first: 4, dedupe: true, orderBy: {field: QUALITY}) { totalCount
               edges { cursor node { slug storyId duplicates(first: 1) { slug storyId
               provider { name } } } } facets(disjunctive: true) { topics { value count } } } }""",
        """{ topic(slug: "testing") { articles(first: 3, dedupe: true, filter: {qualityMin: 10}) {
               totalCount nodes { title storyId related { article { storyId } } } } } }""",
        """{ provider(domain: "example.com") { articles(first: 2, dedupe: false) {
               nodes { slug duplicates { __typename id } } } } }""",
    ):
        await both.check(query, {"first": 5})
    await both.check(DEDUPED, {"first": 3, "f": {"text": "clearview OR acme"}})
    assert both.uncompiled == 0 and both.compared == 6


async def test_a_reload_splits_and_joins_stories(
    loaded: SimpleNamespace, make_item: MakeItem
) -> None:
    gql = client(loaded.db)
    write(make_item, 6, title="Something else entirely happened today", quality=20)
    write(make_item, 11, title="Acme fined by regulators again", webUrl=f"{URL}#more")
    report = await load(loaded.root, loaded.db, LoadOptions(workers=1))
    assert report.updated == 2
    story = {s: n["storyId"] for s, n in by_slug(await gql(STORIES)).items()}
    assert story[slug(5)] != story[slug(6)]
    assert story[slug(1)] == story[slug(2)] == story[slug(11)]
    (loaded.root / "_news" / f"{slug(1)}.md").unlink()
    (loaded.root / "_news" / f"{slug(2)}.md").unlink()
    report = await load(loaded.root, loaded.db, LoadOptions(workers=1))
    assert report.removed == 2
    nodes = by_slug(await gql(STORIES))
    assert nodes[slug(11)]["duplicates"] == []


def test_the_shared_corpus_folds_into_stories(shared_corpus: Path, tmp_path: Path) -> None:
    root = shared_corpus / "powerapps"
    if not root.is_dir():
        pytest.skip("../shared/corpus/powerapps is not present")
    db = tmp_path / "powerapps.db"
    report = asyncio.run(load(root, db, LoadOptions(workers=1)))
    gql = client(db)
    query = """{ all: articles { totalCount } stories: articles(dedupe: true) { totalCount }
                 article(url: "https://www.zdnet.com/article/microsoft-power-apps-misconfiguration-exposes-38-million-data-records/")
                 { duplicates(first: 20) { title } } }"""
    found = data(asyncio.run(gql(query)))
    articles, stories = found["all"]["totalCount"], found["stories"]["totalCount"]
    assert articles == report.loaded and stories < articles
    assert len(found["article"]["duplicates"]) >= 5
    assert all("38" in d["title"] for d in found["article"]["duplicates"])
