"""Global object ids (Relay ``Node.id``): opaque, stable across loads.

An id is the base64url of ``Type:key`` (the article's row id, the provider's
domain, the topic's slug). The API decodes them; the database renders them in
SQL too (the ``ng_id`` function), so the format lives here, below both.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from typing import Any

from core.errors import BadArgument


@lru_cache(maxsize=16384, typed=True)
def encode_id(type_name: str, key: Any) -> str:
    """A global object id (Relay ``Node.id``): opaque, stable across loads."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def decode_id(global_id: str) -> tuple[str, str]:
    """The (type name, key) of a global id; :class:`BadArgument` if it is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, key = base64.urlsafe_b64decode(padded.encode("ascii")).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeError):
        type_name, key = "", ""
    if not type_name or not key:
        raise BadArgument(f"{global_id!r} is not an id of this API; use an `id` field's value")
    return type_name, key
