"""Relay connections with keyset cursors: articles, providers and topics.

The page itself is fetched when the connection is built (one query);
``totalCount`` and ``facets`` run their queries only when asked for, within
the same read transaction, so they agree with the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import strawberry

from api.context import Context
from api.inputs import ArticleFilter, ArticleOrder, to_filter, to_order
from api.pagination import Page, check_first, decode_cursor, encode_cursor, page_args
from api.types import Article, ContextInfo, Provider, Topic
from db import query
from db.reader import Session
from db.rows import ArticleRow, Columns
from newsgraph.config import Limits

R = TypeVar("R")

_VALUE_TYPES: dict[query.Sort, tuple[type, ...]] = {
    query.Sort.PUBLISHED_AT: (str,),
    query.Sort.TITLE: (str,),
    query.Sort.QUALITY: (int,),
    query.Sort.HEAT: (int,),
    query.Sort.RELEVANCE: (float, int),
}


@strawberry.type(description="Where a page sits in its list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items come before this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="The cursor of the last item.")


def _flags(page: Page, more: bool) -> tuple[bool, bool]:
    """(hasNextPage, hasPreviousPage): ``more`` on the side we paged toward."""
    if page.backward:
        return page.cursor is not None, more
    return more, page.cursor is not None


def _page_info(cursors: list[str], page: Page, more: bool) -> PageInfo:
    has_next, has_previous = _flags(page, more)
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@strawberry.type(description="How many matching articles have a given value.")
class FacetCount:
    value: str = strawberry.field(
        description="The value: a topic slug, provider domain, category or type."
    )
    label: str | None = strawberry.field(description="A display name (topic or provider name).")
    count: int = strawberry.field(description="How many matching articles have it.")


FacetFirst = Annotated[
    int, strawberry.argument(description="At most this many values, most frequent first.")
]


@strawberry.type(description="Counts of values among all articles matching the filter.")
class Facets:
    filter: strawberry.Private[query.Filter | None]

    def _counts(self, info: ContextInfo, kind: str, first: int) -> list[FacetCount]:
        limit = check_first(first, info.context.limits.max_page) or first
        return [
            FacetCount(value=r.value, label=r.label, count=r.total)
            for r in info.context.db.facets(self.filter, kind, limit)
        ]

    @strawberry.field(description="Topics of the matching articles.")
    def topics(self, info: ContextInfo, first: FacetFirst = 20) -> list[FacetCount]:
        return self._counts(info, "topics", first)

    @strawberry.field(description="Providers of the matching articles.")
    def providers(self, info: ContextInfo, first: FacetFirst = 20) -> list[FacetCount]:
        return self._counts(info, "providers", first)

    @strawberry.field(description="Categories of the matching articles.")
    def categories(self, info: ContextInfo, first: FacetFirst = 20) -> list[FacetCount]:
        return self._counts(info, "categories", first)

    @strawberry.field(description="Types of the matching articles.")
    def types(self, info: ContextInfo, first: FacetFirst = 20) -> list[FacetCount]:
        return self._counts(info, "types", first)


@strawberry.type(description="An article and its cursor.")
class ArticleEdge:
    cursor: str = strawberry.field(description="Pass as `after` / `before` to page from here.")
    node: Article = strawberry.field(description="The article.")


@strawberry.type(description="A page of articles (Relay connection) with counts and facets.")
class ArticleConnection:
    edges: list[ArticleEdge] = strawberry.field(description="The page's articles with cursors.")
    nodes: list[Article] = strawberry.field(description="The page's articles.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    filter: strawberry.Private[query.Filter | None]

    @strawberry.field(description="How many articles match the filter, across all pages.")
    def total_count(self, info: ContextInfo) -> int:
        return info.context.db.article_count(self.filter)

    @strawberry.field(description="Value counts among the matching articles, for a sidebar.")
    def facets(self) -> Facets:
        return Facets(filter=self.filter)


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """One page of articles, before it becomes GraphQL objects or plain dicts."""

    rows: list[ArticleRow]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    filter: query.Filter | None


def fetch_article_page(
    db: Session,
    limits: Limits,
    filter_in: ArticleFilter | None,
    order_in: ArticleOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    *,
    provider: str | None = None,
    topic: str | None = None,
    columns: Columns = None,
) -> ArticlePage:
    """Check the arguments and fetch a page (shared by resolvers and compiled plans)."""
    page = page_args(
        first, after, last, before, default=limits.default_page, maximum=limits.max_page
    )
    user_filter = to_filter(filter_in)
    order = to_order(order_in, user_filter)
    scoped = user_filter
    if provider is not None or topic is not None:
        scoped = query.Filter(
            provider_in=(provider,) if provider else None,
            topics_any=(topic,) if topic else None,
            all_of=(user_filter,) if user_filter else (),
        )
    kind = order.sort.name
    cursor = (
        decode_cursor(page.cursor, kind, _VALUE_TYPES[order.sort], int) if page.cursor else None
    )
    found = db.article_page(
        scoped, order, page.size + 1, cursor, backward=page.backward, columns=columns
    )
    more = len(found) > page.size
    if more:
        found = found[1:] if page.backward else found[:-1]
    has_next, has_previous = _flags(page, more)
    return ArticlePage(
        rows=[row for _, row in found],
        cursors=[encode_cursor(kind, value, row.id) for value, row in found],
        has_next=has_next,
        has_previous=has_previous,
        filter=scoped,
    )


def article_connection(
    info: ContextInfo,
    filter_in: ArticleFilter | None,
    order_in: ArticleOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    *,
    provider: str | None = None,
    topic: str | None = None,
) -> ArticleConnection:
    """Resolve an ``articles(...)`` field: top level, or under a provider or topic."""
    ctx: Context = info.context
    page = fetch_article_page(
        ctx.db, ctx.limits, filter_in, order_in, first, after, last, before,
        provider=provider, topic=topic,
    )  # fmt: skip
    nodes = [Article.from_row(row) for row in page.rows]
    return ArticleConnection(
        edges=[ArticleEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        filter=page.filter,
    )


@strawberry.type(description="A provider and its cursor.")
class ProviderEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: Provider = strawberry.field(description="The provider.")


@strawberry.type(description="A page of providers, most articles first.")
class ProviderConnection:
    edges: list[ProviderEdge] = strawberry.field(description="The page's providers with cursors.")
    nodes: list[Provider] = strawberry.field(description="The page's providers.")
    page_info: PageInfo = strawberry.field(description="Paging information.")

    @strawberry.field(description="How many providers there are.")
    def total_count(self, info: ContextInfo) -> int:
        return info.context.db.count("providers")


@strawberry.type(description="A topic and its cursor.")
class TopicEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: Topic = strawberry.field(description="The topic.")


@strawberry.type(description="A page of topics, most articles first.")
class TopicConnection:
    edges: list[TopicEdge] = strawberry.field(description="The page's topics with cursors.")
    nodes: list[Topic] = strawberry.field(description="The page's topics.")
    page_info: PageInfo = strawberry.field(description="Paging information.")

    @strawberry.field(description="How many topics there are.")
    def total_count(self, info: ContextInfo) -> int:
        return info.context.db.count("topics")


def _ranked_page(
    info: ContextInfo,
    first: int | None,
    after: str | None,
    kind: str,
    key_type: type,
    fetch: Callable[[int, tuple[Any, Any] | None], list[tuple[Any, R]]],
    key_of: Callable[[R], Any],
) -> tuple[list[R], list[str], PageInfo]:
    """A forward page of providers or topics (most articles first) with its cursors."""
    ctx: Context = info.context
    page = page_args(
        first, after, None, None, default=ctx.limits.default_page, maximum=ctx.limits.max_page
    )
    cursor = decode_cursor(page.cursor, kind, (int,), key_type) if page.cursor else None
    found = fetch(page.size + 1, cursor)
    more = len(found) > page.size
    found = found[: page.size]
    cursors = [encode_cursor(kind, value, key_of(row)) for value, row in found]
    return [row for _, row in found], cursors, _page_info(cursors, page, more)


def provider_connection(
    info: ContextInfo, first: int | None, after: str | None
) -> ProviderConnection:
    """Resolve ``providers(first, after)``."""
    rows, cursors, page_info = _ranked_page(
        info, first, after, "providers", str, info.context.db.provider_page, lambda r: r.domain
    )
    nodes = [Provider.from_row(r) for r in rows]
    return ProviderConnection(
        edges=[ProviderEdge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=page_info,
    )


def topic_connection(info: ContextInfo, first: int | None, after: str | None) -> TopicConnection:
    """Resolve ``topics(first, after)``."""
    rows, cursors, page_info = _ranked_page(
        info, first, after, "topics", int, info.context.db.topic_page, lambda r: r.id
    )
    nodes = [Topic.from_row(r) for r in rows]
    return TopicConnection(
        edges=[TopicEdge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=page_info,
    )
