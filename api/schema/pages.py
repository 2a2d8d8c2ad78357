"""Fetching one page of a list: the arguments checked, the rows read, the cursors made.

This is the part of a connection that both executors share: the resolvers in
:mod:`api.schema.types` and :mod:`api.schema.query` wrap a page in GraphQL
objects, the compiled plans (:mod:`api.plans`) write it as plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from api.schema.inputs import ArticleFilter, ArticleOrder, to_filter, to_order
from api.schema.pagination import (
    DAMAGED,
    Page,
    decode_cursor,
    decode_values,
    encode_cursor,
    page_args,
)
from core.clock import Now
from core.config import Limits
from core.errors import BadArgument, BadCursor
from db import query
from db.reader import Session
from db.rows import ArticleRow, Columns

R = TypeVar("R")

_VALUE_TYPES: dict[query.Sort, tuple[type, ...]] = {
    query.Sort.PUBLISHED_AT: (str,),
    query.Sort.TITLE: (str,),
    query.Sort.QUALITY: (int,),
    query.Sort.HEAT: (int,),
    query.Sort.RELEVANCE: (float, int),
}
_TRENDING_TYPES: tuple[tuple[type, ...], ...] = ((float, int), (str,))


@dataclass(frozen=True, slots=True)
class ArticleArgs:
    """The arguments of every ``articles(...)`` field, as the client gave them."""

    filter: ArticleFilter | None = None
    order_by: list[ArticleOrder] | ArticleOrder | None = None
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    dedupe: bool | None = False

    @classmethod
    def of(cls, values: dict[str, Any]) -> ArticleArgs:
        """From coerced argument values keyed by their GraphQL names."""
        return cls(
            values.get("filter"), values.get("orderBy"), values.get("first"),
            values.get("after"), values.get("last"), values.get("before"),
            values.get("dedupe"),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of rows with their cursors and which sides have more."""

    rows: list[Any]
    cursors: list[str]
    has_next: bool
    has_previous: bool

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


@dataclass(frozen=True, slots=True)
class ArticlePage(ListPage):
    """A page of articles, the filter its counts and facets are taken over, and the
    instant a trending page ranks as of."""

    filter: query.Filter | None = None
    user_filter: query.Filter | None = None
    """The client's own ``filter`` (without the provider or topic the list is under)."""
    provider: str | None = None
    topic: str | None = None
    as_of: str | None = None
    dedupe: bool = False
    """Whether the list keeps one article per story (``dedupe: true``)."""


DEDUPED = query.Filter(dedupe=True)
"""The filter of a whole feed with one article per story."""


def scoped(
    user_filter: query.Filter | None, provider: str | None, topic: str | None,
    dedupe: bool = False,
) -> query.Filter | None:  # fmt: skip
    """A client's filter under the provider or topic a list belongs to, if any, keeping one
    article per story of the whole if ``dedupe``."""
    found = user_filter
    if provider is not None or topic is not None:
        found = query.Filter(
            provider_in=(provider,) if provider else None,
            topics_any=(topic,) if topic else None,
            all_of=(user_filter,) if user_filter else (),
        )
    if dedupe:
        found = DEDUPED if found is None else replace(found, dedupe=True)
    return found


def flags(page: Page, more: bool) -> tuple[bool, bool]:
    """(hasNextPage, hasPreviousPage): ``more`` on the side we paged toward."""
    if page.backward:
        return page.cursor is not None, more
    return more, page.cursor is not None


def fetch_article_page(
    db: Session,
    limits: Limits,
    args: ArticleArgs,
    *,
    provider: str | None = None,
    topic: str | None = None,
    columns: Columns = None,
    now: Now | None = None,
) -> ArticlePage:
    """Check the arguments and fetch a page of articles, under a provider or topic if given.

    ``now`` is the request's instant, read only by a trending list's first page.
    """
    page = page_args(
        args.first, args.after, args.last, args.before,
        default=limits.default_page, maximum=limits.max_page,
    )  # fmt: skip
    user_filter = to_filter(args.filter)
    order = to_order(args.order_by, user_filter)
    dedupe = bool(args.dedupe)
    counted = scoped(user_filter, provider, topic, dedupe)
    if order.sort is query.Sort.TRENDING:
        found_page = _trending_page(db, page, order, counted, columns, now or Now())
    else:
        kind = _kind(order)
        cursor: tuple[Any, int] | None = None
        if page.cursor and order.then:
            types = tuple(_VALUE_TYPES[k.sort] for k in order.keys)
            cursor = decode_values(page.cursor, kind, types, int)
        elif page.cursor:
            cursor = decode_cursor(page.cursor, kind, _VALUE_TYPES[order.sort], int)
        found: list[tuple[Any, ArticleRow]] = db.article_page(
            counted, order, page.size + 1, cursor, backward=page.backward, columns=columns
        )
        found_page = _article_page(page, found, kind, counted)
    return replace(
        found_page, user_filter=user_filter, provider=provider, topic=topic, dedupe=dedupe
    )


def _is_instant(text: str) -> bool:
    """Whether a cursor's ``asOf`` is a UTC timestamp as :class:`Now` writes them."""
    try:
        return datetime.fromisoformat(text).utcoffset() == timedelta(0)
    except ValueError:
        return False


def _kind(order: query.Order) -> str:
    """What a cursor says it belongs to: the sort's name, or every key with its direction."""
    if not order.then:
        return order.sort.name
    return ", ".join(f"{k.sort.name} {'DESC' if k.descending else 'ASC'}" for k in order.keys)


def _article_page(
    page: Page, found: list[tuple[Any, ArticleRow]], kind: str, scoped: query.Filter | None,
    as_of: str | None = None,
) -> ArticlePage:  # fmt: skip
    more = len(found) > page.size
    if more:
        found = found[1:] if page.backward else found[:-1]
    has_next, has_previous = flags(page, more)
    return ArticlePage(
        rows=[row for _, row in found],
        cursors=[encode_cursor(kind, value, row.id) for value, row in found],
        has_next=has_next,
        has_previous=has_previous,
        filter=scoped,
        as_of=as_of,
    )


def _trending_page(
    db: Session, page: Page, order: query.Order, scoped: query.Filter | None,
    columns: Columns, now: Now,
) -> ArticlePage:  # fmt: skip
    """A page by trending score, as of the instant its cursor carries (or now)."""
    kind = f"TRENDING halfLifeHours={order.half_life:g}"
    cursor: tuple[float, int] | None = None
    if page.cursor is not None:
        (score, as_of), key = decode_values(page.cursor, kind, _TRENDING_TYPES, int)
        if not _is_instant(as_of):
            raise BadCursor(DAMAGED)
        cursor = (float(score), key)
    elif page.backward:
        raise BadArgument(
            "a TRENDING list pages backward only from a cursor: pass `before` with `last`, "
            "or page forward with `first`"
        )
    else:
        as_of = now.timestamp()
    found = db.trending_page(
        scoped, order.half_life, as_of, page.size + 1, cursor,
        backward=page.backward, columns=columns,
    )  # fmt: skip
    pairs = [((score, as_of), row) for score, row in found]
    return _article_page(page, pairs, kind, scoped, as_of)


def fetch_ranked_page(
    limits: Limits,
    first: int | None,
    after: str | None,
    kind: str,
    key_type: type,
    fetch: Callable[[int, tuple[Any, Any] | None], list[tuple[Any, R]]],
    key_of: Callable[[R], Any],
) -> ListPage:
    """A forward page of providers or topics (most articles first) with its cursors."""
    page = page_args(first, after, None, None, default=limits.default_page, maximum=limits.max_page)
    cursor = decode_cursor(page.cursor, kind, (int,), key_type) if page.cursor else None
    found = fetch(page.size + 1, cursor)
    more = len(found) > page.size
    found = found[: page.size]
    has_next, has_previous = flags(page, more)
    return ListPage(
        rows=[row for _, row in found],
        cursors=[encode_cursor(kind, value, key_of(row)) for value, row in found],
        has_next=has_next,
        has_previous=has_previous,
    )
