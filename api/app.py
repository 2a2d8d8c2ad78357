"""The HTTP layer: Starlette routes around Strawberry's ASGI GraphQL view.

``/graphql`` answers queries by POST (JSON) and GET, and serves GraphiQL to a
browser; ``/healthz`` says whether the database is readable. The read pool
opens with the app's lifespan and closes with it.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api.context import Context
from api.errors import format_error
from api.schema import build_schema
from db.reader import ReadPool
from newsgraph.config import Settings
from newsgraph.errors import NewsgraphError

log = logging.getLogger("newsgraph.app")


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context and error formatting."""

    def __init__(self, settings: Settings, pool: ReadPool) -> None:
        self.settings = settings
        super().__init__(
            build_schema(pool, settings.limits),
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=True,
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(limits=self.settings.limits, authorized=self._authorized(request))

    def _authorized(self, request: Request | WebSocket) -> bool:
        token = self.settings.access_token
        if not token:
            return False
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response: dict[str, Any] = {"data": result.data}
        if result.errors:
            response["errors"] = [
                format_error(e, production=self.settings.production) for e in result.errors
            ]
        if result.extensions:
            response["extensions"] = result.extensions
        return response  # type: ignore[return-value]


def create_app(settings: Settings, pool: ReadPool | None = None) -> Starlette:
    """The ASGI application for a database that exists (loaded beforehand)."""
    pool = pool or ReadPool(settings.db, time_limit=settings.limits.sql_timeout)
    view = GraphQLView(settings, pool)

    async def healthz(request: Request) -> Response:
        try:
            session = await pool.acquire()
        except NewsgraphError as exc:
            return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
        try:
            info = session.content_info()
        except NewsgraphError as exc:
            return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
        finally:
            pool.release(session)
        return JSONResponse(
            {"status": "ok", "contentVersion": info.version, "articles": info.article_count}
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        pool.close()

    app = Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.settings = settings
    return app
