"""The root ``Query`` type: where every read starts."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.schema.arguments import After, First
from api.schema.changes import ChangeFeed, change_feed
from api.schema.connections import (
    ContextInfo,
    FacetCount,
    PageInfo,
    ProviderConnection,
    ProviderEdge,
    TopicConnection,
    TopicEdge,
)
from api.schema.feeds import article_list
from api.schema.health import ContentHealth, content_health
from api.schema.pages import fetch_ranked_page
from api.schema.scalars import DateTime, as_datetime
from api.schema.sidebar import unfiltered
from api.schema.types import Article, Node, Provider, Topic
from core.errors import BadArgument
from core.ids import decode_id
from core.urls import url_key


@strawberry.type(description="The content version, so a client can tell whether it is current.")
class ContentInfo:
    version: int = strawberry.field(
        description="Goes up by one on every load that changed content."
    )
    loaded_at: DateTime | None = strawberry.field(description="When that load finished (UTC).")
    digest: str = strawberry.field(
        description="Names the content by what was loaded (files, site data, settings), not by"
        " how many loads: replicas that loaded the same files report the same digest. It is"
        " also the `X-Content-Version` response header and part of every ETag."
    )
    article_count: int = strawberry.field(description="How many articles there are.")


def _one_of(**given: str | None) -> tuple[str, str]:
    chosen = [(k, v) for k, v in given.items() if v is not None]
    if len(chosen) != 1:
        names = ", ".join(f"`{k}`" for k in given)
        raise BadArgument(f"pass exactly one of {names}")
    return chosen[0][0], str(chosen[0][1])


@strawberry.type(description="Read the news: articles, providers, topics and their counts.")
class Query:
    @strawberry.field(
        description="One article by `id`, `slug` or `url` (web or original); null if none."
    )
    def article(
        self,
        info: ContextInfo,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Its global id.")
        ] = None,
        slug: Annotated[str | None, strawberry.argument(description="Its slug.")] = None,
        url: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Its web URL or original URL; else any of its addresses in another form "
                    "(tracking parameters, AMP page), as related items are linked."
                )
            ),
        ] = None,
    ) -> Article | None:
        kind, value = _one_of(id=id, slug=slug, url=url)
        db = info.context.db
        if kind == "id":
            type_name, key = decode_id(value)
            if type_name != "Article" or not key.isdigit():
                return None
            row = db.articles_by_id([int(key)]).get(int(key))
        elif kind == "slug":
            row = db.article_by("slug", value)
        else:
            row = (
                db.article_by("web_url", value)
                or db.article_by("original_url", value)
                or db.article_by_key(url_key(value))
            )
        return None if row is None else Article.from_row(row)

    articles = article_list(
        "Articles: filtered, sorted (newest first by default; by relevance for a search) "
        "and paginated with cursors. `first`/`last` default to 20, at most 100.",
        lambda _: {},
        Article.from_row,
    )

    @strawberry.field(description="Providers, most articles first.")
    def providers(
        self, info: ContextInfo, first: First = None, after: After = None
    ) -> ProviderConnection:
        return provider_connection(info, first, after)

    @strawberry.field(description="One provider by its domain (e.g. `cnn.com`); null if none.")
    def provider(
        self,
        info: ContextInfo,
        domain: Annotated[str, strawberry.argument(description="The domain, e.g. `cnn.com`.")],
    ) -> Provider | None:
        row = info.context.db.provider_by_domain(domain)
        return None if row is None else Provider.from_row(row)

    @strawberry.field(description="Topics, most articles first.")
    def topics(
        self, info: ContextInfo, first: First = None, after: After = None
    ) -> TopicConnection:
        return topic_connection(info, first, after)

    @strawberry.field(description="One topic by `slug` or `name` (case-insensitive); null if none.")
    def topic(
        self,
        info: ContextInfo,
        slug: Annotated[str | None, strawberry.argument(description="Its slug.")] = None,
        name: Annotated[str | None, strawberry.argument(description="Its name.")] = None,
    ) -> Topic | None:
        _one_of(slug=slug, name=name)
        row = info.context.db.topic_by(slug, name)
        return None if row is None else Topic.from_row(row)

    @strawberry.field(description="Every category with its number of articles, most first.")
    def categories(self, info: ContextInfo) -> list[FacetCount]:
        rows = info.context.db.facets(None, "categories", 1000)
        return [FacetCount.of(v) for v in unfiltered(rows, "categories")]

    @strawberry.field(description="Any object by its global id (Relay); null if none.")
    def node(
        self,
        info: ContextInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Node | None:
        type_name, key = decode_id(id)
        db = info.context.db
        if type_name == "Article" and key.isdigit():
            row = db.articles_by_id([int(key)]).get(int(key))
            return None if row is None else Article.from_row(row)
        if type_name == "Provider":
            prow = db.provider_by_domain(key)
            return None if prow is None else Provider.from_row(prow)
        if type_name == "Topic":
            trow = db.topic_by(key, None)
            return None if trow is None else Topic.from_row(trow)
        return None

    @strawberry.field(
        description=(
            "What changed since a content version (`contentInfo.version`, a connection's "
            "`contentVersion`, or the `version` of a previous feed): articles added and "
            "updated, ids removed, paginated, so a client or a search indexer refreshes "
            "incrementally. The last 1,000 changing loads are kept: an older `since` is a "
            "`BAD_USER_INPUT` that says to fetch everything again."
        )
    )
    def changes(
        self,
        info: ContextInfo,
        since: Annotated[
            int, strawberry.argument(description="The content version the client holds.")
        ],
        first: Annotated[
            int | None,
            strawberry.argument(
                description="At most this many changed articles on this page (default 100)."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="Start after this cursor (`pageInfo.endCursor`)."),
        ] = None,
    ) -> ChangeFeed:
        return change_feed(info, since, first, after)

    @strawberry.field(description="The content version and size, to tell whether data is current.")
    def content_info(self, info: ContextInfo) -> ContentInfo:
        found = info.context.db.content_info()
        return ContentInfo(
            version=found.version,
            loaded_at=as_datetime(found.loaded_at),
            article_count=found.article_count,
            digest=found.digest,
        )

    @strawberry.field(
        description=(
            "What is broken or missing in the content: refused files, unmatched related links, "
            "duplicate addresses, articles without images, provider or date, unnamed providers, "
            "topics outside the taxonomy. Only with the access token (`Authorization: Bearer "
            "...`); otherwise null with a FORBIDDEN error."
        )
    )
    def content_health(self, info: ContextInfo) -> ContentHealth | None:
        return content_health(info)


def provider_connection(
    info: ContextInfo, first: int | None, after: str | None
) -> ProviderConnection:
    """Resolve ``providers(first, after)``."""
    db = info.context.db
    page = fetch_ranked_page(
        info.context.limits, first, after, "providers", str, db.provider_page, lambda r: r.domain
    )
    nodes = [Provider.from_row(r) for r in page.rows]
    return ProviderConnection(
        edges=[ProviderEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo.of(page),
    )


def topic_connection(info: ContextInfo, first: int | None, after: str | None) -> TopicConnection:
    """Resolve ``topics(first, after)``."""
    db = info.context.db
    page = fetch_ranked_page(
        info.context.limits, first, after, "topics", int, db.topic_page, lambda r: r.id
    )
    nodes = [Topic.from_row(r) for r in page.rows]
    return TopicConnection(
        edges=[TopicEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo.of(page),
    )
