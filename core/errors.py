"""The one error hierarchy of newsgraph.

Every error we raise on purpose derives from :class:`NewsgraphError` and says
what went wrong *and* what to do about it. Library errors (YAML, SQLite) are
translated at the layer boundary with ``raise ... from exc``; they never reach
a user or an API client raw.

    NewsgraphError
    ├── ContentError        a content file was refused (path, line, reason)
    ├── DatabaseError       the SQLite file cannot be opened, migrated or written
    ├── ConfigError         a setting has a value we cannot use
    └── QueryError          a GraphQL request asked for something we refuse
        ├── BadArgument         an argument value is out of range or malformed
        ├── BadCursor           a pagination cursor is malformed or foreign
        ├── BadSearch           full-text search syntax SQLite cannot parse
        ├── Forbidden           the field needs the operator's access token
        ├── QueryTooComplex     a depth / alias / cost limit was exceeded
        ├── QueryTimeout        the SQL work took longer than the time limit
        └── Overloaded          too many slow requests wait already; retry soon
"""

from __future__ import annotations

from pathlib import PurePath


class NewsgraphError(Exception):
    """Base of every error newsgraph raises on purpose."""


class ContentError(NewsgraphError):
    """A content file that cannot be loaded; the rest of the load goes on."""

    def __init__(self, path: str | PurePath, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class DatabaseError(NewsgraphError):
    """The database file cannot be opened, migrated or written."""


class ConfigError(NewsgraphError):
    """A configuration value (flag or environment variable) is unusable."""


class QueryError(NewsgraphError):
    """An error shown to a GraphQL client, with a machine-readable code."""

    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class BadArgument(QueryError):
    """An argument value is out of range or malformed."""

    code = "BAD_USER_INPUT"


class BadCursor(QueryError):
    """A pagination cursor that this server did not issue for this sort."""

    code = "BAD_CURSOR"


class BadSearch(QueryError):
    """Full-text search syntax that SQLite's FTS5 cannot parse."""

    code = "BAD_SEARCH"


class Forbidden(QueryError):
    """The field needs the operator's access token."""

    code = "FORBIDDEN"


class QueryTooComplex(QueryError):
    """A depth, alias, token, directive or cost limit was exceeded."""

    code = "QUERY_TOO_COMPLEX"


class QueryTimeout(QueryError):
    """The SQL work of one request ran past the time limit."""

    code = "TIMEOUT"


class Overloaded(QueryError):
    """Too many slow requests are waiting for a background worker; retry in a moment."""

    code = "SERVER_BUSY"
