"""Compiled query plans: answer common documents without the per-field executor.

graphql-core resolves every field through several layers of Python calls; for
a homepage feed that is hundreds of fields and most of the time of a request.
Once a document has passed Strawberry's parser and validation (and run once
through the reference executor), :func:`compile_plan` turns it into a tree of
:class:`Field` plans. :meth:`Plan.run` then fetches each nested table once per
level (as the DataLoaders do) and writes plain dicts in the order graphql-core
would, so the response is the same JSON.

A plan covers the shapes news clients send: ``articles``, ``article``,
``provider``, ``topic``, ``contentInfo`` and ``categories`` with fragments and
aliases. Documents with directives, ``node``, interfaces, or types it does not
know compile to ``None`` and always use the reference executor. At run time,
anything that would produce an error (a bad argument, a cursor, a forbidden
field, an over-budget cost) raises :class:`Fallback`, and the request is
answered by the reference executor instead, which reports the error with its
path and locations. Differential tests run both on many documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
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

from api.connections import fetch_article_page
from api.limits import over_budget
from api.pagination import check_first, encode_id
from api.types import pick_lead_image
from db.reader import Session
from db.rows import ArticleRow, Columns, ImageRow, ProviderRow, RelatedRow, TopicRow
from newsgraph.config import Limits
from newsgraph.errors import NewsgraphError

Dict = dict[str, Any]

MAX_BUDGETS = 256
"""Cost verdicts kept per plan (one per budget and set of page sizes)."""
ROOT_FIELDS = {"articles", "article", "provider", "topic", "contentInfo", "categories"}
KNOWN_TYPES = {
    "Query", "ArticleConnection", "ArticleEdge", "Article", "Provider", "Topic", "RelatedItem",
    "Image", "PageInfo", "Facets", "FacetCount", "ContentInfo",
}  # fmt: skip


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


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled operation."""

    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    fields: tuple[Field, ...]
    size_variables: tuple[str, ...]
    """Variables that some ``first``/``last`` takes: the cost depends on them alone."""
    within_budget: dict[tuple[Any, ...], bool] = field(default_factory=dict)

    def run(self, db: Session, limits: Limits, variables: Mapping[str, Any] | None,
            authorized: bool) -> Dict:  # fmt: skip
        """The ``data`` of the response, or :class:`Fallback`."""
        coerced = get_variable_values(
            self.schema, self.operation.variable_definitions or (), dict(variables or {})
        )
        if isinstance(coerced, list):
            raise Fallback
        name = self.operation.name.value if self.operation.name else None
        values = coerced.coerced
        budget = (
            limits.max_cost,
            limits.default_page,
            *(values.get(v) for v in self.size_variables),
        )
        fits = self.within_budget.get(budget)
        if fits is None:
            fits = over_budget(self.schema, self.document, name, values, limits) is None
            if len(self.within_budget) >= MAX_BUDGETS:
                self.within_budget.clear()
            self.within_budget[budget] = fits
        if not fits:
            raise Fallback
        try:
            return _Run(db, limits, coerced, authorized).root(self.fields)
        except (NewsgraphError, GraphQLError) as exc:
            raise Fallback from exc


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
    return Plan(schema, document, operations[0], fields, _size_variables(document))


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
        columns = _columns(child_type.name, children)
        static = _static_args(definition, nodes[0]) if has_args else None
        getters = None
        table = _PLAIN_GETTERS.get(child_type.name)
        if table is not None and all(c.name in table for c in children):
            getters = tuple((c.key, table[c.name]) for c in children)
        out.append(
            Field(key, name, nodes[0], definition, children, has_args, columns, static, getters)
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


_ARTICLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "publishedAt": ("published_at",), "originalUrl": ("original_url",),
    "webUrl": ("web_url",), "ampWebUrl": ("amp_web_url",),
    "cdnAmpWebUrl": ("cdn_amp_web_url",), "featuredContent": ("featured_content",),
    "provider": (), "images": (), "leadImage": (), "topics": (), "related": (),
    "__typename": (),
    **{name: (name,) for name in (
        "id", "slug", "path", "category", "title", "excerpt", "body", "type", "quality",
        "heat", "published", "secured", "extra",
    )},
}  # fmt: skip
_RELATED_COLUMNS: dict[str, tuple[str, ...]] = {
    "publishedAt": ("published_at",), "webUrl": ("web_url",), "ampWebUrl": ("amp_web_url",),
    "cdnAmpWebUrl": ("cdn_amp_web_url",), "provider": (), "images": (), "article": (),
    "__typename": (),
    **{name: (name,) for name in ("title", "excerpt", "type", "quality", "extra")},
}  # fmt: skip


def _union(fields: Iterable[Field]) -> Columns:
    """The columns several selections of one list read together."""
    wanted: set[str] = set()
    for f in fields:
        if f.columns is None:
            return None
        wanted |= f.columns
    return frozenset(wanted)


def _columns(type_name: str, children: tuple[Field, ...]) -> Columns:
    """The columns a selection on Article, RelatedItem or ArticleConnection reads.

    ``None`` (every column) for other types and for any field not mapped here.
    """
    if type_name == "ArticleConnection":
        lists = [c for c in children if c.name == "nodes"]
        lists += [n for c in children if c.name == "edges" for n in c.children if n.name == "node"]
        return _union(lists)
    wanted: set[str] = set()
    table = {"Article": _ARTICLE_COLUMNS, "RelatedItem": _RELATED_COLUMNS}.get(type_name)
    if table is None:
        return None
    for c in children:
        found = table.get(c.name)
        if found is None:
            return None
        wanted.update(found)
    return frozenset(wanted)


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _extra(value: str | None) -> Any:
    return json.loads(value) if value else None


_ARTICLE_SCALARS: dict[str, Callable[[ArticleRow], Any]] = {
    "id": lambda r: encode_id("Article", r.id),
    "slug": lambda r: r.slug,
    "path": lambda r: r.path,
    "category": lambda r: r.category,
    "title": lambda r: r.title,
    "excerpt": lambda r: r.excerpt,
    "body": lambda r: r.body,
    "publishedAt": lambda r: r.published_at,
    "originalUrl": lambda r: r.original_url,
    "webUrl": lambda r: r.web_url,
    "ampWebUrl": lambda r: r.amp_web_url,
    "cdnAmpWebUrl": lambda r: r.cdn_amp_web_url,
    "type": lambda r: r.type,
    "quality": lambda r: r.quality,
    "heat": lambda r: r.heat,
    "published": lambda r: _flag(r.published),
    "featuredContent": lambda r: r.featured_content,
    "extra": lambda r: _extra(r.extra),
}
_RELATED_SCALARS: dict[str, Callable[[RelatedRow], Any]] = {
    "title": lambda r: r.title,
    "excerpt": lambda r: r.excerpt,
    "publishedAt": lambda r: r.published_at,
    "webUrl": lambda r: r.web_url,
    "ampWebUrl": lambda r: r.amp_web_url,
    "cdnAmpWebUrl": lambda r: r.cdn_amp_web_url,
    "type": lambda r: r.type,
    "quality": lambda r: r.quality,
    "extra": lambda r: _extra(r.extra),
}
_IMAGE_SCALARS: dict[str, Callable[[ImageRow], Any]] = {
    "url": lambda r: r.url,
    "width": lambda r: r.width,
    "height": lambda r: r.height,
    "isCached": lambda r: _flag(r.is_cached),
    "title": lambda r: r.title,
    "attribution": lambda r: r.attribution,
}
_IMAGE_GETTERS: dict[str, Callable[[ImageRow], Any]] = {
    **_IMAGE_SCALARS, "__typename": lambda r: "Image",
}  # fmt: skip
_PROVIDER_SCALARS: dict[str, Callable[[ProviderRow], Any]] = {
    "id": lambda r: encode_id("Provider", r.domain),
    "domain": lambda r: r.domain,
    "name": lambda r: r.name,
    "articleCount": lambda r: r.article_count,
}
_TOPIC_SCALARS: dict[str, Callable[[TopicRow], Any]] = {
    "id": lambda r: encode_id("Topic", r.slug),
    "name": lambda r: r.name,
    "slug": lambda r: r.slug,
    "keywords": lambda r: json.loads(r.keywords) if r.keywords else [],
    "hashtags": lambda r: json.loads(r.hashtags) if r.hashtags else [],
    "articleCount": lambda r: r.article_count,
}


_PROVIDER_GETTERS: dict[str, Callable[[Any], Any]] = {
    **_PROVIDER_SCALARS, "__typename": lambda r: "Provider",
}  # fmt: skip
_TOPIC_GETTERS: dict[str, Callable[[Any], Any]] = {
    **_TOPIC_SCALARS, "__typename": lambda r: "Topic",
}  # fmt: skip
_PLAIN_GETTERS = {"Image": _IMAGE_GETTERS, "Provider": _PROVIDER_GETTERS, "Topic": _TOPIC_GETTERS}


class _Run:
    """One execution of a plan: level by level, one query per nested table."""

    def __init__(self, db: Session, limits: Limits, variables: Any, authorized: bool) -> None:
        self.db = db
        self.limits = limits
        self.variables = variables
        self.authorized = authorized

    def args(self, field: Field) -> dict[str, Any]:
        if not field.has_args or field.definition is None:
            return {}
        if field.static_args is not None:
            return field.static_args
        return get_argument_values(field.definition, field.node, self.variables)

    def first(self, field: Field) -> int | None:
        return check_first(self.args(field).get("first"), self.limits.max_page)

    # -- root ------------------------------------------------------------------

    def root(self, fields: tuple[Field, ...]) -> Dict:
        out: Dict = {}
        for f in fields:
            if f.name == "__typename":
                out[f.key] = "Query"
            elif f.name == "articles":
                out[f.key] = self.connection(f)
            elif f.name == "article":
                out[f.key] = self.one_article(f)
            elif f.name == "provider":
                row = self.db.provider_by_domain(self.args(f)["domain"])
                out[f.key] = None if row is None else self.providers([row], f)[0]
            elif f.name == "topic":
                a = self.args(f)
                if (a.get("slug") is None) == (a.get("name") is None):
                    raise Fallback
                trow = self.db.topic_by(a.get("slug"), a.get("name"))
                out[f.key] = None if trow is None else self.topics([trow], f)[0]
            elif f.name == "contentInfo":
                info = self.db.content_info()
                values = {
                    "version": info.version,
                    "loadedAt": info.loaded_at,
                    "articleCount": info.article_count,
                    "__typename": "ContentInfo",
                }
                out[f.key] = {c.key: values[c.name] for c in f.children}
            elif f.name == "categories":
                rows = self.db.facets(None, "categories", 1000)
                out[f.key] = self.facet_counts(rows, f.children)
        return out

    def one_article(self, f: Field) -> Dict | None:
        a = self.args(f)
        given = [k for k in ("id", "slug", "url") if a.get(k) is not None]
        if len(given) != 1:
            raise Fallback
        if given == ["slug"]:
            row = self.db.article_by("slug", a["slug"], f.columns)
        elif given == ["url"]:
            row = self.db.article_by("web_url", a["url"], f.columns) or self.db.article_by(
                "original_url", a["url"], f.columns
            )
        else:
            raise Fallback
        return None if row is None else self.articles([row], f.children)[0]

    # -- connections -------------------------------------------------------------

    def connection(self, f: Field, provider: str | None = None, topic: str | None = None) -> Dict:
        a = self.args(f)
        page = fetch_article_page(
            self.db, self.limits, a.get("filter"), a.get("orderBy"), a.get("first"),
            a.get("after"), a.get("last"), a.get("before"), provider=provider, topic=topic,
            columns=f.columns,
        )  # fmt: skip
        out: Dict = {}
        for c in f.children:
            if c.name == "totalCount":
                out[c.key] = self.db.article_count(page.filter)
            elif c.name == "nodes":
                out[c.key] = self.articles(page.rows, c.children)
            elif c.name == "edges":
                nodes = [
                    (n.key, n.children) for n in c.children if n.name == "node"
                ]  # fmt: skip
                built = {key: self.articles(page.rows, children) for key, children in nodes}
                edges = []
                for i, cursor in enumerate(page.cursors):
                    edge: Dict = {}
                    for e in c.children:
                        if e.name == "cursor":
                            edge[e.key] = cursor
                        elif e.name == "node":
                            edge[e.key] = built[e.key][i]
                        else:
                            edge[e.key] = "ArticleEdge"
                    edges.append(edge)
                out[c.key] = edges
            elif c.name == "pageInfo":
                values = {
                    "hasNextPage": page.has_next,
                    "hasPreviousPage": page.has_previous,
                    "startCursor": page.cursors[0] if page.cursors else None,
                    "endCursor": page.cursors[-1] if page.cursors else None,
                    "__typename": "PageInfo",
                }
                out[c.key] = {p.key: values[p.name] for p in c.children}
            elif c.name == "facets":
                facets: Dict = {}
                for kind in c.children:
                    if kind.name == "__typename":
                        facets[kind.key] = "Facets"
                        continue
                    first = self.args(kind).get("first", 20)
                    limit = check_first(first, self.limits.max_page) or first
                    rows = self.db.facets(page.filter, kind.name, limit)
                    facets[kind.key] = self.facet_counts(rows, kind.children)
                out[c.key] = facets
            else:
                out[c.key] = "ArticleConnection"
        return out

    def facet_counts(self, rows: Iterable[Any], children: tuple[Field, ...]) -> list[Dict]:
        names = {"value": 0, "label": 1, "count": 2}
        return [
            {c.key: ("FacetCount" if c.name == "__typename" else row[names[c.name]])
             for c in children}
            for row in rows
        ]  # fmt: skip

    # -- object lists ----------------------------------------------------------------

    def articles(self, rows: list[ArticleRow], fields: tuple[Field, ...]) -> list[Dict]:
        """Dicts for a list of articles; nested fields are fetched once for the whole list."""
        nested: dict[str, Any] = {}
        ids = [r.id for r in rows]
        with_images = [r.id for r in rows if r.image_count]
        for f in fields:
            if f.name == "provider" and f.key not in nested:
                found = self.db.providers_by_id({r.provider_id for r in rows if r.provider_id})
                built = self.providers(list(found.values()), f)
                nested[f.key] = dict(zip(found, built, strict=True))
            elif f.name in ("images", "leadImage") and "images" not in nested:
                nested["images"] = self.db.article_images(with_images) if with_images else {}
            elif f.name == "topics" and "topics" not in nested:
                nested["topics"] = self.db.article_topics(ids)
            elif f.name == "related" and "related" not in nested:
                wanted = _union(r for r in fields if r.name == "related")
                nested["related"] = self.db.related(ids, wanted)
            elif f.name == "secured" and not self.authorized and rows:
                raise Fallback
        columns: list[list[Any]] = []  # one value per row for each field, in selection order
        for f in fields:
            if f.name == "topics":
                per_article = nested["topics"]
                unique = {t.id: t for ts in per_article.values() for t in ts}
                built_topics = dict(zip(unique, self.topics(list(unique.values()), f), strict=True))
                columns.append(
                    [[built_topics[t.id] for t in per_article.get(row.id, ())] for row in rows]
                )
            elif f.name == "related":
                limit = self.first(f)
                per_article = nested["related"]
                chosen = [per_article.get(row.id, [])[:limit] for row in rows]
                built_related = iter(self.related([r for rs in chosen for r in rs], f.children))
                columns.append([[next(built_related) for _ in rs] for rs in chosen])
            elif f.name == "images":
                limit = self.first(f)
                imgs = nested["images"]
                columns.append([
                    self.images(imgs.get(row.id, [])[:limit], f) for row in rows
                ])  # fmt: skip
            elif f.name == "leadImage":
                min_width = self.args(f).get("minWidth", 0)
                imgs = nested["images"]
                leads = [pick_lead_image(imgs.get(row.id, []), min_width) for row in rows]
                columns.append([
                    None if best is None else self.images([best], f)[0] for best in leads
                ])  # fmt: skip
            elif f.name == "provider":
                by_id = nested[f.key]
                columns.append([by_id.get(row.provider_id) if row.provider_id else None
                                for row in rows])  # fmt: skip
            elif f.name == "secured":
                columns.append([row.secured for row in rows])
            elif f.name == "__typename":
                columns.append(["Article"] * len(rows))
            else:
                getter = _ARTICLE_SCALARS.get(f.name)
                if getter is None:
                    raise Fallback
                columns.append([getter(row) for row in rows])
        keys = [f.key for f in fields]
        return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]

    def providers(self, rows: list[ProviderRow], field: Field) -> list[Dict]:
        if field.getters is not None:  # the usual { name domain }
            return [{key: get(r) for key, get in field.getters} for r in rows]
        fields = field.children
        out: list[Dict] = []
        logos: dict[int, list[ImageRow]] = {}
        limits = {f.key: self.first(f) for f in fields if f.name == "images"}
        if limits and rows:
            logos = self.db.provider_images([r.id for r in rows])
        for row in rows:
            d: Dict = {}
            for f in fields:
                if f.name == "images":
                    limit = limits[f.key]
                    imgs = logos.get(row.id, [])
                    d[f.key] = self.images(imgs[:limit] if limit is not None else imgs, f)
                elif f.name == "articles":
                    d[f.key] = self.connection(f, provider=row.domain)
                elif f.name == "__typename":
                    d[f.key] = "Provider"
                else:
                    d[f.key] = _PROVIDER_SCALARS[f.name](row)
            out.append(d)
        return out

    def topics(self, rows: list[TopicRow], field: Field) -> list[Dict]:
        if field.getters is not None:  # the usual { name slug }
            return [{key: get(r) for key, get in field.getters} for r in rows]
        fields = field.children
        parents: dict[str, Any] = {}
        for f in fields:
            if f.name == "parent":
                names = {r.parent.casefold() for r in rows if r.parent}
                found = self.db.topics_by_name(names) if names else {}
                built = self.topics(list(found.values()), f)
                parents[f.key] = dict(zip(found, built, strict=True))
        out: list[Dict] = []
        for row in rows:
            d: Dict = {}
            for f in fields:
                if f.name == "parent":
                    d[f.key] = parents[f.key].get(row.parent.casefold()) if row.parent else None
                elif f.name == "articles":
                    d[f.key] = self.connection(f, topic=row.slug)
                elif f.name == "__typename":
                    d[f.key] = "Topic"
                else:
                    d[f.key] = _TOPIC_SCALARS[f.name](row)
            out.append(d)
        return out

    def related(self, rows: list[RelatedRow], fields: tuple[Field, ...]) -> list[Dict]:
        nested: dict[str, Any] = {}
        limits = {f.key: self.first(f) for f in fields if f.name == "images"}
        for f in fields:
            if f.name == "provider":
                found = self.db.providers_by_id({r.provider_id for r in rows if r.provider_id})
                built = self.providers(list(found.values()), f)
                nested[f.key] = dict(zip(found, built, strict=True))
            elif f.name == "images" and "images" not in nested:
                nested["images"] = self.db.related_images([r.id for r in rows]) if rows else {}
            elif f.name == "article":
                targets = {r.target_id for r in rows if r.target_id}
                found_articles = self.db.articles_by_id(targets, f.columns) if targets else {}
                built_articles = self.articles(list(found_articles.values()), f.children)
                nested[f.key] = dict(zip(found_articles, built_articles, strict=True))
        columns: list[list[Any]] = []
        for f in fields:
            if f.name == "provider":
                by_id = nested[f.key]
                columns.append([by_id.get(r.provider_id) if r.provider_id else None for r in rows])
            elif f.name == "article":
                by_id = nested[f.key]
                columns.append([by_id.get(r.target_id) if r.target_id else None for r in rows])
            elif f.name == "images":
                limit = limits[f.key]
                imgs = nested["images"]
                columns.append([self.images(imgs.get(r.id, [])[:limit], f) for r in rows])
            elif f.name == "__typename":
                columns.append(["RelatedItem"] * len(rows))
            else:
                getter = _RELATED_SCALARS[f.name]
                columns.append([getter(r) for r in rows])
        keys = [f.key for f in fields]
        return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]

    def images(self, rows: list[ImageRow], f: Field) -> list[Dict]:
        getters = f.getters
        if getters is None:
            raise Fallback
        return [{key: get(r) for key, get in getters} for r in rows]
