"""Custom scalars: ``DateTime`` as UTC ISO-8601 text, exactly as stored."""

from __future__ import annotations

import re
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

_PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?")


def _parse_period(value: Any) -> str:
    if not isinstance(value, str) or _PERIOD.fullmatch(value) is None:
        raise BadArgument(f"a Period is a year or a month like 2021 or 2021-02, got {value!r}")
    return value


Period = NewType("Period", str)
"""A year (``2021``) or a month (``2021-02``); registered in the schema's ``scalar_map``."""

PERIOD_SCALAR = strawberry.scalar(
    name="Period",
    description="A year (`2021`) or a month (`2021-02`), in UTC: an archive page's period.",
    serialize=lambda value: value,
    parse_value=_parse_period,
)

SCALARS: dict[object, ScalarDefinition] = {DateTime: DATETIME_SCALAR, Period: PERIOD_SCALAR}


def as_datetime(value: str | None) -> DateTime | None:
    """A stored timestamp (already UTC ISO-8601) as the scalar's type."""
    return None if value is None else DateTime(value)
