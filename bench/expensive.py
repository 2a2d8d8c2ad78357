"""The most expensive queries the server's limits accept, each request different.

Why: target 2 of issue 14 says no request may stall another, and the honest test sends
what an unfriendly client would: the largest work that passes the limits (README,
"Limits": depth 10, 15 aliases, cost 50,000, ``first`` <= 100, 1 s of SQL). Each family
below is one way to make the server count, sort or facet a large set:

- ``search-facets``: seven lists (aliases), each a search for one of the most common words
  (in nearly every article) with a different ``qualityMin``, ``totalCount``, a page of 100
  and all six disjunctive facet groups (50 values each; a facet's ``first`` only trims
  its output, the counting is the same);
- ``or-not``: seven lists, each an ``or`` of a common word with other conditions and a
  ``not`` holding a search, sorted by QUALITY, with counts and facets;
- ``deep-quality``: a deep page (by cursor) of a rare topic's articles sorted by QUALITY;
- ``providers-facets`` / ``topics-facets``: 9 providers (or topics), each with its
  articles' count and facets for a common word (a filtered count or facets costs 5,000:
  nine is what the cost limit accepts);
- ``aliases``: 8 aliases, each a count and three facets for a different common word.

Every filter carries ``publishedBefore`` a number of seconds before the year 3000 that
never repeats (:func:`before`): it matches the same articles, so the work is the same,
but no response, count or facet cache holds an earlier answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, parse

from api.schema.build import build_schema
from api.schema.limits import cost_of
from core.config import Limits

ALL_FACETS = """facets(disjunctive: true) {
      topics(first: 50) { value count } providers(first: 50) { value count }
      categories(first: 50) { value count } types(first: 50) { value count }
      years { value count } months(first: 50) { value count }
    }"""
COPIES = 7
"""Aliased copies of a family's list, each with a different filter (``qualityMin`` 0..6):
counts and facets are once per list in the cost, so seven lists of 100 are what the cost
limit accepts."""


def _copies(field: str) -> str:
    """``COPIES`` aliases of one list field whose filter differs by ``qualityMin``."""
    return "\n".join(f"  q{i}: " + field.replace("$QMIN", str(i)) for i in range(COPIES))


SEARCH_FACETS = (
    "query StallSearch($text: String!, $before: DateTime!) {\n"
    + _copies(
        "articles(filter: { text: $text, publishedBefore: $before, qualityMin: $QMIN },"
        " first: 100) { totalCount"
        " nodes { title excerpt publishedAt provider { name } topics { name } }"
        f" {ALL_FACETS} }}"
    )
    + "\n}"
)

OR_NOT = (
    "query StallOrNot($text: String!, $rare: String!, $before: DateTime!) {\n"
    + _copies(
        "articles(filter: { publishedBefore: $before,"
        " or: [{ text: $text }, { qualityMin: $QMIN }, { hasImages: true }],"
        ' not: { or: [{ text: $rare }, { type: "bench-no-such-type" }] } },'
        " orderBy: { field: QUALITY, direction: DESC }, first: 100) {"
        f" totalCount nodes {{ title quality publishedAt }} {ALL_FACETS} }}"
    )
    + "\n}"
)

DEEP_QUALITY = """query StallDeep($slug: String!, $after: String, $before: DateTime!) {
  articles(
    filter: { topicsAny: [$slug], publishedBefore: $before }
    orderBy: { field: QUALITY, direction: ASC }
    first: 100
    after: $after
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { title quality publishedAt provider { name } }
  }
}"""

NESTED_FACETS = """query Stall{Root}($text: String!, $before: DateTime!) {{
  {root}(first: 9) {{
    nodes {{
      name
      articles(first: 5, filter: {{ text: $text, publishedBefore: $before }}) {{
        totalCount
        nodes {{ title }}
        facets {{ topics(first: 10) {{ value count }} types {{ value count }} }}
      }}
    }}
  }}
}}"""


def aliases_query(words: Sequence[str]) -> str:
    """Up to 8 aliases, each counting and faceting a different word (as many as the cost
    limit accepts: a filtered count or facets costs 5,000)."""
    fields = "\n".join(
        f"  w{i}: articles(filter: {{ text: {_quote(w)}, publishedBefore: $before }}, first: 1)"
        " { totalCount facets { topics(first: 100) { value count }"
        " providers(first: 100) { value count } types { value count } } }"
        for i, w in enumerate(words[:8])
    )
    return f"query StallAliases($before: DateTime!) {{\n{fields}\n}}"


def _quote(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def before(k: int) -> str:
    """``publishedBefore`` for request ``k``: in the year 2999, never the same twice."""
    return (datetime(3000, 1, 1, tzinfo=UTC) - timedelta(seconds=k + 1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


@dataclass(frozen=True)
class Family:
    """One kind of expensive request: its document and the variables for request ``k``."""

    name: str
    query: str
    choices: Sequence[dict[str, Any]]

    def variables(self, k: int) -> dict[str, Any]:
        """The variables of request ``k`` (cycling through ``choices``)."""
        return {**self.choices[k % len(self.choices)], "before": before(k)}


def families(
    common: Sequence[str], rare_word: str, deep: Sequence[tuple[str, str | None]]
) -> list[Family]:
    """The families, given the most common words (most common first), a rare word and
    (rare topic slug, deep cursor) pairs."""
    words = [{"text": w} for w in common[:5]]
    found = [
        Family("search-facets", SEARCH_FACETS, words),
        Family("or-not", OR_NOT, [{**w, "rare": rare_word} for w in words]),
        Family("providers-facets", NESTED_FACETS.format(Root="Providers", root="providers"), words),
        Family("topics-facets", NESTED_FACETS.format(Root="Topics", root="topics"), words),
        Family("aliases", aliases_query(common), [{}]),
    ]
    if deep:
        found.insert(
            2, Family("deep-quality", DEEP_QUALITY, [{"slug": s, "after": c} for s, c in deep])
        )
    return found


@cache
def _schema() -> GraphQLSchema:
    return build_schema()._schema


def cost(query: str, variables: Mapping[str, Any], limits: Limits | None = None) -> int:
    """The cost the server's limit computes for this request (README, "Limits")."""
    limits = limits or Limits()
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return cost_of(_schema(), operation, fragments, variables, limits.default_page)
