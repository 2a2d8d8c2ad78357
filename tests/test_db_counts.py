"""Counts and facets of any filter: exact where cheap, else over a declared window."""

from __future__ import annotations

import pytest

from core.config import Limits
from db import counts
from db.query import Filter
from db.reader import ReadPool
from tests.conftest import Corpus, client_for, data, make_app

KINDS = ("topics", "providers", "categories", "types")


@pytest.fixture
async def session(corpus: Corpus):  # type: ignore[no-untyped-def]
    pool = ReadPool(corpus.db, loop_budget=None)
    found = await pool.acquire()
    yield found
    pool.release(found)
    pool.close()


async def test_a_union_of_disjoint_scopes_reads_the_kept_counts(session) -> None:  # type: ignore[no-untyped-def]
    providers = [r[0] for r in session.rows("SELECT domain FROM providers LIMIT 3")]
    types = [r[0] for r in session.rows("SELECT DISTINCT type FROM articles") if r[0]]
    for f in (
        Filter(provider_in=tuple(providers)),
        Filter(provider_in=(providers[0], "no-such.example", providers[0])),
        Filter(type_in=tuple(types)),
        Filter(category_in=("news", "opinion")),
    ):
        assert session.scope(f) is not None, f
        assert session.article_count(f) == session.article_count(f, kept_counts=False)
        assert session.counts_exact(f)
        for kind in KINDS:
            assert session.facets(f, kind, 50) == session.facets(f, kind, 50, kept_counts=False)


async def test_another_filter_counts_its_window_and_says_when_it_is_not_everything(
    session,  # type: ignore[no-untyped-def]
) -> None:
    broad = Filter(quality_min=-(10**9))  # every article with a quality
    narrow = Filter(quality_min=200)
    total = session.article_count(broad, kept_counts=False)
    session.search_window = total - 5
    assert session.article_count(broad) == total - 5
    assert not session.counts_exact(broad)
    newest = [r[0] for r in session.rows(
        "SELECT id FROM articles WHERE quality IS NOT NULL"
        " ORDER BY sk_published DESC, id DESC LIMIT ?", (total - 5,)
    )]  # fmt: skip
    assert [r[0] for r in session.filter_window(broad)[0][: total - 5]] == newest
    assert session.article_count(narrow) == session.article_count(narrow, kept_counts=False)
    assert session.counts_exact(narrow)
    for kind in KINDS:
        assert session.facets(narrow, kind, 50) == session.facets(
            narrow, kind, 50, kept_counts=False
        )


async def test_a_window_that_takes_too_much_work_is_declared_incomplete(
    session,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(counts, "WINDOW_WORK", 2)
    monkeypatch.setattr(counts, "WINDOW_STEP", 100)
    odd = Filter(any_of=(Filter(heat_min=3), Filter(type="video")))
    ids, complete = session.filter_window(odd)
    assert not complete
    assert not session.counts_exact(odd)
    assert session.article_count(odd) == len(ids)


async def test_counts_exact_through_the_api(corpus: Corpus) -> None:
    gql = client_for(make_app(corpus.db, limits=Limits(search_window=7)))
    query = "query($f: ArticleFilter) { articles(filter: $f) { totalCount countsExact } }"
    assert data(await gql(query, {"f": {"qualityMin": 0}}))["articles"] == {
        "totalCount": 7,
        "countsExact": False,
    }
    everything = data(await gql(query))["articles"]
    assert everything["countsExact"] and everything["totalCount"] == len(corpus.items)
