"""Split a content file into YAML front matter and a Markdown body, safely.

A content file starts with a line ``---``, then YAML, then a line ``---`` (or
``...``), then the body. We accept a UTF-8 byte-order mark and CRLF line ends.
YAML is parsed from libyaml's events when it uses only plain shapes (see
:mod:`loaders.yamlfast`), else with PyYAML's C safe loader when present (safe
loading only), and aliases (``*name``) are refused before construction: a few hundred bytes
of aliases can describe millions of nodes ("billion laughs") or a recursive
structure, and front matter never needs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from core.errors import ContentError
from loaders import yamlfast

try:  # the C loader is ~10x faster; fall back to the pure-Python one without libyaml
    _SafeLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _SafeLoader = yaml.SafeLoader

MAX_FILE_BYTES = 1024 * 1024
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_NESTING = 32

_OPEN = re.compile(r"\A---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_CLOSE_AT = re.compile(r"(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Parsed:
    """Front matter as a mapping, the body text, and where the YAML started."""

    data: dict[str, Any]
    body: str
    yaml_line: int
    source: str = ""

    def line_of(self, key: str) -> int | None:
        """The file line where a top-level ``key:`` is written, if it is."""
        match = re.search(rf"^{re.escape(key)}[ \t]*:", self.source, re.MULTILINE)
        if match is None:
            return None
        return self.yaml_line + self.source.count("\n", 0, match.start())


def decode(path: str, raw: bytes, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Decode file bytes as UTF-8, refusing oversized and binary files."""
    if len(raw) > max_bytes:
        raise ContentError(
            path, f"file is {len(raw):,} bytes, over the {max_bytes:,}-byte limit for one item"
        )
    if b"\x00" in raw[:8192]:
        raise ContentError(path, "binary file (contains NUL bytes), not a Markdown news item")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line
        ) from exc
    return text.removeprefix("\ufeff")


def split(path: str, text: str, max_front_matter: int = MAX_FRONT_MATTER_BYTES) -> Parsed:
    """Split and parse one decoded file; raise :class:`ContentError` with a line."""
    opening = _OPEN.match(text)
    if opening is None:
        raise ContentError(path, "no YAML front matter: the file must start with a line '---'", 1)
    closing = closing_line(text, opening.end())
    if closing is None:
        raise ContentError(path, "front matter is not closed: add a line '---' after it", 1)
    source = text[opening.end() : closing.start()]
    if len(source.encode("utf-8")) > max_front_matter:
        raise ContentError(path, f"front matter is over the {max_front_matter:,}-byte limit", 2)
    body = text[closing.end() :]
    body = body[1:] if body.startswith("\n") else body
    try:  # the common, plain case, built straight from libyaml's events
        data = yamlfast.load(source, MAX_NESTING)
        deep = False
    except yamlfast.Unsupported:  # the reference loader, its errors and our checks
        data = parse_yaml(path, source, first_line=2)
        deep = nesting(data) > MAX_NESTING
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            path, f"front matter must be a mapping of keys to values, not a {_kind(data)}", 2
        )
    if deep:
        raise ContentError(
            path, f"front matter nests more than {MAX_NESTING} levels deep; flatten it", 2
        )
    return Parsed(data=data, body=body.replace("\r\n", "\n"), yaml_line=2, source=source)


def closing_line(text: str, start: int) -> re.Match[str] | None:
    """The first line from ``start`` (a line start) that is ``---`` or ``...``.

    What ``_CLOSE.search(text, start)`` finds, without running a regular
    expression over every line: only places where a marker begins a line are
    tried, and ``...`` (common inside excerpts) only before the first ``---``.
    """
    found = None
    for marker in ("---", "..."):
        pos = start
        end = found.start() if found is not None else len(text)
        while (i := text.find(marker, pos, end)) >= 0:
            if i == start or text[i - 1] == "\n":
                match = _CLOSE_AT.match(text, i)
                if match is not None:
                    found = match
                    break
            pos = i + 1
    return found


def parse_yaml(path: str, source: str, first_line: int = 1) -> Any:
    """Parse YAML safely; aliases and parse errors become a :class:`ContentError`."""
    if "*" in source:
        _refuse_aliases(path, source, first_line)
    try:
        return yaml.load(source, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else None
        reason = exc.problem or exc.context or "cannot parse"
        if "nesting depth" in reason:
            raise ContentError(path, "front matter nests too deeply; flatten it", line) from exc
        raise ContentError(path, f"malformed YAML: {reason}", line) from exc
    except yaml.YAMLError as exc:
        raise ContentError(path, f"malformed YAML: {exc}", first_line) from exc
    except RecursionError as exc:
        raise ContentError(path, "YAML is nested too deeply", first_line) from exc


def _refuse_aliases(path: str, source: str, first_line: int) -> None:
    try:
        for event in yaml.parse(source, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = first_line + event.start_mark.line if event.start_mark else None
                raise ContentError(
                    path,
                    f"YAML alias '*{event.anchor}' is not allowed in front matter "
                    "(aliases can expand without bound); write the value out",
                    line,
                )
    except yaml.MarkedYAMLError:
        return  # the real parse below reports the syntax error with its line


def nesting(value: Any) -> int:
    """How deeply lists and mappings nest (iteratively: no recursion limit to hit)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )
