"""Turn execution errors into GraphQL error objects: the one place that does it.

Errors we raise on purpose (:class:`core.errors.QueryError`) keep their
message and get ``extensions.code``. Parse and validation errors keep
graphql-core's message and get a code. Anything else is a bug or an outage:
the client gets a generic message with an id, and the log gets the traceback
under that id. No stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from graphql import GraphQLError

from core.errors import QueryError

log = logging.getLogger("core.errors")


def format_error(error: GraphQLError, *, production: bool = False) -> dict[str, Any]:
    """A spec-shaped error (message, locations, path, extensions.code)."""
    formatted: dict[str, Any] = {"message": error.message}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    if error.path is not None:
        formatted["path"] = list(error.path)
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    extensions = dict(error.extensions or {})
    if isinstance(original, QueryError):
        extensions["code"] = original.code
    elif original is None or isinstance(original, GraphQLError):
        if "Document contains more than" in error.message:
            extensions.setdefault("code", "QUERY_TOO_COMPLEX")
        elif error.message.startswith("Syntax Error"):
            extensions.setdefault("code", "GRAPHQL_PARSE_FAILED")
        else:
            extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED")
        if production and "Did you mean" in error.message:
            formatted["message"] = error.message.split(" Did you mean")[0]
    else:
        error_id = uuid.uuid4().hex[:12]
        log.error("internal error %s at %s", error_id, error.path, exc_info=original)
        formatted["message"] = f"Internal server error (id {error_id}); it has been logged."
        extensions = {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id}
    formatted["extensions"] = extensions
    return formatted
