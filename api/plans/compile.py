"""Compiled query plans: answer common documents without the per-field executor.

graphql-core resolves every field through several layers of Python calls; for
a homepage feed that is hundreds of fields and most of the time of a request.
Once a document has passed Strawberry's parser and validation (and run once
through the reference executor), :func:`compile_plan` turns it into a tree of
:class:`Field` plans. :meth:`Plan.run` then fetches each nested table once per
level (as the DataLoaders do) and writes plain dicts in the order graphql-core
would, so the response is the same JSON.

A plan covers the shapes news clients send: ``articles``, ``article``,
``provider``, ``topic``, ``contentInfo``, ``categories`` and ``changes`` with fragments and
aliases. Documents with directives, ``node``, interfaces, or types it does not
know compile to ``None`` and always use the reference executor. At run time,
anything that would produce an error (a bad argument, a cursor, a forbidden
field, an over-budget cost) raises :class:`Fallback`, and the request is
answered by the reference executor instead, which reports the error with its
path and locations. Differential tests run both on many documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution.values import get_argument_values, get_variable_values

from api.plans.run import Execution
from api.plans.shapes import rendered
from api.plans.tree import Fallback, Field
from api.plans.values import PLAIN_GETTERS, columns_of
from api.plans.variables import Plain, argument_template, plain_variables, quick_variables
from api.schema.limits import cost_parts
from core.clock import Now
from core.config import Limits
from core.errors import NewsgraphError
from db.reader import Session
from db.rows import ID_ONLY

Dict = dict[str, Any]

MAX_BUDGETS = 256
"""Costs kept per plan (one per default page size and set of page-size variables)."""
ROOT_FIELDS = {
    "articles", "article", "provider", "topic", "contentInfo", "categories", "changes",
}  # fmt: skip
KNOWN_TYPES = {
    "Query", "ArticleConnection", "ArticleEdge", "Article", "Provider", "Topic", "RelatedItem",
    "Image", "PageInfo", "Facets", "FacetCount", "ContentInfo", "FiledProvider", "ChangeFeed",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Prepared:
    """A request's variables, coerced, and the operation's cost with them."""

    variables: Any
    cost: int
    loop_cost: int
    """The cost without the counts and facets of filtered lists, which decides whether the
    request may start on the event loop: those reads protect the loop themselves (one not
    cached yet is :class:`~db.session.SlowWork` there), and once cached they are quick."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled operation."""

    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    fields: tuple[Field, ...]
    size_variables: tuple[str, ...]
    """Variables that some ``first``/``last`` takes: the cost depends on them alone."""
    plain: tuple[Plain, ...] | None = None
    """The variables, when all are plain scalars (coerced without graphql-core)."""
    costs: dict[tuple[Any, ...], tuple[int, int]] = field(default_factory=dict)

    def prepare(self, limits: Limits, variables: Mapping[str, Any] | None) -> Prepared:
        """Coerce the variables and check the cost, or :class:`Fallback` (to report why)."""
        coerced: Any = None
        if self.plain is not None:
            coerced = quick_variables(self.plain, variables or {})
        if coerced is None:
            coerced = get_variable_values(
                self.schema, self.operation.variable_definitions or (), dict(variables or {})
            )
        if isinstance(coerced, list):
            raise Fallback
        values = coerced.coerced
        budget = (limits.default_page, *(values.get(v) for v in self.size_variables))
        costs = self.costs.get(budget)
        if costs is None:
            fragments = {
                d.name.value: d
                for d in self.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            costs = cost_parts(self.schema, self.operation, fragments, values, limits.default_page)
            if len(self.costs) >= MAX_BUDGETS:
                self.costs.clear()
            self.costs[budget] = costs
        cost, aggregates = costs
        if cost > limits.max_cost:
            raise Fallback
        return Prepared(coerced, cost, cost - aggregates)

    def execute(self, db: Session, limits: Limits, prepared: Prepared, authorized: bool,
                now: Now | None = None) -> Dict:  # fmt: skip
        """The ``data`` of the response, or :class:`Fallback`.

        :class:`~db.session.SlowWork` passes through: the caller moves the request.
        ``now`` is the request's instant (the system clock's when not given).
        """
        try:
            execution = Execution(db, limits, prepared.variables, authorized, now or Now())
            return execution.root(self.fields)
        except (NewsgraphError, GraphQLError) as exc:
            raise Fallback from exc

    def run(self, db: Session, limits: Limits, variables: Mapping[str, Any] | None,
            authorized: bool, now: Now | None = None) -> Dict:  # fmt: skip
        """:meth:`prepare` and :meth:`execute` in one."""
        return self.execute(db, limits, self.prepare(limits, variables), authorized, now)


class _Uncompilable(Exception):
    pass


def compile_plan(schema: GraphQLSchema, document: DocumentNode,
                 operation_name: str | None) -> Plan | None:  # fmt: skip
    """A plan for the document's operation, or ``None`` when it needs the executor."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    try:
        fields = _collect(schema, schema.query_type, [operations[0].selection_set], fragments)
    except _Uncompilable:
        return None
    if any(f.name not in ROOT_FIELDS and f.name != "__typename" for f in fields):
        return None
    plain = plain_variables(schema, operations[0])
    return Plan(schema, document, operations[0], fields, _size_variables(document), plain)


class _SizeVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value in ("first", "last") and isinstance(node.value, VariableNode):
            self.names.add(node.value.name.value)


def _size_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables any ``first``/``last`` in the document takes (in fragments too)."""
    visitor = _SizeVariables()
    visit(document, visitor)
    return tuple(sorted(visitor.names))


def _collect(schema: GraphQLSchema, parent: GraphQLObjectType | None,
             selection_sets: Iterable[SelectionSetNode],
             fragments: Mapping[str, FragmentDefinitionNode]) -> tuple[Field, ...]:  # fmt: skip
    """Fields by response key, in first-seen order, merged as graphql-core merges them."""
    if parent is None or parent.name not in KNOWN_TYPES:
        raise _Uncompilable
    grouped: dict[str, list[FieldNode]] = {}

    def visit(selection_set: SelectionSetNode, seen: frozenset[str]) -> None:
        for node in selection_set.selections:
            if node.directives:
                raise _Uncompilable
            if isinstance(node, FieldNode):
                key = node.alias.value if node.alias else node.name.value
                grouped.setdefault(key, []).append(node)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                if condition is None or condition.name.value == parent.name:
                    visit(node.selection_set, seen)
                elif condition.name.value != "Node":
                    continue
                else:
                    raise _Uncompilable
            elif isinstance(node, FragmentSpreadNode):
                fragment = fragments.get(node.name.value)
                if fragment is None or node.name.value in seen or fragment.directives:
                    raise _Uncompilable
                if fragment.type_condition.name.value == parent.name:
                    visit(fragment.selection_set, seen | {node.name.value})
                elif fragment.type_condition.name.value == "Node":
                    raise _Uncompilable

    for selection_set in selection_sets:
        visit(selection_set, frozenset())
    out = []
    for key, nodes in grouped.items():
        name = nodes[0].name.value
        if name == "__typename":
            out.append(Field(key, name, nodes[0], None, (), False))
            continue
        if name.startswith("__"):
            raise _Uncompilable
        definition = parent.fields.get(name)
        if definition is None:
            raise _Uncompilable
        child_type: Any = definition.type
        while isinstance(child_type, GraphQLNonNull | GraphQLList):
            child_type = child_type.of_type
        children: tuple[Field, ...] = ()
        subsets = [n.selection_set for n in nodes if n.selection_set is not None]
        if subsets:
            if not isinstance(child_type, GraphQLObjectType):
                raise _Uncompilable
            children = _collect(schema, child_type, subsets, fragments)
        has_args = bool(definition.args)
        columns = columns_of(child_type.name, children)
        static = _static_args(definition, nodes[0]) if has_args else None
        getters = None
        table = PLAIN_GETTERS.get(child_type.name)
        if table is not None and all(c.name in table for c in children):
            getters = tuple((c.key, table[c.name]) for c in children)
        template = None
        if has_args and static is None:
            template = argument_template(definition, nodes[0])
        shape = rendered(children) if child_type.name == "Article" else None
        if shape is not None:
            columns = ID_ONLY  # SQLite writes the nodes: the page reads only their ids
        out.append(
            Field(
                key,
                name,
                nodes[0],
                definition,
                children,
                has_args,
                columns,
                static,
                getters,
                template,
                shape,
            )
        )
    return tuple(out)


def _static_args(definition: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
    """A field's arguments when they hold no variable, else None (evaluated per request)."""

    def varies(value: ValueNode) -> bool:
        if isinstance(value, VariableNode):
            return True
        if isinstance(value, ListValueNode):
            return any(varies(v) for v in value.values)
        if isinstance(value, ObjectValueNode):
            return any(varies(f.value) for f in value.fields)
        return False

    if any(varies(arg.value) for arg in node.arguments or ()):
        return None
    try:
        return get_argument_values(definition, node, None)
    except GraphQLError:
        return None  # reported by the reference executor at run time
