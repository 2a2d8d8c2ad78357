"""The README's example queries work against the bundled sample content, as printed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import SAMPLE_CONTENT
from loaders.loader import load
from tests.conftest import README_EXAMPLES, TOKEN, client_for, data, make_app

EXAMPLES = README_EXAMPLES


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sample") / "sample.db"
    report = asyncio.run(load(SAMPLE_CONTENT, db))
    assert report.failed == 0
    assert report.added > 50
    return db


def test_the_readme_starts_with_the_five_page_examples() -> None:
    names = [re.search(r"query (\w+)", e).group(1) for e in EXAMPLES]  # type: ignore[union-attr]
    assert names[:5] == ["Homepage", "TopicPage", "ProviderPage", "Search", "Article"]
    assert len(set(names)) == len(names), "each README example needs its own operation name"


@pytest.mark.parametrize("query", EXAMPLES, ids=lambda q: q.split()[1])
async def test_example_runs_and_finds_something(sample_db: Path, query: str) -> None:
    gql = client_for(make_app(sample_db, access_token=TOKEN))
    body = await gql(query, headers={"Authorization": f"Bearer {TOKEN}"})  # Health needs it
    result = data(body)
    (value,) = result.values()
    assert value, f"the example found nothing: {result}"
    lists = list(_lists(value))
    assert lists, "every example returns a list of something"
    assert lists[0], f"the example's first list is empty: {result}"


def _lists(value: object) -> Iterator[list[object]]:
    """Every list of articles (nodes, edges, similar, a feed's added) or related items,
    outermost first."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("nodes", "edges", "related", "similar", "added") and isinstance(inner, list):
                yield inner
            yield from _lists(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _lists(inner)


async def test_homepage_example_has_related_items(sample_db: Path) -> None:
    body = await client_for(make_app(sample_db))(EXAMPLES[0])
    nodes = data(body)["articles"]["nodes"]
    assert len(nodes) == 20
    assert any(n["related"] for n in nodes)
    assert all(len(n["related"]) <= 3 for n in nodes)
    assert any(r["article"] for n in nodes for r in n["related"]), "a related item links home"
