"""The parts of a plan's execution that build plain objects: providers, topics, images.

:class:`Objects` holds what one execution reads (session, limits, variables)
and turns rows of the small tables into response dicts; :class:`~api.plans.run.Execution`
adds the article lists, which these objects may hold (a provider's or topic's
``articles``), through :meth:`Objects.connection`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graphql.execution.values import get_argument_values

from api.plans.tree import Fallback, Field
from api.plans.values import PROVIDER_SCALARS, TOPIC_SCALARS
from api.plans.variables import build_arguments
from api.schema.filed import image_rows
from api.schema.links import LinkKind, pick_url, preference
from api.schema.pagination import check_first
from core.clock import Now
from core.config import Limits
from db.reader import Session
from db.rows import ImageRow, ProviderRow, TopicRow

Dict = dict[str, Any]


class Objects:
    """One execution's reads, and the plain objects it builds."""

    def __init__(
        self, db: Session, limits: Limits, variables: Any, authorized: bool, now: Now
    ) -> None:
        self.db = db
        self.limits = limits
        self.variables = variables
        self.authorized = authorized
        self.now = now

    def args(self, field: Field) -> dict[str, Any]:
        if not field.has_args or field.definition is None:
            return {}
        if field.static_args is not None:
            return field.static_args
        if field.template is not None:
            built = build_arguments(field.template, self.variables)
            if built is not None:
                return built
        return get_argument_values(field.definition, field.node, self.variables)

    def first(self, field: Field) -> int | None:
        return check_first(self.args(field).get("first"), self.limits.max_page)

    def scalar(
        self, field: Field, getters: Mapping[str, Callable[[Any], Any]]
    ) -> Callable[[Any], Any]:
        """How to read a plain field from a row (``url`` reads its arguments once)."""
        if field.name == "url":  # checked at the first row, as the resolver would be
            asked = self.args(field).get("prefer")
            kinds: list[Sequence[LinkKind]] = []

            def url(row: Any) -> str | None:
                if not kinds:
                    kinds.append(preference(asked))
                return pick_url(row, kinds[0])

            return url
        getter = getters.get(field.name)
        if getter is None:
            raise Fallback
        return getter

    def providers(self, rows: list[ProviderRow], field: Field) -> list[Dict]:
        if not rows:
            return []
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
                    d[f.key] = PROVIDER_SCALARS[f.name](row)
            out.append(d)
        return out

    def topics(self, rows: list[TopicRow], field: Field) -> list[Dict]:
        if not rows:
            return []
        if field.getters is not None:  # the usual { name slug }
            return [{key: get(r) for key, get in field.getters} for r in rows]
        fields = field.children
        parents: dict[str, Any] = {}
        children: dict[str, dict[str, list[Dict]]] = {}
        for f in fields:
            if f.name == "parent":
                names = {r.parent.casefold() for r in rows if r.parent}
                found = self.db.topics_by_name(names) if names else {}
                built = self.topics(list(found.values()), f)
                parents[f.key] = dict(zip(found, built, strict=True))
            elif f.name == "children":
                names = {r.name.casefold() for r in rows}
                per_parent = self.db.topics_by_parent(names) if names else {}
                unique = {t.id: t for ts in per_parent.values() for t in ts}
                made = dict(zip(unique, self.topics(list(unique.values()), f), strict=True))
                children[f.key] = {k: [made[t.id] for t in ts] for k, ts in per_parent.items()}
        out: list[Dict] = []
        for row in rows:
            d: Dict = {}
            for f in fields:
                if f.name == "parent":
                    d[f.key] = parents[f.key].get(row.parent.casefold()) if row.parent else None
                elif f.name == "children":
                    d[f.key] = children[f.key].get(row.name.casefold(), [])
                elif f.name == "articles":
                    d[f.key] = self.connection(f, topic=row.slug)
                elif f.name == "__typename":
                    d[f.key] = "Topic"
                else:
                    d[f.key] = TOPIC_SCALARS[f.name](row)
            out.append(d)
        return out

    def images(self, rows: list[ImageRow], f: Field) -> list[Dict]:
        getters = f.getters
        if getters is None:
            raise Fallback
        return [{key: get(r) for key, get in getters} for r in rows]

    def filed_providers(self, form_ids: list[int | None], f: Field) -> list[Dict | None]:
        """Each row's provider as its file wrote it (``filedProvider``), forms read at once."""
        wanted = {i for i in form_ids if i is not None}
        found = self.db.filed_providers(wanted) if wanted else {}
        built: dict[int, Dict] = {}
        for form_id, row in found.items():
            d: Dict = {}
            for c in f.children:
                if c.name == "images":
                    limit = self.first(c)
                    logos = image_rows(row)
                    d[c.key] = self.images(logos if limit is None else logos[:limit], c)
                elif c.name == "__typename":
                    d[c.key] = "FiledProvider"
                elif c.name in ("domain", "name"):
                    d[c.key] = getattr(row, c.name)
                else:
                    raise Fallback
            built[form_id] = d
        return [None if i is None else built.get(i) for i in form_ids]

    def connection(self, f: Field, provider: str | None = None, topic: str | None = None) -> Dict:
        """A provider's or topic's ``articles`` (the article lists are the subclass's)."""
        raise NotImplementedError
