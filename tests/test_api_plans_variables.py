"""The quick coercion of variables and arguments agrees with graphql-core, or steps aside."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, OperationDefinitionNode, parse
from graphql.execution.values import get_argument_values, get_variable_values
from hypothesis import given, settings
from hypothesis import strategies as st

from api.plans.variables import (
    argument_template,
    build_arguments,
    plain_variables,
    quick_variables,
)
from api.schema.build import build_schema

SCHEMA = build_schema()._schema
DOCUMENT = parse(
    """query Q($n: Int, $after: String, $w: Int!, $slug: String!, $flag: Boolean, $id: ID) {
         articles(first: $n, after: $after) { nodes { leadImage(minWidth: $w) { url } } }
         topic(slug: $slug) { name }
         same: articles(first: 3, after: $after, last: null) { totalCount }
       }"""
)
OPERATION = DOCUMENT.definitions[0]
assert isinstance(OPERATION, OperationDefinitionNode)

values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True), st.text(max_size=5), st.lists(st.integers(), max_size=2),
)  # fmt: skip
inputs = st.dictionaries(st.sampled_from(["n", "after", "w", "slug", "flag", "id", "x"]), values)


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_quick_variables_equal_graphql_core_or_step_aside(given_inputs: dict[str, Any]) -> None:
    plain = plain_variables(SCHEMA, OPERATION)
    assert plain is not None
    reference = get_variable_values(SCHEMA, OPERATION.variable_definitions, given_inputs)
    # the arguments must agree whenever graphql-core could build them, quick variables or not
    quick = quick_variables(plain, given_inputs)
    if isinstance(reference, list):
        assert quick is None  # an error: graphql-core reports it
        return
    if quick is not None:
        assert quick.coerced == reference.coerced
        assert {k: s.value for k, s in quick.sources.items()} == {
            k: s.value for k, s in reference.sources.items()
        }
        for field in _fields(OPERATION):
            definition = _definition(field)
            template = argument_template(definition, field)
            expected = get_argument_values(definition, field, reference)
            assert template is not None
            built = build_arguments(template, quick)
            assert built is None or built == expected


def _fields(operation: OperationDefinitionNode) -> list[FieldNode]:
    out: list[FieldNode] = []

    def walk(node: Any) -> None:
        for sel in node.selection_set.selections if node.selection_set else ():
            if isinstance(sel, FieldNode):
                out.append(sel)
                walk(sel)

    walk(operation)
    return [f for f in out if f.arguments]


def _definition(field: FieldNode) -> Any:
    parents = {"articles": "Query", "topic": "Query", "leadImage": "Article"}
    return SCHEMA.get_type(parents[field.name.value]).fields[field.name.value]  # type: ignore[union-attr]


def test_variables_with_defaults_or_input_types_are_left_to_graphql_core() -> None:
    for text in (
        "query($n: Int = 3) { articles(first: $n) { totalCount } }",
        "query($f: ArticleFilter) { articles(filter: $f) { totalCount } }",
        "query($n: Float) { articles { totalCount } }",
    ):
        operation = parse(text).definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        assert plain_variables(SCHEMA, operation) is None
