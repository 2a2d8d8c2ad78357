"""Typed rows that ``db`` hands to the API: named tuples, cheap to build.

The column order of each ``SELECT`` in :mod:`db.reader` matches these fields;
``_make`` turns a row into a record without a per-field Python loop.
"""

from __future__ import annotations

from typing import NamedTuple


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
