"""More like this (db.similar): topics and rare words rank, bounded and deterministic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.reader import ReadPool
from db.similar import significant_words
from loaders.loader import LoadOptions, load
from tests.conftest import GQL, Corpus, MakeItem, client_for, data, error_codes, make_app

FILLER = "plain words about nothing in particular"

SIMILAR = """query($s: String!, $n: Int) { article(slug: $s) {
    similar(first: $n) { slug } } }"""


@pytest.fixture
async def gql_small(make_item: MakeItem, content: Path, db_path: Path) -> GQL:
    """Items whose similarity is known: words and topics chosen by hand."""
    make_item(1, title="Zeppelin airship flies over Lakehurst", topics=["Aviation", "History"])
    make_item(2, title="An airship returns to Lakehurst", topics=["Aviation"])
    make_item(3, title="Zeppelin museum opens", excerpt=FILLER, topics=["Museums"])
    make_item(4, title="Quarterly results", excerpt=FILLER, topics=["Aviation", "History"])
    make_item(5, title="Unrelated gardening tips", excerpt=FILLER, topics=["Gardens"])
    make_item(6, title="Airship Zeppelin Lakehurst", topics=None)
    make_item(7, title="The and of", excerpt=None, topics=["Gardens"])
    make_item(8, title="Entirely distinct headline", excerpt="Completely different", topics=None)
    await load(content, db_path, LoadOptions(workers=1))
    return client_for(make_app(db_path))


def _slugs(body: dict[str, object]) -> list[str] | None:
    article = data(body)["article"]
    return None if article is None else [a["slug"] for a in article["similar"]]


async def test_shared_words_and_topics_rank_first_never_the_article_itself(
    gql_small: GQL,
) -> None:
    found = _slugs(await gql_small(SIMILAR, {"s": "2024-01-01-story-1", "n": 10}))
    assert found is not None and "2024-01-01-story-1" not in found
    # all of the rare words (6), the rare words and a topic (2), both topics (4),
    # then a word (3) or nothing shared (5 and 8 share nothing: never listed)
    assert found[:3] == ["2024-01-01-story-2", "2024-01-01-story-6", "2024-01-01-story-4"]
    assert "2024-01-01-story-3" in found
    assert "2024-01-01-story-5" not in found and "2024-01-01-story-8" not in found


async def test_without_topics_text_still_finds_some_and_without_words_topics_do(
    gql_small: GQL,
) -> None:
    by_text = _slugs(await gql_small(SIMILAR, {"s": "2024-01-01-story-6", "n": 3}))
    assert by_text == ["2024-01-01-story-1", "2024-01-01-story-2", "2024-01-01-story-3"]
    by_topic = _slugs(await gql_small(SIMILAR, {"s": "2024-01-01-story-7", "n": 5}))
    assert by_topic == ["2024-01-01-story-5"]  # its words are all common ones
    assert _slugs(await gql_small(SIMILAR, {"s": "2024-01-01-story-8", "n": 5})) == []


async def test_first_is_bounded_and_defaults_to_five(gql: GQL, corpus: Corpus) -> None:
    slug = sorted(corpus.items)[0]
    default = await gql(
        "query($s: String!) { article(slug: $s) { similar { slug } } }", {"s": slug}
    )
    assert len(data(default)["article"]["similar"]) == 5
    body = await gql(SIMILAR, {"s": slug, "n": 101})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "between 1 and 100" in body["errors"][0]["message"]


async def test_the_same_content_gives_the_same_list(corpus: Corpus) -> None:
    slugs = sorted(corpus.items)[::40]
    lists = []
    for _ in range(2):  # two apps: nothing cached between them
        gql = client_for(make_app(corpus.db))
        lists.append([_slugs(await gql(SIMILAR, {"s": s, "n": 20})) for s in slugs])
    assert lists[0] == lists[1]
    assert all(found and len(found) == 20 for found in lists[0])


@pytest.fixture
def pool(corpus: Corpus) -> Iterator[ReadPool]:
    pool = ReadPool(corpus.db)
    pool.open()
    yield pool
    pool.close()


async def test_on_the_event_loop_it_moves_to_the_background_then_is_cached(
    pool: ReadPool,
) -> None:
    statements: list[str] = []
    pool.tracer = statements.append
    first = await pool.read(lambda db: db.similar_ids([3, 4]))
    assert set(first) == {3, 4} and all(20 <= len(ids) <= 100 for ids in first.values())
    statements.clear()
    again = await pool.read(lambda db: db.similar_ids([3, 4]))  # on the loop, from the cache
    assert again == first
    assert not any("articles_fts" in s for s in statements), statements


@pytest.mark.parametrize(
    ("texts", "words"),
    [
        (("The Zeppelin flies", "over São Paulo, again"), ["zeppelin", "flies", "sao", "paulo"]),
        (("A 2024 plan_b for AI", None), ["plan"]),  # short, numbers, underscores left out
        ((None, None), []),
    ],
)
def test_significant_words(texts: tuple[str | None, str | None], words: list[str]) -> None:
    assert significant_words(*texts) == words
