"""Custom scalars: ``DateTime`` as UTC ISO-8601 text, exactly as stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from core.errors import BadArgument


def _parse_datetime(value: Any) -> str:
    if not isinstance(value, str):
        raise BadArgument("a DateTime must be a string like 2021-02-04T12:52:00Z")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadArgument(
            f"{value!r} is not a DateTime; write it like 2021-02-04T12:52:00Z or 2021-02-04"
        ) from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return moment.strftime(fmt)


DateTime = NewType("DateTime", str)
"""A UTC timestamp as ISO-8601 text; registered in the schema's ``scalar_map``."""

DATETIME_SCALAR = strawberry.scalar(
    name="DateTime",
    description=(
        "A point in time, in UTC, as ISO-8601 text (`2021-02-04T12:52:00Z`). As input, an "
        "offset (`+02:00`) is converted to UTC and a value without one is taken as UTC."
    ),
    serialize=lambda value: value,
    parse_value=_parse_datetime,
)

SCALARS: dict[object, ScalarDefinition] = {DateTime: DATETIME_SCALAR}


def as_datetime(value: str | None) -> DateTime | None:
    """A stored timestamp (already UTC ISO-8601) as the scalar's type."""
    return None if value is None else DateTime(value)
