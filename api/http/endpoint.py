"""The ``/graphql`` endpoint: a GraphQL request in, a response out, through the caches.

A request is read and negotiated (:mod:`api.http.request`), answered from the
response cache when it can be, else by a compiled plan (:mod:`api.plans`) when
the document has one, else by Strawberry's reference executor; a document the
reference executor answered cleanly is compiled for next time.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections import OrderedDict
from typing import Any

import orjson
from graphql import GraphQLError, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from strawberry import Schema
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.http.cache import Cached, Epoch, ResponseCache, make_key
from api.http.errors import format_error
from api.http.graphiql import graphiql_html
from api.http.observe import Metrics, RequestLog, RequestRecord, finish
from api.http.persisted import NOT_FOUND, PersistedQueries, PersistedQueryError
from api.http.request import (
    GRAPHQL_RESPONSE,
    GraphQLRequest,
    HTTPProblem,
    from_body,
    from_query_string,
    negotiate,
)
from api.http.sharing import CONTENT_VERSION, SharedCachePolicy, cache_headers
from api.plans.compile import Plan, compile_plan
from api.plans.tree import Fallback
from api.schema.context import Context
from core.clock import Clock, Now, system_clock
from core.config import Settings
from core.errors import Overloaded
from db.reader import ReadPool, Session
from db.session import SlowWork

MAX_BODY_BYTES = 100 * 1024
MAX_PLANS = 1024


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "query" not in request.query_params


class GraphQLEndpoint:
    """The ASGI endpoint for ``/graphql`` (queries over HTTP)."""

    def __init__(
        self,
        schema: Schema,
        settings: Settings,
        pool: ReadPool,
        cache: ResponseCache | None = None,
        metrics: Metrics | None = None,
        lines: RequestLog | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.schema = schema
        self.clock = clock
        self.lines = lines
        self.settings = settings
        self.pool = pool
        self.cache = cache if cache is not None else ResponseCache()
        self.persisted = PersistedQueries()
        self.metrics = metrics if metrics is not None else Metrics()
        self.plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        self.compiled = settings.compiled
        self.ide_html = None if settings.production else graphiql_html()
        self.sharing = SharedCachePolicy(settings.shared_max_age, settings.stale_while_revalidate)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        record = RequestRecord()
        state = self.pool.content_state()
        try:
            response = await self.handle(request, record, state)
        except Overloaded as exc:
            response = JSONResponse(
                {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]},
                status_code=503,
                headers={"Retry-After": "1"},
            )
        except HTTPProblem as problem:
            response = JSONResponse(
                {"errors": [{"message": problem.message}]},
                status_code=problem.status,
                headers=problem.headers,
            )
        record.status = response.status_code
        response.headers[CONTENT_VERSION] = state[1]
        if request.method == "GET" and "cache-control" not in response.headers:
            response.headers.update(
                cache_headers(
                    self.sharing, kept=False, persisted=False,
                    token_sent="authorization" in request.headers,
                )
            )  # fmt: skip
        await response(scope, receive, send)
        finish(record, self.metrics, self.settings.log_format == "json", self.lines)

    async def handle(
        self, request: Request, record: RequestRecord, state: tuple[int, str]
    ) -> Response:
        """The response to one request, given the content state it started at."""
        if request.method == "GET" and _wants_html(request):
            if self.ide_html is None:
                raise HTTPProblem(404, "GraphiQL is off in production mode")
            record.executor = "graphiql"
            return HTMLResponse(self.ide_html)
        media = negotiate(request.headers.get("accept"))
        if request.method == "GET":
            params = from_query_string(request)
            allowed = {OperationType.QUERY}
        elif request.method == "POST":
            params = await from_body(request, MAX_BODY_BYTES)
            allowed = {OperationType.QUERY}
        else:
            raise HTTPProblem(405, "use GET or POST", {"Allow": "GET, POST"})
        try:
            document = self.persisted.resolve(params.query, params.extensions)
        except PersistedQueryError as exc:
            raise HTTPProblem(400, str(exc)) from exc
        if document is None and "persistedQuery" in (params.extensions or {}):
            not_found = {"message": NOT_FOUND, "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
            return Response(encode({"errors": [not_found]}), media_type=media)
        persisted = request.method == "GET" and "persistedQuery" in (params.extensions or {})
        if document != params.query:
            params = GraphQLRequest(document, params.variables, params.operation_name, None)
        if not params.query:
            raise HTTPProblem(400, "no GraphQL query found: send `query`")
        record.operation = params.operation_name or _operation_name(params.query)
        authorized = self._authorized(request)
        now = Now(self.clock)  # an answer that reads its timestamp depends on it: not cached
        version = self.pool.epoch(now)  # the cache ends at the next scheduled publication
        self.cache.follow(version, state[1])
        key = make_key(params.query, params.variables, params.operation_name, authorized)
        cached = self.cache.get(key)
        if cached is not None:
            record.cache = "hit"
            return self.cached_response(request, cached, media, persisted)
        plan_key = (params.query, params.operation_name)
        plan = self.plans.get(plan_key)
        if plan is None and plan_key in self.plans:
            record.fallback = "uncompilable"
        elif plan is not None:
            body = await self.run_plan(plan, params, authorized, record, now)
            if body is None:
                record.fallback = "runtime"
            else:
                record.executor = "compiled"
                if self._follows(version, state) and not now.read:
                    return self.cached_response(
                        request, self.cache.put(key, body), media, persisted
                    )
                return Response(body, media_type=media)
        record.executor = "reference"
        record.background = True
        try:
            result = await self.pool.in_background(
                lambda session: self.execute_reference(params, authorized, allowed, session, now)
            )
        except InvalidOperationTypeError as exc:
            if request.method == "GET":
                raise HTTPProblem(
                    405,
                    f"a {exc.operation_type.value} cannot be sent by GET; use POST",
                    {"Allow": "POST"},
                ) from exc
            raise HTTPProblem(
                400, f"{exc.operation_type.value} operations are not served over HTTP"
            ) from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPProblem(
                400, f"no operation named {exc.operation_name!r} in the document"
            ) from exc
        except MissingQueryError as exc:
            raise HTTPProblem(400, "no GraphQL query found: send `query`") from exc
        if self.compiled and not result.errors and plan_key not in self.plans:
            self.remember_plan(plan_key)
        response = self.respond(result, media, record)
        if (
            not result.errors
            and response.status_code == 200
            and self._follows(version, state)
            and not now.read
        ):
            entry = self.cache.put(key, bytes(response.body))
            return self.cached_response(request, entry, media, persisted)
        return response

    async def run_plan(
        self, plan: Plan, params: GraphQLRequest, authorized: bool, record: RequestRecord,
        now: Now,
    ) -> bytes | None:  # fmt: skip
        """The response body of a compiled plan, or None to use the reference executor.

        Quick requests run right here on the event loop; a request whose cost (without
        its counts and facets, which move it themselves when not cached) is over
        ``loop_cost``, or that meets a slow read, runs in a background worker.
        """
        limits = self.settings.limits
        try:
            prepared = plan.prepare(limits, params.variables)
        except Fallback:
            return None

        def work(session: Session) -> bytes | None:
            session.now = now  # the instant the cache's epoch was read at
            try:
                data = plan.execute(session, limits, prepared, authorized, now)
                return encode({"data": data})
            except Fallback:
                return None

        if prepared.loop_cost <= limits.loop_cost:
            session = await self.pool.acquire()
            try:
                return work(session)
            except SlowWork:
                pass
            finally:
                self.pool.release(session)
        record.background = True  # heavy, or it met a slow read: run it again off the loop
        return await self.pool.in_background(work)

    def execute_reference(
        self, params: GraphQLRequest, authorized: bool, allowed: set[OperationType],
        session: Session, now: Now,
    ) -> ExecutionResult:  # fmt: skip
        """Strawberry's executor on its own event loop, in a background worker's session."""
        session.now = now
        context = Context(
            limits=self.settings.limits, authorized=authorized, session=session, now=now
        )
        return asyncio.run(
            self.schema.execute(
                params.query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=params.extensions,
            )
        )

    def remember_plan(self, plan_key: tuple[str, str | None]) -> None:
        """Compile a document that the reference executor answered without errors."""
        try:
            document = parse(plan_key[0])
        except GraphQLError:
            return
        self.plans[plan_key] = compile_plan(self.schema._schema, document, plan_key[1])
        while len(self.plans) > MAX_PLANS:
            self.plans.popitem(last=False)

    def _follows(self, epoch: Epoch, state: tuple[int, str]) -> bool:
        """Whether the response cache still holds the epoch and content the request began
        with (a load, a publication due or a replica's switch since then: not)."""
        return self.cache.version == epoch and self.cache.digest == state[1]

    def cached_response(
        self, request: Request, entry: Cached, media: str, persisted: bool
    ) -> Response:
        """A stored response; GET gets an ETag and its caching headers
        (:func:`api.http.sharing.cache_headers`), and 304 when the client has it already."""
        if request.method != "GET":
            return Response(entry.body, media_type=media)
        headers = {
            "ETag": entry.etag,
            **cache_headers(
                self.sharing, kept=True, persisted=persisted,
                token_sent="authorization" in request.headers,
            ),
        }  # fmt: skip
        if entry.etag in _etags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=headers)
        return Response(entry.body, media_type=media, headers=headers)

    def respond(
        self, result: ExecutionResult, media: str, record: RequestRecord | None = None
    ) -> Response:
        """Serialize a result with the status the negotiated media type calls for."""
        errors = result.errors or []
        payload: dict[str, Any] = {}
        request_error = result.data is None and errors and all(_before_execution(e) for e in errors)
        if not request_error:
            payload["data"] = result.data
        if errors:
            payload["errors"] = [
                format_error(e, production=self.settings.production) for e in errors
            ]
            if record is not None:
                record.errors = [e["extensions"].get("code", "") for e in payload["errors"]]
        if result.extensions:
            payload["extensions"] = result.extensions
        status = 400 if request_error and media == GRAPHQL_RESPONSE else 200
        return Response(encode(payload), status_code=status, media_type=media)

    def _authorized(self, request: Request) -> bool:
        token = self.settings.access_token
        if not token:
            return False
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and _same(given.strip(), token)


def encode(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, keys in insertion order (the order GraphQL specifies)."""
    return orjson.dumps(payload)


_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")


def _operation_name(query: str) -> str | None:
    """The first operation's name, for logs and metrics (no full parse)."""
    found = _OPERATION.search(query[:2000])
    return found.group(1) if found else None


def _etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def _before_execution(error: GraphQLError) -> bool:
    """Parse, validation and limit errors carry no response path."""
    return error.path is None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
