"""The assembled schema: root types, limits, caches and the read session per request.

``newsgraph export-schema`` prints :func:`export_sdl`; ``schema.graphql`` at
the project root is that output, and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

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

from api.schema.context import Context
from api.schema.limits import cost_extension, validation_rules
from api.schema.query import Query
from api.schema.scalars import SCALARS
from api.schema.subscription import Subscription
from api.schema.types import Article, Provider, Topic
from core.config import Limits
from db.reader import ReadPool


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
            or ctx.session is not None  # opened by the caller (a background worker)
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
        # api.http.errors.format_error logs unexpected errors once, with an id the client sees
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
