"""Limits on what one query may ask: depth, aliases, directives and cost.

Each rule walks the operation with its fragments expanded where they are
spread (so a limit cannot be dodged through fragments) and refuses the
document before any resolver or SQL runs. Depth, alias and directive rules
are graphql-core validation rules, built once so the validation cache keeps
working; the cost check needs the request's variables (``first: $n``), so it
runs as an extension just before execution and replaces the result when the
query is over budget.

Cost model: every field costs 1, times the number of items of every list
above it. A connection's size is its ``first``/``last`` (default page size), which
multiplies what its ``edges`` and ``nodes`` select (its counts and facets are
once per page),
a nested list's its ``first`` or an estimate of :data:`LIST_ESTIMATE`. Counts
or facets of a filtered (or ``dedupe``) list of articles cost :data:`AGGREGATE_COST`
more, an article's ``similar`` list :data:`SIMILAR_COST` more and its ``duplicates``
:data:`DUPLICATES_COST` more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import value_from_ast_untyped
from strawberry.extensions import SchemaExtension

from core.config import Limits
from core.errors import QueryTooComplex

LIST_ESTIMATE = 10
FEED_PAGE = 100
"""The page size of ``changes`` when ``first`` is not given (at most ``max_page``)."""
AGGREGATE_COST = 5_000
"""What counting or faceting a filtered list costs: a filter the loader keeps no counts
for is counted over a window of up to 10,000 articles, some milliseconds of SQL whatever
the corpus; at this cost a query may ask for at most ten."""
AGGREGATES = frozenset(("totalCount", "facets", "countsExact"))
SIMILAR_COST = 2_000
"""What finding an article's similar articles costs (``Article.similar``): some tens of
milliseconds of SQL at a million articles the first time; a query may ask it of 25."""
DUPLICATES_COST = 50
"""What finding an article's duplicates costs (``Article.duplicates``): a look-up of its
story's members in one index, well under a millisecond for a page."""
INTROSPECTION_DEPTH = 20


def _walk(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> Iterator[tuple[FieldNode, frozenset[str]]]:
    """Fields of a selection set, fragments expanded (cycles cut)."""
    if selection_set is None:
        return
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            yield node, seen
        elif isinstance(node, InlineFragmentNode):
            yield from _walk(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name in seen or name not in fragments:
                continue
            yield from _walk(fragments[name].selection_set, fragments, seen | {name})


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def depth_of(
    node: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
    *,
    introspection: bool = False,
) -> int:
    """Nesting depth of fields (introspection fields only, or all others)."""
    best = 0
    for field, inner_seen in _walk(node, fragments, seen):
        name = field.name.value
        is_meta = name.startswith("__")
        if name == "__typename":
            continue
        if introspection and not is_meta and best == 0 and not field.selection_set:
            continue
        below = depth_of(field.selection_set, fragments, inner_seen, introspection=introspection)
        best = max(best, 1 + below)
    return best


def _counts(
    node: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
    budget: list[int] | None = None,
) -> tuple[int, int]:
    """(aliases, directives) used, counting a fragment each time it is spread."""
    budget = budget if budget is not None else [100_000]
    aliases = directives = 0
    if node is None:
        return 0, 0
    for sel in node.selections:
        budget[0] -= 1
        if budget[0] < 0:
            break
        directives += len(sel.directives or ())
        if isinstance(sel, FieldNode):
            aliases += sel.alias is not None
            a, d = _counts(sel.selection_set, fragments, seen, budget)
        elif isinstance(sel, InlineFragmentNode):
            a, d = _counts(sel.selection_set, fragments, seen, budget)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name in seen or name not in fragments:
                continue
            frag = fragments[name]
            directives += len(frag.directives or ())
            a, d = _counts(frag.selection_set, fragments, seen | {name}, budget)
        aliases += a
        directives += d
    return aliases, directives


def validation_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """The depth, alias and directive rules, bound to ``limits``."""

    class QueryLimits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = _fragments(self.context)
            name = node.name.value if node.name else "the operation"
            meta = [
                f for f, _ in _walk(node.selection_set, fragments) if f.name.value.startswith("__")
            ]
            plain_depth = depth_of(
                SelectionSetNode(
                    selections=tuple(
                        f
                        for f, _ in _walk(node.selection_set, fragments)
                        if not f.name.value.startswith("__")
                    )
                ),
                fragments,
            )
            if plain_depth > limits.max_depth:
                self.report(
                    f"{name} is {plain_depth} levels deep; the limit is {limits.max_depth}. "
                    "Ask for less nesting, or split it into several queries.",
                    node,
                )
            for field in meta:
                deep = 1 + depth_of(field.selection_set, fragments)
                if deep > INTROSPECTION_DEPTH:
                    self.report(
                        f"the introspection query is {deep} levels deep; the limit is "
                        f"{INTROSPECTION_DEPTH} (the standard introspection query fits).",
                        node,
                    )
                    break
            aliases, directives = _counts(node.selection_set, fragments)
            if aliases > limits.max_aliases:
                self.report(
                    f"{name} uses {aliases} aliases; the limit is {limits.max_aliases}.", node
                )
            if directives > limits.max_directives:
                self.report(
                    f"{name} uses {directives} directives; the limit is {limits.max_directives}.",
                    node,
                )

        def report(self, message: str, node: Any) -> None:
            self.report_error(
                GraphQLError(message, node, extensions={"code": QueryTooComplex.code})
            )

    return [QueryLimits]


def cost_of(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    default_page: int,
) -> int:
    """The estimated number of values the operation can produce (see module doc)."""
    return cost_parts(schema, operation, fragments, variables, default_page)[0]


def cost_parts(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    default_page: int,
) -> tuple[int, int]:
    """The operation's cost (see module doc), and the part of it that is counts and facets
    of filtered lists (:data:`AGGREGATE_COST` each)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0, 0
    aggregates = [0]

    def size(field: FieldNode, default: int) -> int:
        for arg in field.arguments or ():
            if arg.name.value in ("first", "last"):
                value = value_from_ast_untyped(arg.value, dict(variables))
                if isinstance(value, int) and value >= 0:
                    return value
        return default

    def walk(
        selection: SelectionSetNode | None,
        parent: GraphQLNamedType,
        seen: frozenset[str],
        multiplier: int,
        page: int = 1,
    ) -> int:
        total = 0
        for field, inner in _walk(selection, fragments, seen):
            name = field.name.value
            total += multiplier
            if name.startswith("__") or not isinstance(
                parent, GraphQLObjectType | GraphQLInterfaceType
            ):
                continue
            definition = parent.fields.get(name)
            if definition is None or field.selection_set is None:
                continue
            gtype: Any = definition.type
            is_list = False
            while isinstance(gtype, GraphQLNonNull | GraphQLList):
                is_list = is_list or isinstance(gtype, GraphQLList)
                gtype = gtype.of_type
            factor, items = 1, 1
            if gtype.name == "ArticleConnection" and _counts_filtered(field, fragments, inner):
                total += multiplier * AGGREGATE_COST
                aggregates[0] += multiplier * AGGREGATE_COST
            if name == "similar" and parent.name == "Article":
                total += multiplier * SIMILAR_COST
            if name == "duplicates" and parent.name == "Article":
                total += multiplier * DUPLICATES_COST
            if gtype.name.endswith("Connection"):
                items = size(field, default_page)  # counts and facets are once per page
            elif gtype.name == "ChangeFeed":
                items = size(field, FEED_PAGE)
            elif _page_list(name, parent.name):
                factor = page
            elif is_list:
                factor = size(field, LIST_ESTIMATE)
            total += walk(field.selection_set, gtype, inner, multiplier * max(factor, 1), items)
        return total

    return walk(operation.selection_set, root, frozenset(), 1), aggregates[0]


def _page_list(name: str, parent: str) -> bool:
    """Whether a field is the list of a page (as many items as the page's size)."""
    if parent.endswith("Connection"):
        return name in ("edges", "nodes")
    return parent == "ChangeFeed" and name in ("added", "updated")


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    limits: Limits,
) -> tuple[int, OperationDefinitionNode | None]:
    """The chosen operation's estimated cost (see module doc), and the operation."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name is not None and d.name.value == operation_name))
    ]
    if not operations:
        return 0, None
    return cost_of(schema, operations[0], fragments, variables, limits.default_page), operations[0]


def _counts_filtered(
    field: FieldNode, fragments: Mapping[str, FragmentDefinitionNode], seen: frozenset[str]
) -> bool:
    """Whether a list of articles with a ``filter`` (or ``dedupe``, whose counts are taken
    over a window too) asks for counts or facets."""
    if not any(arg.name.value in ("filter", "dedupe") for arg in field.arguments or ()):
        return False
    return any(f.name.value in AGGREGATES for f, _ in _walk(field.selection_set, fragments, seen))


def over_budget(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    limits: Limits,
) -> GraphQLError | None:
    """An error when the chosen operation's cost is over ``limits.max_cost``."""
    cost, operation = operation_cost(schema, document, operation_name, variables, limits)
    if operation is None or cost <= limits.max_cost:
        return None
    return budget_error(cost, limits, operation)


def budget_error(cost: int, limits: Limits, node: Any = None) -> GraphQLError:
    """The error for an operation over budget."""
    return GraphQLError(
        f"this query could return about {cost:,} values; the limit is {limits.max_cost:,}. "
        "Ask for smaller pages (`first`) or fewer nested lists.",
        node,
        extensions={"code": QueryTooComplex.code},
    )


def cost_extension(limits: Limits) -> type[SchemaExtension]:
    """An extension that refuses over-budget operations before they execute."""

    class CostLimit(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            ctx = self.execution_context
            if ctx.graphql_document is not None and ctx.result is None:
                error = over_budget(
                    ctx.schema._schema,
                    ctx.graphql_document,
                    ctx.operation_name,
                    ctx.variables or {},
                    limits,
                )
                if error is not None:
                    ctx.result = GraphQLExecutionResult(data=None, errors=[error])
            yield

    return CostLimit
