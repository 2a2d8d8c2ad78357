"""Variables and arguments the quick way, for the shapes clients send most.

graphql-core coerces a request's variables and each field's arguments through
several layers of general code (signatures, sources, literal coercion); for a
homepage feed that is a tenth of the request. Most documents declare plain
scalar variables (``$first: Int``, ``$slug: String!``) and pass them straight
to arguments, and for those the result is known in a few lookups: this module
does them, and hands everything else to graphql-core, which stays the
reference. Values of exactly the declared Python type are taken as they are
(what graphql-core would return for them); any other value, a default, an
input object or a list goes the general way, so errors are reported by
graphql-core with its messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableNode,
)
from graphql.execution.get_variable_signature import (
    GraphQLVariableSignature,
    get_variable_signature,
)
from graphql.execution.values import VariableValues, VariableValueSource, get_argument_values
from graphql.pyutils import Undefined

_EXACT: dict[str, type] = {"Int": int, "String": str, "Boolean": bool, "ID": str}
INT_RANGE = range(-(2**31), 2**31)


class Plain(NamedTuple):
    """A variable of a plain scalar type without a default."""

    name: str
    signature: GraphQLVariableSignature
    kind: type
    required: bool


def plain_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> tuple[Plain, ...] | None:
    """The operation's variables when all are plain scalars without defaults, else None."""
    found: list[Plain] = []
    for node in operation.variable_definitions or ():
        signature = get_variable_signature(schema, node)
        if not isinstance(signature, GraphQLVariableSignature) or node.default_value:
            return None
        gtype: Any = signature.type
        required = isinstance(gtype, GraphQLNonNull)
        named = gtype.of_type if required else gtype
        if not isinstance(named, GraphQLScalarType) or named.name not in _EXACT:
            return None
        found.append(Plain(signature.name, signature, _EXACT[named.name], required))
    return tuple(found)


def quick_variables(plain: tuple[Plain, ...], inputs: Mapping[str, Any]) -> VariableValues | None:
    """The coerced variables, when every value is exactly of its declared type."""
    sources: dict[str, VariableValueSource] = {}
    coerced: dict[str, Any] = {}
    for var in plain:
        value = inputs.get(var.name, Undefined)
        if value is Undefined or value is None:
            if var.required:
                return None  # an error: graphql-core reports it
            if value is None:
                sources[var.name] = VariableValueSource(var.signature, None)
                coerced[var.name] = None
            else:
                sources[var.name] = VariableValueSource(var.signature)
            continue
        if type(value) is not var.kind or (var.kind is int and value not in INT_RANGE):
            return None
        sources[var.name] = VariableValueSource(var.signature, value)
        coerced[var.name] = value
    return VariableValues(sources, coerced)


class Passed(NamedTuple):
    """An argument that takes a variable whole."""

    name: str
    variable: str
    non_null: bool
    default: Any
    """The argument's default (``Undefined`` when it has none)."""


class Arguments(NamedTuple):
    """A field's arguments as literals computed once, and variables passed straight."""

    literal: dict[str, Any]
    passed: tuple[Passed, ...]


def argument_template(definition: GraphQLField, node: FieldNode) -> Arguments | None:
    """How to build a field's arguments quickly, when every argument that takes a
    variable takes it whole; else None (graphql-core each time)."""
    literal_nodes = []
    passed: list[Passed] = []
    for arg in node.arguments or ():
        arg_def = definition.args.get(arg.name.value)
        if arg_def is None or arg_def.out_name:
            return None
        if isinstance(arg.value, VariableNode):
            non_null = isinstance(arg_def.type, GraphQLNonNull)
            passed.append(
                Passed(arg.name.value, arg.value.name.value, non_null, arg_def.default_value)
            )
        elif _has_variable(arg.value):
            return None
        else:
            literal_nodes.append(arg)
    try:
        literal = get_argument_values(definition, node.__class__(
            name=node.name, arguments=tuple(literal_nodes), directives=(), loc=node.loc
        ))  # fmt: skip
    except Exception:
        return None
    return Arguments(literal, tuple(passed))


def _has_variable(value: Any) -> bool:
    if isinstance(value, VariableNode):
        return True
    return any(_has_variable(v) for v in getattr(value, "values", ()) or ()) or any(
        _has_variable(f.value) for f in getattr(value, "fields", ()) or ()
    )


def build_arguments(template: Arguments, variables: VariableValues) -> dict[str, Any] | None:
    """The field's arguments for these variables, or None where graphql-core must decide
    (a null for a non-null argument, a missing required one: errors it reports)."""
    args = dict(template.literal)
    coerced = variables.coerced
    for arg in template.passed:
        if arg.variable in coerced:
            value = coerced[arg.variable]
            if value is None and arg.non_null:
                return None
            args[arg.name] = value
        elif arg.default is not Undefined:
            args[arg.name] = arg.default
        elif arg.non_null:
            return None
    return args
