"""Typed rows that ``db`` hands to the API: named tuples, cheap to build.

The column order of each ``SELECT`` in :mod:`db.reader` matches these fields;
``_make`` turns a row into a record without a per-field Python loop.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

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


ARTICLE_COLUMNS = ", ".join(f"a.{name}" for name in ArticleRow._fields)
ARTICLE_KEYS = frozenset(("id", "path", "slug", "provider_id", "image_count"))
"""Article columns always read: small, and what nested lists and ids are built from."""


@lru_cache(maxsize=256)
def article_columns(wanted: Columns) -> str:
    """The article select list with the columns nobody reads as NULL (body, secured...).

    Long text is the costly part of a row to read and convert; a feed rarely
    shows the body.
    """
    if wanted is None:
        return ARTICLE_COLUMNS
    return ", ".join(
        f"a.{name}" if name in wanted or name in ARTICLE_KEYS else "NULL"
        for name in ArticleRow._fields
    )


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


class ProviderRow(NamedTuple):
    """A provider: one per domain."""

    id: int
    domain: str
    name: str | None
    article_count: int


class TopicRow(NamedTuple):
    """A topic: one per name (case-insensitive)."""

    id: int
    name: str
    slug: str
    parent: str | None
    keywords: str | None
    hashtags: str | None
    article_count: int


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


RELATED_KEYS = frozenset(("id", "article_id", "position", "provider_id", "target_id"))


@lru_cache(maxsize=256)
def related_columns(wanted: Columns) -> str:
    """The related-item select list with the columns nobody reads as NULL."""
    return ", ".join(
        f"r.{name}" if wanted is None or name in wanted or name in RELATED_KEYS else "NULL"
        for name in RelatedRow._fields
    )


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
