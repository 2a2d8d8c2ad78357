"""The ASGI application: routes, CORS, and the read pool's lifetime.

``/graphql`` is :class:`api.http.GraphQLEndpoint` (queries by GET and POST,
GraphiQL for a browser); ``/healthz`` says whether the database is readable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.http.cache import ResponseCache
from api.http.endpoint import GraphQLEndpoint
from api.http.live import ChangeFeed
from api.http.observe import Metrics, RequestLog, record_load
from api.http.replica import Replica
from api.http.sharing import CONTENT_VERSION
from api.schema.build import build_schema
from api.schema.context import Context
from core.clock import Clock, system_clock
from core.config import Settings
from core.errors import NewsgraphError
from core.records import LoadReport
from db import built
from db.reader import ReadPool

log = logging.getLogger("newsgraph.app")


def create_app(
    settings: Settings,
    pool: ReadPool | None = None,
    report: LoadReport | None = None,
    lines: RequestLog | None = None,
    clock: Clock = system_clock,
) -> Starlette:
    """The ASGI application for a database that exists (loaded beforehand).

    Request log lines go to ``lines`` when given (the server's batched writer),
    else to the ``newsgraph.request`` logger. ``clock`` tells requests the time
    (trending lists rank as of it, the publication window hides what is published
    after it); tests pass one of their own.
    """
    if settings.read_only:
        built.check(settings.db)  # a clear error at start, before serving anything
    pool = pool or ReadPool(
        settings.db,
        time_limit=settings.limits.sql_timeout,
        slow_workers=settings.limits.slow_workers,
        search_window=settings.limits.search_window,
        immutable=settings.read_only,
    )
    pool.show_future = settings.show_future
    pool.clock = clock
    schema = build_schema(pool, settings.limits, production=settings.production)
    metrics = Metrics()
    endpoint = GraphQLEndpoint(
        schema, settings, pool, ResponseCache(settings.cache_entries), metrics, lines, clock
    )
    if report is not None:
        record_load(metrics, report)

    async def metrics_endpoint(request: Request) -> Response:
        metrics.content_version.set(pool.content_version())
        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4")

    async def healthz(request: Request) -> Response:
        try:
            info = await pool.read(lambda session: session.content_info())
        except NewsgraphError as exc:
            return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
        return JSONResponse(
            {"status": "ok", "contentVersion": info.version, "articles": info.article_count}
        )

    feed = ChangeFeed(settings.db, pool=pool, clock=clock, immutable=settings.read_only)
    sockets = LiveView(schema, settings, pool, feed)
    replica = Replica(pool, feed)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        feed.poll()  # mark where the change log is now
        tasks = [asyncio.create_task(feed.run(), name="change-feed")]
        if lines is not None:
            tasks.append(asyncio.create_task(_flush_every(lines), name="request-log"))
        if settings.read_only:
            _reopen_on_sighup(replica, tasks)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if lines is not None:
                lines.close()
            feed.close()
            pool.close()

    cors: dict[str, Any] = {
        "allow_origins": list(settings.cors_origins),
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["Content-Type", "Authorization", "Accept"],
        "allow_credentials": False,
        "max_age": 600,
    }
    app = App(
        CORSMiddleware(endpoint, **cors),
        middleware=[Middleware(CORSMiddleware, **cors)],
        routes=[
            Route("/graphql", endpoint),
            WebSocketRoute("/graphql", sockets),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.cache = endpoint.cache
    app.state.metrics = metrics
    app.state.settings = settings
    app.state.feed = feed
    app.state.replica = replica
    return app


def _reopen_on_sighup(replica: Replica, tasks: list[asyncio.Task[Any]]) -> None:
    """``SIGHUP`` makes a read-only server switch to the file now at its path."""
    loop = asyncio.get_running_loop()

    def reopen() -> None:
        log.info("SIGHUP: reopening %s", replica.pool.path)
        tasks.append(loop.create_task(replica.reopen(), name="reopen"))

    try:
        loop.add_signal_handler(signal.SIGHUP, reopen)
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread (tests)
        log.info("SIGHUP cannot be handled here; restart the server to switch files")


class App(Starlette):
    """Starlette, with ``/graphql`` over HTTP handed straight to its endpoint.

    The endpoint answers every outcome itself (errors included), so the request
    skips Starlette's error and exception middleware and its router: about a
    tenth of a quick request. CORS applies as to every other route.
    """

    def __init__(self, graphql: ASGIApp, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
        elif scope["path"] == "/graphql":
            scope["app"] = self
            if scope["method"] == "OPTIONS":  # a CORS preflight, answered before the endpoint
                send = self._naming_the_content(send)
            await self.graphql(scope, receive, send)  # it names its content version itself
        else:
            await super().__call__(scope, receive, self._naming_the_content(send))

    def _naming_the_content(self, send: Send) -> Send:
        """``send``, adding the ``X-Content-Version`` header to the response."""
        pool: ReadPool = self.state.pool

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                try:
                    digest = pool.content_digest()
                except NewsgraphError:  # the database is unreadable: /healthz says so
                    digest = ""
                headers = list(message.get("headers", []))
                headers.append((CONTENT_VERSION.lower().encode(), digest.encode()))
                message = {**message, "headers": headers}
            await send(message)

        return sending


async def _flush_every(lines: RequestLog) -> None:
    """Write buffered request lines while the server is idle, too."""
    while True:
        await asyncio.sleep(lines.interval)
        lines.flush()


class LiveView(GraphQL[Context, None]):
    """Strawberry's WebSocket transport (graphql-transport-ws) for subscriptions."""

    def __init__(
        self, schema: Schema, settings: Settings, pool: ReadPool, feed: ChangeFeed
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.pool = pool
        self.feed = feed

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(limits=self.settings.limits, live=True, pool=self.pool, feed=self.feed)
