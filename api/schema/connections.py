"""Relay connections with keyset cursors: pages of articles, providers and topics.

These are the page types only. A page is fetched when its connection is built
(:mod:`api.schema.pages`); ``totalCount`` and ``facets`` run their queries only
when asked for, within the same read transaction, so they agree with the page.
The nodes (``Article``, ``Provider``, ``Topic``) are referenced lazily: they in
turn have ``articles`` connections, and the types module builds both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.schema.context import Context
from api.schema.pages import ListPage
from api.schema.pagination import check_first
from api.schema.scalars import DateTime
from db import query

if TYPE_CHECKING:
    from api.schema.types import Article, Provider, Topic

ContextInfo = Info[Context, None]
ArticleRef = Annotated["Article", strawberry.lazy("api.schema.types")]
ProviderRef = Annotated["Provider", strawberry.lazy("api.schema.types")]
TopicRef = Annotated["Topic", strawberry.lazy("api.schema.types")]


@strawberry.type(description="Where a page sits in its list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items come before this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="The cursor of the last item.")

    @classmethod
    def of(cls, page: ListPage) -> PageInfo:
        return cls(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
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
    node: ArticleRef = strawberry.field(description="The article.")


@strawberry.type(description="A page of articles (Relay connection) with counts and facets.")
class ArticleConnection:
    edges: list[ArticleEdge] = strawberry.field(description="The page's articles with cursors.")
    nodes: list[ArticleRef] = strawberry.field(description="The page's articles.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    as_of: DateTime | None = strawberry.field(
        default=None,
        description=(
            "The instant a TRENDING list ranks as of: fixed by its first page and carried "
            "by its cursors, so later pages rank as of it too. Null for other orders."
        ),
    )
    filter: strawberry.Private[query.Filter | None]

    @strawberry.field(description="How many articles match the filter, across all pages.")
    def total_count(self, info: ContextInfo) -> int:
        return info.context.db.article_count(self.filter)

    @strawberry.field(
        description=(
            "Whether `totalCount` and `facets` count every matching article. False only when "
            "a full-text search in the filter matches more articles than the search window "
            "(the limit `search_window`, 10,000 by default): then its most recently loaded "
            "matches are the ones counted, faceted, ranked and paged."
        )
    )
    def counts_exact(self, info: ContextInfo) -> bool:
        return info.context.db.counts_exact(self.filter)

    @strawberry.field(description="Value counts among the matching articles, for a sidebar.")
    def facets(self) -> Facets:
        return Facets(filter=self.filter)


@strawberry.type(description="A provider and its cursor.")
class ProviderEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: ProviderRef = strawberry.field(description="The provider.")


@strawberry.type(description="A page of providers, most articles first.")
class ProviderConnection:
    edges: list[ProviderEdge] = strawberry.field(description="The page's providers with cursors.")
    nodes: list[ProviderRef] = strawberry.field(description="The page's providers.")
    page_info: PageInfo = strawberry.field(description="Paging information.")

    @strawberry.field(description="How many providers there are.")
    def total_count(self, info: ContextInfo) -> int:
        return info.context.db.count("providers")


@strawberry.type(description="A topic and its cursor.")
class TopicEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: TopicRef = strawberry.field(description="The topic.")


@strawberry.type(description="A page of topics, most articles first.")
class TopicConnection:
    edges: list[TopicEdge] = strawberry.field(description="The page's topics with cursors.")
    nodes: list[TopicRef] = strawberry.field(description="The page's topics.")
    page_info: PageInfo = strawberry.field(description="Paging information.")

    @strawberry.field(description="How many topics there are.")
    def total_count(self, info: ContextInfo) -> int:
        return info.context.db.count("topics")
