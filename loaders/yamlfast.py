"""Build front matter straight from libyaml's events, without PyYAML's node graph.

``yaml.load(text, Loader=yaml.CSafeLoader)`` scans and parses in C, but then
builds a node per value, resolves each scalar's tag through a Python method and
constructs each value through two more: about half of its time on news front
matter. Front matter only ever uses the plain shapes (mappings, sequences and
untagged scalars), and those we can build in one loop over the parser's events,
resolving plain scalars with PyYAML's own implicit-resolver table and
constructing non-strings with PyYAML's own constructors, so every value comes
out exactly as the safe loader would make it.

Anything else (tags, anchors, aliases, merge keys, non-scalar keys, nesting
deeper than the caller allows, or a parse error) raises :class:`Unsupported`,
and the caller parses the text again with the full safe loader, which gives
the reference behaviour and error messages. A test compares both loaders on
real, generated and random documents.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

# libyaml's parser; None when PyYAML was built without libyaml
_Parser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)

_SCALAR_TAGS = (
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
)
# first character -> [(tag, pattern)], exactly the table the safe loader resolves with
_RESOLVERS: dict[str, list[tuple[str, Any]]] = {
    first: list(entries)
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()
    if first is not None
}
_WILDCARD = yaml.SafeLoader.yaml_implicit_resolvers.get(None, [])
_CONSTRUCT = SafeConstructor()
_CONSTRUCTORS = {tag: SafeConstructor.yaml_constructors[tag] for tag in _SCALAR_TAGS}

AVAILABLE = _Parser is not None

_MEMO: dict[str, Any] = {}  # short plain scalars repeat: keys, "true", 50, "article"
_MEMO_LEN = 48
_MEMO_SIZE = 8192


class Unsupported(Exception):
    """This text needs the full safe loader (or has an error it should report)."""


def _plain(value: str) -> Any:
    """A plain (unquoted, untagged) scalar as the safe loader constructs it.

    Short ones are remembered: every value it makes is immutable (str, int,
    float, bool, None, date, datetime), so sharing one object is safe.
    """
    if len(value) > _MEMO_LEN:
        return _resolve(value)
    try:
        return _MEMO[value]
    except KeyError:
        made = _resolve(value)
        if len(_MEMO) < _MEMO_SIZE:
            _MEMO[value] = made
        return made


def _resolve(value: str) -> Any:
    entries = _RESOLVERS.get(value[:1])
    if entries is None and not _WILDCARD:
        return value
    for tag, pattern in (entries or []) + _WILDCARD:
        if pattern.match(value):
            construct = _CONSTRUCTORS.get(tag)
            if construct is None:  # merge keys, '=' and the like: the full loader decides
                raise Unsupported(tag)
            return construct(_CONSTRUCT, ScalarNode(tag, value))
    return value


def load(source: str, max_depth: int) -> Any:
    """The single document in ``source``, or ``None`` when there is none.

    Raises :class:`Unsupported` for anything outside the plain subset, including
    containers nested more than ``max_depth`` deep.
    """
    if _Parser is None:
        raise Unsupported("libyaml is not available")
    try:
        return _build(_Parser(source), max_depth)
    except Unsupported:
        raise
    except Exception as exc:  # a parse error, or a value that cannot be built (2024-02-30):
        raise Unsupported(str(exc)) from exc  # the safe loader reports it, in its order


def _build(parser: Any, max_depth: int) -> Any:
    get = parser.get_event
    get()  # StreamStartEvent
    event = get()
    if type(event) is yaml.StreamEndEvent:
        return None
    if type(event) is not yaml.DocumentStartEvent:
        raise Unsupported(type(event).__name__)
    none = object()  # "this mapping waits for a key"
    stack: list[Any] = []  # open containers, innermost last
    keys: list[Any] = []  # for each open mapping, its pending key (or ``none``)
    root: Any = none
    while True:
        event = get()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise Unsupported("tag or anchor")
            value: Any = _plain(event.value) if event.implicit[0] else event.value
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise Unsupported("tag or anchor")
            if stack and type(stack[-1]) is dict and keys[-1] is none:
                raise Unsupported("a mapping or sequence as a key")
            value = {} if kind is yaml.MappingStartEvent else []
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            keys.pop()
            continue
        elif kind is yaml.DocumentEndEvent:
            if type(get()) is not yaml.StreamEndEvent:
                raise Unsupported("more than one document")
            return root
        else:  # aliases, and anything this loop does not know
            raise Unsupported(kind.__name__)
        if not stack:
            root = value
        else:
            top = stack[-1]
            if type(top) is list:
                top.append(value)
            elif keys[-1] is none:
                keys[-1] = value
            else:
                top[keys[-1]] = value
                keys[-1] = none
        if type(value) is dict or type(value) is list:
            if len(stack) >= max_depth:
                raise Unsupported("too deep")
            stack.append(value)
            keys.append(none)
