"""YAML written by hand in the corpus's style (``yaml.dump`` is slow and styles differently).

Strings are plain where the real files have them plain (names, domains, topics),
double-quoted otherwise, with quotes, backslashes and control characters escaped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_ESCAPES = {chr(c): f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_ESCAPES |= {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x85": "\\N"}
_ESCAPES |= {"\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF", "\ufffe": "\\uFFFE"}
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .&+’'-]*[A-Za-z0-9.]\Z")
_RESERVED = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null"))
_PLAIN_KEYS = frozenset(
    ("category", "type", "name", "domain", "taxonomy", "_id", "parent", "shortname")
)
_EMPTY = {dict: "{}", list: "[]"}
ITEM_GROUPS = frozenset(("featuredContent", "provider", "topics", "images", "related", "secured"))


def quote(text: str) -> str:
    """A YAML double-quoted scalar for any string (quotes, backslashes, controls escaped)."""
    return f'"{_NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)}"'


def _scalar(value: Any, plain: bool = False) -> str:
    kind = value.__class__
    if kind is str:
        if plain and _PLAIN.match(value) and value.lower() not in _RESERVED:
            return str(value)
        if value.isprintable() and '"' not in value and "\\" not in value:  # usual, fast
            return f'"{value}"'
        return quote(value)
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, datetime):
        return f"{(value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()[:19]}Z"
    return str(int(value))


def _lines(out: list[str], data: dict[str, Any], pad: str, groups: frozenset[str]) -> None:
    for key, value in data.items():
        kind = value.__class__
        if key in groups:
            out.append("")
        if kind is dict and value:
            out.append(f"{pad}{key}:")
            _lines(out, value, pad + "  ", frozenset())
        elif kind is list and value:
            out.append(f"{pad}{key}:")
            inner, plain = pad + "    ", key in _PLAIN_KEYS or key in ("topics", "keywords")
            for v in value:
                if v.__class__ is dict and v:
                    first = len(out)
                    _lines(out, v, inner, frozenset())
                    out[first] = f"{pad}  - {out[first][len(inner) :]}"
                else:
                    out.append(f"{pad}  - {_scalar(v, plain)}")
        else:
            empty = _EMPTY.get(kind)  # only reached by an empty dict or list
            out.append(f"{pad}{key}: {empty or _scalar(value, key in _PLAIN_KEYS)}")


def to_yaml(data: dict[str, Any], groups: frozenset[str] = frozenset()) -> str:
    """Block-style YAML for ``data``; a blank line goes before each key in ``groups``."""
    out: list[str] = []
    _lines(out, data, "", groups)
    return "\n".join(out) + "\n"
