"""Opaque keyset cursors and Relay paging arguments.

A cursor encodes the sort it belongs to, the sort key's value (a list of values
for an order of several keys, or a trending list's score and ``asOf``) and the
id of the row; the next page starts strictly after that (value, id) pair. Page
1,000 therefore costs what page 1 costs, and an article added meanwhile does
not shift pages already read. A cursor from another sort (or not ours at all)
is refused with a message saying what to do.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from core.errors import BadArgument, BadCursor

_PREFIX = "ng1"


@lru_cache(maxsize=16384, typed=True)  # a feed's newest pages are asked for over and over
def encode_cursor(kind: str, value: Any, key: Any) -> str:
    """An opaque cursor for the row ``key`` whose sort value is ``value``."""
    raw = orjson.dumps([_PREFIX, kind, value, key])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str, kind: str, value_types: tuple[type, ...], key_type: type
) -> tuple[Any, Any]:
    """The (value, key) pair of a cursor issued for ``kind``; :class:`BadCursor` otherwise."""
    value, key = _decode(cursor, kind)
    if not _is(value, value_types) or not isinstance(key, key_type) or isinstance(key, bool):
        raise BadCursor(DAMAGED)
    return value, key


def decode_values(
    cursor: str, kind: str, value_types: tuple[tuple[type, ...], ...], key_type: type
) -> tuple[tuple[Any, ...], Any]:
    """The (values, key) pair of a cursor with one value per ``value_types`` entry."""
    value, key = _decode(cursor, kind)
    if (
        not isinstance(value, list)
        or len(value) != len(value_types)
        or not all(_is(v, types) for v, types in zip(value, value_types, strict=False))
        or not isinstance(key, key_type)
        or isinstance(key, bool)
    ):
        raise BadCursor(DAMAGED)
    return tuple(value), key


DAMAGED = "this cursor is damaged; start again without a cursor"


def _is(value: Any, types: tuple[type, ...]) -> bool:
    return isinstance(value, types) and not isinstance(value, bool)


def _decode(cursor: str, kind: str) -> tuple[Any, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise BadCursor(
            "this cursor is malformed; pass a cursor exactly as returned in `edges.cursor` "
            "or `pageInfo.endCursor`"
        ) from None
    if not (isinstance(decoded, list) and len(decoded) == 4 and decoded[0] == _PREFIX):
        raise BadCursor("this cursor was not issued by this API; use a cursor from a page of ours")
    _, cursor_kind, value, key = decoded
    if cursor_kind != kind:
        raise BadCursor(
            f"this cursor belongs to a list sorted by {cursor_kind}, not {kind}; "
            "keep the same orderBy while paging, or start again without a cursor"
        )
    return value, key


@dataclass(frozen=True, slots=True)
class Page:
    """Resolved paging arguments: how many, from where, in which direction."""

    size: int
    cursor: str | None
    backward: bool


def page_args(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    *,
    default: int,
    maximum: int,
) -> Page:
    """Check Relay paging arguments; errors say which value to change."""
    if first is not None and last is not None:
        raise BadArgument("pass either `first` (forward) or `last` (backward), not both")
    if after is not None and before is not None:
        raise BadArgument("pass either `after` or `before`, not both")
    if last is not None or before is not None:
        if after is not None or first is not None:
            raise BadArgument(
                "page backward with `last` and `before`, forward with `first` and `after`"
            )
        size = default if last is None else last
        name = "last"
        backward = True
        cursor = before
    else:
        size = default if first is None else first
        name = "first"
        backward = False
        cursor = after
    if not 1 <= size <= maximum:
        raise BadArgument(
            f"`{name}` must be between 1 and {maximum}, got {size}; "
            f"ask for at most {maximum} and page on with the cursor"
        )
    return Page(size=size, cursor=cursor, backward=backward)


def check_first(first: int | None, maximum: int, name: str = "first") -> int | None:
    """Validate a nested list's ``first`` argument."""
    if first is not None and not 1 <= first <= maximum:
        raise BadArgument(f"`{name}` must be between 1 and {maximum}, got {first}")
    return first
