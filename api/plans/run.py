"""Running a compiled plan: level by level, one query per nested table, plain dicts out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orjson import Fragment

from api.plans.objects import Dict, Objects
from api.plans.shapes import no_limit
from api.plans.tree import Fallback, Field
from api.plans.values import (
    ARTICLE_SCALARS,
    RELATED_SCALARS,
    columns_of,
    union,
)
from api.schema.changes import read_feed
from api.schema.images import pick_lead_image
from api.schema.pages import ArticleArgs, fetch_article_page
from api.schema.pagination import check_first
from api.schema.sidebar import FacetValue, check_selection, group, unfiltered
from api.schema.snippets import PageSnippets, SnippetOptions
from core.ids import encode_id
from core.urls import url_key
from db.feed import ADDED, REMOVED, UPDATED
from db.rows import ArticleRow, RelatedRow


class Execution(Objects):
    """One execution of a plan: level by level, one query per nested table."""

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
                    "digest": info.digest,
                    "__typename": "ContentInfo",
                }
                out[f.key] = {c.key: values[c.name] for c in f.children}
            elif f.name == "categories":
                rows = self.db.facets(None, "categories", 1000)
                out[f.key] = self.facet_counts(unfiltered(rows, "categories"), f.children)
            elif f.name == "changes":
                out[f.key] = self.change_feed(f)
        return out

    def change_feed(self, f: Field) -> Dict:
        """``changes(since, first, after)``: a page of the change feed."""
        a = self.args(f)
        since = a["since"]
        page = read_feed(self.db, since, a.get("first"), a.get("after"), self.limits.max_page)
        out: Dict = {}
        for c in f.children:
            if c.name in (ADDED, UPDATED):
                ids = [e.id for e in page.entries if e.kind == c.name]
                found = self.db.articles_by_id(ids, c.columns) if ids else {}
                out[c.key] = self.article_nodes([found[i] for i in ids if i in found], c)
            elif c.name == "removedIds":
                out[c.key] = [encode_id("Article", e.id) for e in page.entries if e.kind == REMOVED]
            elif c.name == "pageInfo":
                values = {
                    "hasNextPage": page.has_next,
                    "hasPreviousPage": page.has_previous,
                    "startCursor": page.cursors[0] if page.cursors else None,
                    "endCursor": page.cursors[-1] if page.cursors else None,
                    "__typename": "PageInfo",
                }
                out[c.key] = {p.key: values[p.name] for p in c.children}
            elif c.name == "since":
                out[c.key] = since
            elif c.name == "version":
                out[c.key] = page.version
            elif c.name == "totalCount":
                out[c.key] = self.db.change_count(since)
            elif c.name == "__typename":
                out[c.key] = "ChangeFeed"
            else:
                raise Fallback
        return out

    def one_article(self, f: Field) -> Dict | None:
        a = self.args(f)
        given = [k for k in ("id", "slug", "url") if a.get(k) is not None]
        if len(given) != 1:
            raise Fallback
        if given == ["slug"]:
            row = self.db.article_by("slug", a["slug"], f.columns)
        elif given == ["url"]:
            row = (
                self.db.article_by("web_url", a["url"], f.columns)
                or self.db.article_by("original_url", a["url"], f.columns)
                or self.db.article_by_key(url_key(a["url"]), f.columns)
            )
        else:
            raise Fallback
        return None if row is None else self.article_nodes([row], f)[0]

    # -- connections -------------------------------------------------------------

    def connection(self, f: Field, provider: str | None = None, topic: str | None = None) -> Dict:
        a = self.args(f)
        page = fetch_article_page(
            self.db,
            self.limits,
            ArticleArgs.of(a),
            provider=provider,
            topic=topic,
            columns=f.columns,
            now=self.now,
        )
        if any(c.name == "facets" for c in f.children):
            check_selection(self.db, page.user_filter)
        out: Dict = {}
        for c in f.children:
            if c.name == "totalCount":
                out[c.key] = self.db.article_count(page.filter)
            elif c.name == "contentVersion":
                out[c.key] = self.db.content_version()
            elif c.name == "countsExact":
                out[c.key] = self.db.counts_exact(page.filter)
            elif c.name == "asOf":
                out[c.key] = page.as_of
            elif c.name == "nodes":
                out[c.key] = self.article_nodes(page.rows, c)
            elif c.name == "edges":
                built = {
                    n.key: self.article_nodes(page.rows, n) for n in c.children if n.name == "node"
                }
                snippets = PageSnippets(self.db, page.filter, [row.id for row in page.rows])
                for e in c.children:
                    if e.name == "snippet" and page.rows:  # no edge, no resolver: no error
                        built[e.key] = snippets.all(SnippetOptions.of(self.args(e)))
                edges = []
                for i, cursor in enumerate(page.cursors):
                    edge: Dict = {}
                    for e in c.children:
                        if e.name == "cursor":
                            edge[e.key] = cursor
                        elif e.name in ("node", "snippet"):  # built when there are edges
                            edge[e.key] = built[e.key][i]
                        elif e.name == "__typename":
                            edge[e.key] = "ArticleEdge"
                        else:
                            raise Fallback
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
                disjunctive = bool(self.args(c).get("disjunctive", False))
                facets: Dict = {}
                for kind in c.children:
                    if kind.name == "__typename":
                        facets[kind.key] = "Facets"
                        continue
                    first = self.args(kind).get("first", 24 if kind.name == "months" else 20)
                    limit = check_first(first, self.limits.max_page) or first
                    toggles = any(x.name == "toggle" for x in kind.children)
                    found = group(self.db, page, kind.name, limit, disjunctive, toggles)
                    facets[kind.key] = self.facet_counts(found, kind.children)
                out[c.key] = facets
            elif c.name == "__typename":
                out[c.key] = "ArticleConnection"
            else:
                raise Fallback
        return out

    def facet_counts(self, found: Iterable[FacetValue], children: tuple[Field, ...]) -> list[Dict]:
        return [
            {c.key: ("FacetCount" if c.name == "__typename" else getattr(v, c.name))
             for c in children}
            for v in found
        ]  # fmt: skip

    # -- object lists ----------------------------------------------------------------

    def article_nodes(self, rows: list[ArticleRow], f: Field) -> list[Any]:
        """The values of an article list or object field: written by SQLite when the
        selection has a shape (JSON text embedded as is), else built here."""
        if f.rendered is None or not rows:
            return self.articles(rows, f.children)
        if not self.db.can_render(f.rendered.shape):  # the rows hold their ids alone: read the rest
            found = self.db.articles_by_id([r.id for r in rows], self.node_columns(f))
            return self.articles([found[r.id] for r in rows if r.id in found], f.children)
        found = self.rendered_articles([row.id for row in rows], f)
        return [found[row.id] for row in rows]

    def node_columns(self, f: Field) -> Any:
        """The columns the articles of a field read when built here (a field SQLite would
        have written reads their ids alone)."""
        return columns_of("Article", f.children) if f.rendered is not None else f.columns

    def rendered_articles(self, ids: list[int], f: Field) -> dict[int, Any]:
        """The JSON of the articles with these ids (those that exist), by id."""
        shape = f.rendered
        assert shape is not None
        values = []
        for parameter in shape.parameters:
            args = self.args(parameter.field)
            if parameter.argument == "first":
                values.append(no_limit(check_first(args.get("first"), self.limits.max_page)))
            else:
                values.append(args.get(parameter.argument, 0))
        found = self.db.render_articles(shape.shape, ids, values)
        return {i: Fragment(text) for i, text in found.items()}

    def articles(self, rows: list[ArticleRow], fields: tuple[Field, ...]) -> list[Dict]:
        """Dicts for a list of articles; nested fields are fetched once for the whole list.
        An empty list reads nothing and checks no argument (no resolver would run)."""
        if not rows:
            return []
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
                wanted = union(r for r in fields if r.name == "related")
                nested["related"] = self.db.related(ids, wanted)
            elif f.name == "similar" and "similar" not in nested:
                nested["similar"] = self.db.similar_ids(ids)
            elif f.name == "duplicates" and "duplicates" not in nested:
                nested["duplicates"] = self.db.duplicate_ids(ids)
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
            elif f.name in ("similar", "duplicates"):
                columns.append(self.similar(rows, nested[f.name], f))
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
            elif f.name == "filedProvider":
                columns.append(self.filed_providers([r.filed_provider_id for r in rows], f))
            elif f.name == "secured":
                columns.append([row.secured for row in rows])
            elif f.name == "__typename":
                columns.append(["Article"] * len(rows))
            else:
                getter = self.scalar(f, ARTICLE_SCALARS)
                columns.append([getter(row) for row in rows])
        keys = [f.key for f in fields]
        return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]

    def similar(self, rows: list[ArticleRow], ranked: dict[int, list[int]], f: Field) -> list[Any]:
        """Each article's similar articles (or duplicates): the nodes of all of them
        fetched at once."""
        if not rows:
            return []
        limit = self.first(f)
        chosen = [ranked.get(row.id, [])[:limit] for row in rows]
        wanted = sorted({i for ids in chosen for i in ids})
        if f.rendered is not None and self.db.can_render(f.rendered.shape):
            nodes = self.rendered_articles(wanted, f) if wanted else {}
        else:
            found = self.db.articles_by_id(wanted, self.node_columns(f)) if wanted else {}
            nodes = dict(zip(found, self.articles(list(found.values()), f.children), strict=True))
        return [[nodes[i] for i in ids if i in nodes] for ids in chosen]

    def related(self, rows: list[RelatedRow], fields: tuple[Field, ...]) -> list[Dict]:
        if not rows:
            return []
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
                if f.rendered is not None and self.db.can_render(f.rendered.shape):
                    nested[f.key] = self.rendered_articles(sorted(targets), f) if targets else {}
                    continue
                wanted = self.node_columns(f)
                found_articles = self.db.articles_by_id(targets, wanted) if targets else {}
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
            elif f.name == "filedProvider":
                columns.append(self.filed_providers([r.filed_provider_id for r in rows], f))
            elif f.name == "__typename":
                columns.append(["RelatedItem"] * len(rows))
            else:
                getter = self.scalar(f, RELATED_SCALARS)
                columns.append([getter(r) for r in rows])
        keys = [f.key for f in fields]
        return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]
