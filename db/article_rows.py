"""Records as table rows: the tuples one batch of articles becomes, and their inserts.

The writer decides ids (in memory, so every table is written with
``executemany``); this module only lays the records' values out in the
columns' order and writes a batch's rows, table by table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import aiosqlite

from core.records import Article, Image, RelatedItem

Row = tuple[Any, ...]


@dataclass(slots=True)
class RowBatch:
    """The rows of one batch of articles, per table."""

    articles: list[Row] = field(default_factory=list)
    topics: list[Row] = field(default_factory=list)
    images: list[Row] = field(default_factory=list)
    related: list[Row] = field(default_factory=list)
    related_images: list[Row] = field(default_factory=list)
    urls: list[Row] = field(default_factory=list)
    bands: list[Row] = field(default_factory=list)

    @property
    def article_ids(self) -> list[int]:
        return [row[0] for row in self.articles]


def flag(value: bool | None) -> int | None:
    """A yes/no value as SQLite stores it."""
    return None if value is None else int(value)


def article_row(
    article_id: int, slug: str, provider_id: int | None, art: Article, filed_id: int | None
) -> Row:
    """The ``articles`` row of a record (column order of the insert below)."""
    return (
        article_id, art.path, slug, art.category, art.title, art.excerpt, art.body,
        art.published_at, art.original_url, art.web_url, art.amp_web_url, art.cdn_amp_web_url,
        art.type, art.quality, art.heat, flag(art.published), art.featured_content,
        art.secured, provider_id, len(art.images), art.extra, art.body_html,
        art.featured_content_html, filed_id, article_id,
    )  # fmt: skip


def related_row(
    related_id: int,
    article_id: int,
    position: int,
    rel: RelatedItem,
    provider_id: int | None,
    filed_id: int | None,
) -> Row:
    """The ``related`` row of a related item."""
    return (
        related_id, article_id, position, rel.title, rel.excerpt, rel.published_at,
        rel.web_url, rel.amp_web_url, rel.cdn_amp_web_url, rel.type, rel.quality,
        provider_id, rel.extra, filed_id, rel.url_key,
    )  # fmt: skip


def key_rows(article_id: int, art: Article) -> tuple[list[Row], list[Row]]:
    """Rows of an article's address keys and of its title bands (with its day)."""
    urls = [(article_id, url) for url in art.url_keys]
    day = published_day(art.published_at)
    if not art.title_bands or day is None:
        return urls, []
    return urls, [(article_id, band, day) for band in art.title_bands]


def published_day(published_at: str | None) -> int | None:
    """The day number a title band is kept under (none without a date)."""
    if not published_at:
        return None
    try:
        return date.fromisoformat(published_at[:10]).toordinal()
    except ValueError:
        return None


def image_rows(owner: int, images: Sequence[Image]) -> list[Row]:
    """Rows of an article's, a related item's or a provider's pictures, in order."""
    return [
        (owner, i, im.url, im.width, im.height, flag(im.is_cached), im.title, im.attribution)
        for i, im in enumerate(images)
    ]


async def insert_batch(conn: aiosqlite.Connection, batch: RowBatch) -> None:
    """Write a batch's rows (the full-text index is the caller's next step)."""
    await conn.executemany(
        "INSERT INTO articles (id, path, slug, category, title, excerpt, body, published_at,"
        " original_url, web_url, amp_web_url, cdn_amp_web_url, type, quality, heat,"
        " published, featured_content, secured, provider_id, image_count, extra, body_html,"
        " featured_content_html, filed_provider_id, story_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        batch.articles,
    )
    await conn.executemany(
        "INSERT INTO article_topics (topic_id, sk_published, article_id, position)"
        " VALUES (?,?,?,?)",
        batch.topics,
    )
    await conn.executemany(
        "INSERT INTO article_images (article_id, position, url, width, height, is_cached,"
        " title, attribution) VALUES (?,?,?,?,?,?,?,?)",
        batch.images,
    )
    await conn.executemany(
        "INSERT INTO related (id, article_id, position, title, excerpt, published_at,"
        " web_url, amp_web_url, cdn_amp_web_url, type, quality, provider_id, extra,"
        " filed_provider_id, url_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        batch.related,
    )
    await conn.executemany("INSERT INTO article_urls (article_id, url) VALUES (?,?)", batch.urls)
    await conn.executemany(
        "INSERT INTO story_bands (article_id, band, day) VALUES (?,?,?)", batch.bands
    )
    await conn.executemany(
        "INSERT INTO related_images (related_id, position, url, width, height, is_cached,"
        " title, attribution) VALUES (?,?,?,?,?,?,?,?)",
        batch.related_images,
    )
