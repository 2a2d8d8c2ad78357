"""The shape of a compiled plan: one :class:`Field` per response key, nested."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from graphql import FieldNode, GraphQLField

from api.plans.variables import Arguments
from db.json_nodes import Shape
from db.rows import Columns


class Fallback(Exception):
    """This request needs the reference executor (an error to report, or a limit)."""


@dataclass(frozen=True, slots=True)
class Field:
    """One response key: the field to resolve and, for objects, what to select."""

    key: str
    name: str
    node: FieldNode
    definition: GraphQLField | None
    children: tuple[Field, ...]
    has_args: bool
    columns: Columns = None
    """For lists of articles or related items: the row columns the children read."""
    static_args: dict[str, Any] | None = None
    """The argument values when no argument takes a variable (computed once)."""
    getters: tuple[tuple[str, Callable[[Any], Any]], ...] | None = None
    """For images, providers and topics that select only plain values: (response key,
    value of a row) per child, in selection order."""
    template: Arguments | None = None
    """When arguments take variables: how to build them without graphql-core."""
    rendered: Rendered | None = None
    """For article selections SQLite can write as JSON: their shape."""


class Parameter(NamedTuple):
    """A run-time value of a rendered shape: an argument of one field of the plan."""

    field: Field
    argument: str


class Rendered(NamedTuple):
    """An article selection as a shape, with the parameters its SQL takes."""

    shape: Shape
    parameters: tuple[Parameter, ...]
