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
from strawberry.scalars import JSON
from strawberry.types import Info

from api.schema.context import Context
from api.schema.pages import ArticlePage, ListPage
from api.schema.pagination import check_first
from api.schema.scalars import DateTime
from api.schema.sidebar import FacetValue, group
from api.schema.snippets import PageSnippets, SnippetColumn, SnippetOptions

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


@strawberry.type(description="A value of a facet group: how many articles have it, and its toggle.")
class FacetCount:
    value: str = strawberry.field(
        description=(
            "The value: a topic slug, provider domain, category, type, year (`2021`) or "
            "month (`2021-02`)."
        )
    )
    label: str | None = strawberry.field(
        description="A display name (topic or provider name; `February 2021` for a month)."
    )
    count: int = strawberry.field(description="How many matching articles have it.")
    selected: bool = strawberry.field(
        description="Whether the list's own `filter` selects this value (at its top level)."
    )
    toggle: JSON = strawberry.field(
        description=(
            "The list's `filter` with this value added to its group (or removed, when "
            "selected), as an `ArticleFilter` input: pass it back as the next `filter`. "
            "Everything else in the filter, nested `and` / `or` / `not` included, is kept."
        )
    )

    @classmethod
    def of(cls, value: FacetValue) -> FacetCount:
        return cls(
            value=value.value, label=value.label, count=value.count,
            selected=value.selected, toggle=JSON(value.toggle),
        )  # fmt: skip


FacetFirst = Annotated[
    int, strawberry.argument(description="At most this many values, most frequent first.")
]
PeriodFirst = Annotated[
    int,
    strawberry.argument(description="At most this many values, newest first."),
]


@strawberry.type(
    description=(
        "Facet groups of a list of articles, for a sidebar. Within a group the list's filter "
        "selects alternatives (OR: `topicsAny`, `providerIn`, `categoryIn`, `typeIn`, "
        "`publishedIn`); groups combine with AND. A value the filter selects is always "
        "listed, after the most frequent ones."
    )
)
class Facets:
    page: strawberry.Private[ArticlePage]
    disjunctive: strawberry.Private[bool]

    def _group(self, info: ContextInfo, kind: str, first: int) -> list[FacetCount]:
        limit = check_first(first, info.context.limits.max_page) or first
        found = group(info.context.db, self.page, kind, limit, self.disjunctive)
        return [FacetCount.of(v) for v in found]

    @strawberry.field(description="Topics of the matching articles.")
    def topics(self, info: ContextInfo, first: FacetFirst = 20) -> list[FacetCount]:
        return self._group(info, "topics", first)

    @strawberry.field(description="Providers of the matching articles.")
    def providers(self, info: ContextInfo, first: FacetFirst = 20) -> list[FacetCount]:
        return self._group(info, "providers", first)

    @strawberry.field(description="Categories of the matching articles.")
    def categories(self, info: ContextInfo, first: FacetFirst = 20) -> list[FacetCount]:
        return self._group(info, "categories", first)

    @strawberry.field(description="Types of the matching articles.")
    def types(self, info: ContextInfo, first: FacetFirst = 20) -> list[FacetCount]:
        return self._group(info, "types", first)

    @strawberry.field(
        description="Years the matching articles were published in (UTC): archive navigation."
    )
    def years(self, info: ContextInfo, first: PeriodFirst = 20) -> list[FacetCount]:
        return self._group(info, "years", first)

    @strawberry.field(
        description="Months the matching articles were published in (UTC): archive navigation."
    )
    def months(self, info: ContextInfo, first: PeriodFirst = 24) -> list[FacetCount]:
        return self._group(info, "months", first)


@strawberry.type(description="An article and its cursor.")
class ArticleEdge:
    cursor: str = strawberry.field(description="Pass as `after` / `before` to page from here.")
    node: ArticleRef = strawberry.field(description="The article.")
    snippets: strawberry.Private[PageSnippets]
    article_id: strawberry.Private[int]

    @strawberry.field(
        description=(
            "Where the article matched the connection's search (`filter.text`): a passage "
            "of up to `tokens` words with each match between `before` and `after`, and "
            "`ellipsis` where text was left out. The text is HTML-escaped; the markers are "
            "inserted as given. Null outside a search, and when the chosen text is empty."
        )
    )
    def snippet(
        self,
        column: Annotated[
            SnippetColumn, strawberry.argument(description="Which text to take it from.")
        ] = SnippetColumn.BEST,
        tokens: Annotated[
            int, strawberry.argument(description="At most this many words, 1 to 64.")
        ] = 16,
        before: Annotated[
            str, strawberry.argument(description="Inserted before each match, as given.")
        ] = "<mark>",
        after: Annotated[
            str, strawberry.argument(description="Inserted after each match, as given.")
        ] = "</mark>",
        ellipsis: Annotated[
            str, strawberry.argument(description="Inserted where text was left out, as given.")
        ] = "…",
    ) -> str | None:
        options = SnippetOptions(column, tokens, before, after, ellipsis).checked()
        return self.snippets.of(self.article_id, options)


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
    page: strawberry.Private[ArticlePage]

    @strawberry.field(description="How many articles match the filter, across all pages.")
    def total_count(self, info: ContextInfo) -> int:
        return info.context.db.article_count(self.page.filter)

    @strawberry.field(
        description=(
            "The content version this page was read at: pass it to `changes(since: ...)` "
            "later to learn what changed."
        )
    )
    def content_version(self, info: ContextInfo) -> int:
        return info.context.db.content_version()

    @strawberry.field(
        description=(
            "Whether `totalCount` and `facets` count every matching article. False only when "
            "a full-text search in the filter matches more articles than the search window "
            "(the limit `search_window`, 10,000 by default): then its most recently loaded "
            "matches are the ones counted, faceted, ranked and paged."
        )
    )
    def counts_exact(self, info: ContextInfo) -> bool:
        return info.context.db.counts_exact(self.page.filter)

    @strawberry.field(description="Value counts among the matching articles, for a sidebar.")
    def facets(
        self,
        disjunctive: Annotated[
            bool,
            strawberry.argument(
                description=(
                    "Count each group over the list without that group's own selection "
                    "(select two topics: the topic counts stay those of the list without "
                    "`topicsAny`, the other groups count both), so a sidebar can tick "
                    "several values of a group. False: every group counts the list as it is."
                )
            ),
        ] = False,
    ) -> Facets:
        return Facets(page=self.page, disjunctive=disjunctive)


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
