"""The root ``Query`` type and the assembled schema.

``newsgraph export-schema`` prints :func:`export_sdl`; ``schema.graphql`` at
the project root is that output, and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from api.arguments import After, Before, Filter, First, Last, Order
from api.connections import (
    ArticleConnection,
    FacetCount,
    ProviderConnection,
    TopicConnection,
    article_connection,
    provider_connection,
    topic_connection,
)
from api.context import Context
from api.inputs import to_filter
from api.limits import cost_extension, validation_rules
from api.pagination import decode_id, encode_id
from api.scalars import SCALARS, DateTime, as_datetime
from api.types import Article, ContextInfo, Node, Provider, Topic
from db.reader import ReadPool
from newsgraph.config import Limits
from newsgraph.errors import BadArgument


@strawberry.type(description="The content version, so a client can tell whether it is current.")
class ContentInfo:
    version: int = strawberry.field(
        description="Goes up by one on every load that changed content."
    )
    loaded_at: DateTime | None = strawberry.field(description="When that load finished (UTC).")
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
            str | None, strawberry.argument(description="Its web URL or original URL.")
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
            row = db.article_by("web_url", value) or db.article_by("original_url", value)
        return None if row is None else Article.from_row(row)

    @strawberry.field(
        description=(
            "Articles: filtered, sorted (newest first by default; by relevance for a search) "
            "and paginated with cursors. `first`/`last` default to 20, at most 100."
        )
    )
    def articles(
        self,
        info: ContextInfo,
        filter: Filter = None,
        order_by: Order = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> ArticleConnection:
        return article_connection(info, filter, order_by, first, after, last, before)

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
        return [
            FacetCount(value=r.value, label=r.label, count=r.total)
            for r in info.context.db.facets(None, "categories", 1000)
        ]

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

    @strawberry.field(description="The content version and size, to tell whether data is current.")
    def content_info(self, info: ContextInfo) -> ContentInfo:
        found = info.context.db.content_info()
        return ContentInfo(
            version=found.version,
            loaded_at=as_datetime(found.loaded_at),
            article_count=found.article_count,
        )


@strawberry.type(description="What one content load changed.")
class ContentChange:
    version: int = strawberry.field(description="The content version after the change.")
    loaded_at: DateTime | None = strawberry.field(description="When the load finished (UTC).")
    added: list[strawberry.ID] = strawberry.field(description="Ids of articles added.")
    updated: list[strawberry.ID] = strawberry.field(description="Ids of articles changed.")
    removed: list[strawberry.ID] = strawberry.field(
        description="Ids of articles removed (not filtered: they no longer exist to test)."
    )


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description=(
            "Tells a live client when content changed: the new version and the ids added, "
            "updated and removed. With `filter`, only changes touching matching articles."
        )
    )
    async def content_changed(
        self, info: ContextInfo, filter: Filter = None
    ) -> AsyncGenerator[ContentChange, None]:
        ctx = info.context
        if ctx.feed is None or ctx.pool is None:
            raise BadArgument("subscriptions are served over WebSocket at /graphql")
        wanted = to_filter(filter)
        async for change in ctx.feed.changes():
            added, updated = change.added, change.updated
            if wanted is not None:
                session = await ctx.pool.acquire()
                try:
                    keep = session.matching_ids(wanted, (*added, *updated))
                finally:
                    ctx.pool.release(session)
                added = tuple(i for i in added if i in keep)
                updated = tuple(i for i in updated if i in keep)
                if not added and not updated and not change.removed:
                    continue
            yield ContentChange(
                version=change.version,
                loaded_at=as_datetime(change.loaded_at),
                added=[strawberry.ID(encode_id("Article", i)) for i in added],
                updated=[strawberry.ID(encode_id("Article", i)) for i in updated],
                removed=[strawberry.ID(encode_id("Article", i)) for i in change.removed],
            )


class DatabaseSession(SchemaExtension):
    """Open one read transaction around execution and close it when the result is ready.

    Subscriptions hold none open (a long read transaction stops WAL checkpoints);
    they read per event instead.
    """

    pool: ReadPool

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context.context
        if (
            not isinstance(ctx, Context)
            or self.execution_context.operation_type is OperationType.SUBSCRIPTION
        ):
            yield
            return
        ctx.session = await self.pool.acquire()
        try:
            yield
        finally:
            self.pool.release(ctx.session)
            ctx.session = None


class Schema(strawberry.Schema):
    """Strawberry's schema, logging only errors that are not the client's to fix."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # api.errors.format_error logs unexpected errors once, with an id the client sees
        return None


def build_schema(
    pool: ReadPool | None = None,
    limits: Limits | None = None,
    *,
    production: bool = False,
    extensions: list[Any] | None = None,
) -> strawberry.Schema:
    """The schema with its limits, bound to a pool of read connections (none for printing).

    In production, introspection is refused (a validation rule, so it costs nothing
    per request once the validation cache holds the document).
    """
    limits = limits or Limits()
    rules = validation_rules(limits)
    if production:
        rules = [*rules, NoSchemaIntrospectionCustomRule]
    bound: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ParserCache(maxsize=1024),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=1024),
        cost_extension(limits),
        *(extensions or []),
    ]
    if pool is not None:
        bound.append(type("BoundDatabaseSession", (DatabaseSession,), {"pool": pool}))
    return Schema(
        query=Query,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALARS),
        types=[Article, Provider, Topic],
        extensions=bound,
    )


def export_sdl() -> str:
    """The schema in GraphQL SDL, as committed in ``schema.graphql``."""
    return build_schema().as_str() + "\n"
