"""The ASGI application: routes, CORS, and the read pool's lifetime.

``/graphql`` is :class:`api.http.GraphQLEndpoint` (queries by GET and POST,
GraphiQL for a browser); ``/healthz`` says whether the database is readable.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.cache import ResponseCache
from api.http import GraphQLEndpoint
from api.observe import Metrics, record_load
from api.schema import build_schema
from db.reader import ReadPool
from loaders.records import LoadReport
from newsgraph.config import Settings
from newsgraph.errors import NewsgraphError

log = logging.getLogger("newsgraph.app")


def create_app(
    settings: Settings, pool: ReadPool | None = None, report: LoadReport | None = None
) -> Starlette:
    """The ASGI application for a database that exists (loaded beforehand)."""
    pool = pool or ReadPool(settings.db, time_limit=settings.limits.sql_timeout)
    schema = build_schema(pool, settings.limits, production=settings.production)
    metrics = Metrics()
    endpoint = GraphQLEndpoint(
        schema, settings, pool, ResponseCache(settings.cache_entries), metrics
    )
    if report is not None:
        record_load(metrics, report)

    async def metrics_endpoint(request: Request) -> Response:
        metrics.content_version.set(pool.content_version())
        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4")

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

    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization", "Accept"],
            allow_credentials=False,
            max_age=600,
        )
    ]
    app = Starlette(
        middleware=middleware,
        routes=[
            Route("/graphql", endpoint),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.cache = endpoint.cache
    app.state.metrics = metrics
    app.state.settings = settings
    return app
