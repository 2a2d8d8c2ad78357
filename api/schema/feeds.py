"""Article lists (``articles(...)`` on the root, a provider and a topic): the field, its
arguments and its resolver, which both wrap a page of :mod:`api.schema.pages`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from api.schema.arguments import After, Before, Dedupe, Filter, First, Last, Order
from api.schema.connections import ArticleConnection, ArticleEdge, ContextInfo, PageInfo
from api.schema.pages import ArticleArgs, fetch_article_page
from api.schema.scalars import as_datetime
from api.schema.sidebar import check_selection
from api.schema.snippets import PageSnippets
from db.rows import ArticleRow

Scope = Callable[[Any], dict[str, str]]
"""The provider or topic an ``articles`` field lists within, from its parent object."""
Node = Callable[[ArticleRow], Any]
"""The ``Article`` object of a row (passed in: the types module defines it, and uses this)."""


def article_connection(
    info: ContextInfo, args: ArticleArgs, node: Node, *, provider: str | None = None,
    topic: str | None = None,
) -> ArticleConnection:  # fmt: skip
    """Resolve an ``articles(...)`` field: top level, or under a provider or topic."""
    ctx = info.context
    page = fetch_article_page(ctx.db, ctx.limits, args, provider=provider, topic=topic, now=ctx.now)
    if selected(info.selected_fields, "facets"):
        check_selection(ctx.db, page.user_filter)  # before any field of the list resolves
    nodes = [node(row) for row in page.rows]
    snippets = PageSnippets(ctx.db, page.filter, [row.id for row in page.rows])
    return ArticleConnection(
        edges=[
            ArticleEdge(cursor=c, node=n, snippets=snippets, article_id=n.row.id)
            for c, n in zip(page.cursors, nodes, strict=True)
        ],
        nodes=nodes,
        page_info=PageInfo.of(page),
        as_of=as_datetime(page.as_of),
        page=page,
    )


def selected(fields: Sequence[Selection], name: str | None) -> list[SelectedField]:
    """The fields named ``name`` (any name: ``None``) that the selections under these
    fields ask for, fragments included."""
    found: list[SelectedField] = []
    for field in fields:
        for selection in field.selections:
            if isinstance(selection, SelectedField):
                if name is None or selection.name == name:
                    found.append(selection)
            else:
                found.extend(selected([selection], name))
    return found


def article_list(description: str, scope: Scope, node: Node) -> Any:
    """An ``articles(filter, orderBy, first, after, last, before, dedupe)`` field.

    ``Query.articles``, ``Provider.articles`` and ``Topic.articles`` take the same
    seven arguments; they are declared here once.
    """

    def resolve(
        root: Any,
        info: ContextInfo,
        filter: Filter = None,
        order_by: Order = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        dedupe: Dedupe = False,
    ) -> ArticleConnection:
        args = ArticleArgs(filter, order_by, first, after, last, before, dedupe)
        return article_connection(info, args, node, **scope(root))

    return strawberry.field(resolver=resolve, description=description)
