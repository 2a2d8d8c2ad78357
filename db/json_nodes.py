"""Articles rendered as JSON by SQLite: one statement for a whole page of nodes.

A compiled plan that selects only plain fields of an article and of what hangs
off it (its provider, pictures, lead picture, topics, related items with their
provider and article) describes the selection as a :class:`Shape`. This module
turns a shape into one ``SELECT`` of ``json_object``/``json_group_array``
calls with correlated subqueries, as PostGraphile and Hasura do on PostgreSQL:
SQLite builds each node's JSON in C, and the plan embeds it in the response
without building a Python dict per field.

The JSON is what graphql-core would produce for the same selection (keys in
selection order, ``null`` for missing values, booleans for flags, global ids
from the ``ng_id`` SQL function that the API registers), and differential tests
hold the two executors to that.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from db.rows import AREA_CAP
from db.session import IDS, SessionCore, ids_json


class Part(NamedTuple):
    """One key of a JSON object and what gives its value.

    ``kind`` is ``column`` (a column as it is), ``flag`` (an integer column as a
    boolean), ``id`` (the global id of the row: ``name`` is the type), ``story`` (the
    id of an article's story), ``text``
    (a constant string, e.g. ``__typename``), or a relation of the row's table
    (see :data:`RELATIONS`) with its own ``shape``; ``param`` is the index of
    the run-time value a relation takes (a list's ``first``, a lead picture's
    minimum width).
    """

    key: str
    kind: str
    name: str = ""
    shape: Shape | None = None
    param: int | None = None


class Shape(NamedTuple):
    """The JSON object of one row of ``table``: its parts, in response order."""

    table: str
    parts: tuple[Part, ...]


ID_COLUMNS = {"articles": "id", "providers": "domain", "topics": "slug"}
"""The column a table's global id is made from."""


def _score(y: str) -> str:
    """An image's rank for the lead: area (capped), then cached, then earlier first."""
    area = f"max(min(ifnull({y}.width, 0) * ifnull({y}.height, 0), {AREA_CAP}), -{AREA_CAP})"
    return f"{area} * 1048576 + ifnull({y}.is_cached, 0) * 65536 - {y}.position"


RELATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("articles", "provider"): ("one", "providers {y} WHERE {y}.id = {x}.provider_id"),
    ("articles", "images"): (
        "many",
        "article_images {y} WHERE {y}.article_id = {x}.id AND ({p} < 0 OR {y}.position < {p})",
    ),
    ("articles", "lead"): (
        "one",
        "article_images {y} WHERE {y}.article_id = {x}.id AND "
        + _score("{y}")
        + " = (SELECT max("
        + _score("{y}m")
        + ") FROM article_images {y}m WHERE {y}m.article_id = {x}.id"
        " AND ({p} <= 0 OR ifnull({y}m.width, 0) >= {p}))",
    ),
    ("articles", "topics"): (
        "many",
        "article_topics {y}x INDEXED BY article_topics_article"
        " JOIN topics {y} ON {y}.id = {y}x.topic_id WHERE {y}x.article_id = {x}.id",
    ),
    ("articles", "related"): (
        "many",
        "related {y} INDEXED BY sqlite_autoindex_related_1"
        " WHERE {y}.article_id = {x}.id AND ({p} < 0 OR {y}.position < {p})",
    ),
    ("related", "provider"): ("one", "providers {y} WHERE {y}.id = {x}.provider_id"),
    ("related", "article"): ("one", "articles {y} WHERE {y}.id = {x}.target_id"),
    ("related", "images"): (
        "many",
        "related_images {y} WHERE {y}.related_id = {x}.id AND ({p} < 0 OR {y}.position < {p})",
    ),
}
"""How a row reaches the rows of a relation: ``one`` row or ``many`` (a JSON array).

Lists come in their file order without a sort: the index each one is read by
(named where a table has several) is ordered by position, and a JSON value made
in a sort or a subquery's column would lose its JSON-ness (SQLite's subtype)."""

TARGETS = {
    "provider": "providers", "images": "images", "lead": "images", "topics": "topics",
    "related": "related", "article": "articles",
}  # fmt: skip
"""The table (for columns and ids) of each relation's rows."""


class Rendering(NamedTuple):
    """The SQL of a shape and, in the order of its ``?``, the parameters it takes."""

    sql: str
    params: tuple[int, ...]


@lru_cache(maxsize=512)
def rendering(shape: Shape) -> Rendering:
    """``SELECT a.id, <json> FROM articles a WHERE a.id IN <ids>`` for a shape."""
    params: list[int] = []
    expression = _object(shape, "a", params, 0)
    return Rendering(
        f"SELECT a.id, {expression} FROM articles a WHERE a.id IN {IDS}", tuple(params)
    )


def _object(shape: Shape, alias: str, params: list[int], depth: int) -> str:
    pairs = []
    for part in shape.parts:
        pairs.append(f"'{part.key}'")
        pairs.append(_value(shape.table, part, alias, params, depth))
    return f"json_object({', '.join(pairs)})"


def _value(table: str, part: Part, alias: str, params: list[int], depth: int) -> str:
    if part.kind == "column":
        return f"{alias}.{part.name}"
    if part.kind == "flag":
        column = f"{alias}.{part.name}"
        return (
            f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN json('true')"
            " ELSE json('false') END"
        )
    if part.kind == "id":
        return f"ng_id('{part.name}', {alias}.{ID_COLUMNS[table]})"
    if part.kind == "text":
        return f"'{part.name}'"
    if part.kind == "story":
        return f"ng_id('Story', {alias}.story_id)"
    how, source = RELATIONS[(table, part.kind)]
    assert part.shape is not None
    inner = f"r{depth}"
    value = _object(part.shape, inner, params, depth + 1)  # its ? come first in the text
    params.extend([part.param if part.param is not None else -1] * source.count("{p}"))
    source = source.format(x=alias, y=inner, p="?")
    if how == "one":
        return f"(SELECT {value} FROM {source})"
    return f"(SELECT json_group_array({value}) FROM {source})"


NESTING_PROBE = (
    "SELECT json_object('a', (SELECT json_group_array(json_object('b', v.x))"
    " FROM (SELECT 1 AS x) v), 'c', (SELECT json_object('d', 1)))"
)


def nesting_works(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite nests the JSON of subqueries as the renderings need."""
    return bool(conn.execute(NESTING_PROBE).fetchone()[0] == '{"a":[{"b":1}],"c":{"d":1}}')


class NodeReads(SessionCore):
    """Pages of article nodes as JSON text."""

    def render_articles(
        self, shape: Shape, ids: Sequence[int], values: Sequence[Any]
    ) -> dict[int, str]:
        """Each article's JSON for a shape; ``values`` are the shape's parameters."""
        hidden = self.visibility().hidden
        ids = [i for i in ids if i not in hidden] if hidden else ids
        if not ids:
            return {}
        found = rendering(shape)
        params = [-1 if i < 0 else values[i] for i in found.params]
        return dict(self.rows(found.sql, (*params, ids_json(ids))))

    def can_render(self, shape: Shape) -> bool:
        """Whether SQLite can write this shape's JSON here: it nests JSON, and no related
        item's ``article`` is asked while the publication window hides articles (a link
        to a hidden article is null, which the Python path decides)."""
        return self.renders_json and not (self.visibility().hides and links_articles(shape))


def links_articles(shape: Shape) -> bool:
    """Whether a shape follows a related item to its article, at any depth."""
    return any(
        part.kind == "article" or (part.shape is not None and links_articles(part.shape))
        for part in shape.parts
    )
