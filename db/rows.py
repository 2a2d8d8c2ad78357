"""Typed rows that ``db`` hands to the API: named tuples, cheap to build.

The column order of each ``SELECT`` in :mod:`db.reader` matches these fields;
``_make`` turns a row into a record without a per-field Python loop.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

Columns = frozenset[str] | None
"""The row fields a caller will read (others may come back as ``None``); None: all."""


class ArticleRow(NamedTuple):
    """One article as stored."""

    id: int
    path: str
    slug: str
    category: str | None
    title: str | None
    excerpt: str | None
    body: str | None
    published_at: str | None
    original_url: str | None
    web_url: str | None
    amp_web_url: str | None
    cdn_amp_web_url: str | None
    type: str | None
    quality: int | None
    heat: int | None
    published: int | None
    featured_content: str | None
    secured: str | None
    provider_id: int | None
    image_count: int
    extra: str | None
    body_html: str | None
    featured_content_html: str | None
    filed_provider_id: int | None
    story_id: int | None


ARTICLE_COLUMNS = ", ".join(f"a.{name}" for name in ArticleRow._fields)
ARTICLE_KEYS = frozenset(("id", "path", "slug", "provider_id", "image_count", "filed_provider_id"))
"""Article columns always read: small, and what nested lists and ids are built from."""


ID_ONLY = frozenset(("id",))
"""Columns that ask for an article's id and nothing else, not even the keys."""

Maker = Callable[..., Any]
"""Builds a row record from the selected values (extra trailing values are ignored)."""


@lru_cache(maxsize=256)
def article_columns(wanted: Columns) -> tuple[str, Maker]:
    """The select list for the article columns someone reads, and the row maker.

    Every value converted from SQLite costs time (a feed reads 10 of the 21
    columns, and rarely the long body); the maker fills the rest with None.
    :data:`ID_ONLY` reads the id alone (when SQLite writes the rest as JSON).
    """
    if wanted == ID_ONLY:
        return _select("a", ArticleRow, ID_ONLY, frozenset())
    return _select("a", ArticleRow, wanted, ARTICLE_KEYS)


class ImageRow(NamedTuple):
    """An image of an article, a related item or a provider (``owner`` is its id)."""

    owner: int
    position: int
    url: str
    width: int | None
    height: int | None
    is_cached: int | None
    title: str | None
    attribution: str | None


AREA_CAP = 2**42
"""Pixels an image's area counts for at most when choosing a lead image (so that the
choice, made in Python or in SQL with 64-bit integers, is the same for absurd sizes)."""


class ProviderRow(NamedTuple):
    """A provider: one per domain."""

    id: int
    domain: str
    name: str | None
    article_count: int


PROVIDER_COLUMNS = ", ".join(ProviderRow._fields)
"""The select list of :class:`ProviderRow` from ``providers``."""


class TopicRow(NamedTuple):
    """A topic: one per name (case-insensitive)."""

    id: int
    name: str
    slug: str
    parent: str | None
    keywords: str | None
    hashtags: str | None
    article_count: int


TOPIC_COLUMNS = ", ".join(f"t.{name}" for name in TopicRow._fields)
"""The select list of :class:`TopicRow` from ``topics t``."""
IMAGE_COLUMNS = ", ".join(ImageRow._fields[2:])
"""The picture columns of :class:`ImageRow` (after its owner and position)."""


class RelatedRow(NamedTuple):
    """A related item under an article."""

    id: int
    article_id: int
    position: int
    title: str | None
    excerpt: str | None
    published_at: str | None
    web_url: str | None
    amp_web_url: str | None
    cdn_amp_web_url: str | None
    type: str | None
    quality: int | None
    provider_id: int | None
    target_id: int | None
    extra: str | None
    filed_provider_id: int | None


RELATED_KEYS = frozenset(
    ("id", "article_id", "position", "provider_id", "target_id", "filed_provider_id")
)


@lru_cache(maxsize=256)
def related_columns(wanted: Columns) -> tuple[str, Maker]:
    """The select list for the related-item columns someone reads, and the row maker."""
    return _select("r", RelatedRow, wanted, RELATED_KEYS)


def _select(alias: str, record: Any, wanted: Columns, keys: frozenset[str]) -> tuple[str, Maker]:
    names = [n for n in record._fields if wanted is None or n in wanted or n in keys]
    make = record._make
    count = len(names)
    if count == len(record._fields):  # every column, in order: the values are the row

        def maker(*values: Any) -> Any:
            return make(values[:count])

    else:  # index -1 picks the None put after the values
        pick = itemgetter(*[names.index(n) if n in names else -1 for n in record._fields])

        def maker(*values: Any) -> Any:
            return make(pick((*values, None)))

    return ", ".join(f"{alias}.{n}" for n in names), maker


class FacetRow(NamedTuple):
    """A value and how many matching articles have it."""

    value: str
    label: str | None
    total: int


class ContentInfo(NamedTuple):
    """The content version and when it was loaded."""

    version: int
    loaded_at: str | None
    article_count: int
    digest: str
