"""Reading a GraphQL request over HTTP, per the GraphQL-over-HTTP specification.

One endpoint serves ``/graphql``:

* ``GET`` with ``Accept: text/html`` (and no ``query``) returns GraphiQL
  (not in production mode); ``GET`` with ``query`` runs a *query* only
  (a mutation or subscription by GET is ``405``).
* ``POST`` takes ``application/json`` only: form posts and other media types
  are ``415`` (they are what a cross-site form can send: no CSRF). A JSON array
  body (batching) is ``400``. The body is capped (``413``), counting the bytes
  actually streamed, not only ``Content-Length``.
* The response is ``application/graphql-response+json`` when the client
  accepts it, with ``400`` and no ``data`` key when the request failed before
  execution (parse, validation, limits); otherwise ``application/json`` and
  ``200`` as before the specification. An ``Accept`` we cannot serve is ``406``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class HTTPProblem(Exception):
    """A request refused at the HTTP level, with the status and a plain reason."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """The parameters of one GraphQL request, from a query string or a JSON body."""

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header, or :class:`HTTPProblem` 406."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for index, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            choice = GRAPHQL_RESPONSE
        elif media in (JSON, "application/*", "*/*"):
            choice = JSON
        else:
            continue
        rank = (quality, -index, choice)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is None:
        raise HTTPProblem(
            406, f"cannot answer with {accept!r}; accept {GRAPHQL_RESPONSE} or {JSON}"
        )
    return best[2]


def _json_object(raw: str | None, name: str) -> dict[str, Any] | None:
    if raw is None or raw == "":
        return None
    try:
        value = _loads(raw)
    except ValueError:
        raise HTTPProblem(400, f"`{name}` is not valid JSON") from None
    return _object_or_none(value, name)


def _object_or_none(value: Any, name: str) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise HTTPProblem(400, f"`{name}` must be a JSON object")
    return value


def from_query_string(request: Request) -> GraphQLRequest:
    """Parameters of a GET request."""
    params = request.query_params
    return GraphQLRequest(
        query=params.get("query"),
        variables=_json_object(params.get("variables"), "variables"),
        operation_name=params.get("operationName") or None,
        extensions=_json_object(params.get("extensions"), "extensions"),
    )


def _loads(raw: str | bytes) -> Any:
    """Parse JSON; raise ValueError for anything that is not JSON.

    No value comes out as NaN or infinity (``1e999`` included), so that the
    canonical JSON of variables in a cache key is never ambiguous.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:  # what orjson refuses but JSON allows, e.g. 1e999
        return json.loads(raw, parse_constant=_not_json, parse_float=_finite)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large for a JSON number here")
    return value


def _not_json(constant: str) -> Any:
    """NaN and Infinity are not JSON (RFC 8259); the standard parser would accept them."""
    raise ValueError(f"{constant} is not a JSON value")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPProblem(413, f"the request body is over {limit:,} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPProblem(413, f"the request body is over {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def from_body(request: Request, limit: int) -> GraphQLRequest:
    """Parameters of a POST request with a JSON body."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != JSON:
        raise HTTPProblem(
            415, f"POST needs Content-Type: {JSON} (got {media or 'none'})", {"Accept-Post": JSON}
        )
    raw = await read_body(request, limit)
    try:
        body = _loads(raw)
    except ValueError:
        raise HTTPProblem(400, "the request body is not valid JSON") from None
    if isinstance(body, list):
        raise HTTPProblem(400, "batched requests (a JSON array) are not supported; send one")
    if not isinstance(body, dict):
        raise HTTPProblem(400, "the request body must be a JSON object with a `query`")
    query = body.get("query")
    operation = body.get("operationName")
    if query is not None and not isinstance(query, str):
        raise HTTPProblem(400, "`query` must be a string")
    if operation is not None and not isinstance(operation, str):
        raise HTTPProblem(400, "`operationName` must be a string")
    variables = _object_or_none(body.get("variables"), "variables")
    extensions = _object_or_none(body.get("extensions"), "extensions")
    return GraphQLRequest(query, variables, operation, extensions)
