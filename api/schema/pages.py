"""Fetching one page of a list: the arguments checked, the rows read, the cursors made.

This is the part of a connection that both executors share: the resolvers in
:mod:`api.schema.types` and :mod:`api.schema.query` wrap a page in GraphQL
objects, the compiled plans (:mod:`api.plans`) write it as plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from api.schema.inputs import ArticleFilter, ArticleOrder, to_filter, to_order
from api.schema.pagination import Page, decode_cursor, encode_cursor, page_args
from core.config import Limits
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


@dataclass(frozen=True, slots=True)
class ArticleArgs:
    """The arguments of every ``articles(...)`` field, as the client gave them."""

    filter: ArticleFilter | None = None
    order_by: ArticleOrder | None = None
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @classmethod
    def of(cls, values: dict[str, Any]) -> ArticleArgs:
        """From coerced argument values keyed by their GraphQL names."""
        return cls(
            values.get("filter"), values.get("orderBy"), values.get("first"),
            values.get("after"), values.get("last"), values.get("before"),
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
    """A page of articles, and the filter its counts and facets are taken over."""

    filter: query.Filter | None = None
    user_filter: query.Filter | None = None
    """The client's own ``filter`` (without the provider or topic the list is under)."""
    provider: str | None = None
    topic: str | None = None


def scoped(
    user_filter: query.Filter | None, provider: str | None, topic: str | None
) -> query.Filter | None:
    """A client's filter under the provider or topic a list belongs to, if any."""
    if provider is None and topic is None:
        return user_filter
    return query.Filter(
        provider_in=(provider,) if provider else None,
        topics_any=(topic,) if topic else None,
        all_of=(user_filter,) if user_filter else (),
    )


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
) -> ArticlePage:
    """Check the arguments and fetch a page of articles, under a provider or topic if given."""
    page = page_args(
        args.first, args.after, args.last, args.before,
        default=limits.default_page, maximum=limits.max_page,
    )  # fmt: skip
    user_filter = to_filter(args.filter)
    order = to_order(args.order_by, user_filter)
    counted = scoped(user_filter, provider, topic)
    kind = order.sort.name
    cursor = (
        decode_cursor(page.cursor, kind, _VALUE_TYPES[order.sort], int) if page.cursor else None
    )
    found: list[tuple[Any, ArticleRow]] = db.article_page(
        counted, order, page.size + 1, cursor, backward=page.backward, columns=columns
    )
    more = len(found) > page.size
    if more:
        found = found[1:] if page.backward else found[:-1]
    has_next, has_previous = flags(page, more)
    return ArticlePage(
        rows=[row for _, row in found],
        cursors=[encode_cursor(kind, value, row.id) for value, row in found],
        has_next=has_next,
        has_previous=has_previous,
        filter=counted,
        user_filter=user_filter,
        provider=provider,
        topic=topic,
    )


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
