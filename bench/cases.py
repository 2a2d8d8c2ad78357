"""The query shapes the serving benchmark sends, with bodies for warm and cold runs.

*Warm* sends one body again and again; *cold* cycles bodies whose ``minWidth``
never repeats (the Lua script fills the ``{K}`` slot), so no response cache
can help, while every ``minWidth`` at or below 320 picks the same lead image
on the generated corpora, so cold and warm do the same work. Parameters (a
popular topic, slugs, page-500 cursors) are looked up in the data first.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from bench import queries
from bench.paging import deep_cursors, end_cursor, feed_cursors

SLOT = "{K}"
SENTINEL = 987_654_321
BASE_MIN_WIDTH = 300
COLD_BASE = BASE_MIN_WIDTH - 1
CHECK_BASE = -1_000_000
"""Warm requests ask for ``minWidth: 300``; cold ones for 299, 298, ... and below, so that
no cold request repeats the warm one (or the checks', which use -1,000,000 and below)."""
ALL_CASES = (
    "homepage", "topic", "deep", "search", "article",
    "readme-topic", "readme-provider", "readme-search", "readme-article",
    "snippets", "similar", "best-newest", "trending-2", "sidebar", "changes", "dedupe",
)  # fmt: skip
"""The bench's shapes, then the README's TopicPage, ProviderPage, Search and Article
(:mod:`bench.queries`; the README's Homepage is ``homepage``), then its Discovery
examples: SearchSnippets (``snippets``), MoreLikeThis (``similar``), BestThenNewest
(``best-newest``, page 6), Trending (``trending-2``, page 2) and Sidebar (``sidebar``: the
two largest topics ticked, disjunctive facets with toggles), ``changes``: a search
indexer catching up with the change feed from version 0, 100 articles a page (warm: the
first page; cold: the first :data:`FEED_PAGES` pages by cursor), and ``dedupe``: the
homepage with ``dedupe: true`` (one article per story). The README's documents do
not use ``minWidth``: their cold bodies carry it as an unused variable, which keys the
response cache (so it cannot answer) without changing the work."""
DEEP_PAGE = 500
FEED_PAGES = 20
SEARCH_WORDS = (
    "cloud", "privacy", "ransomware", "chip", "robot", "battery", "satellite", "browser",
    "kernel", "encryption", "startup", "regulator", "drone", "telescope", "compiler",
    "firmware", "wallet", "podcast", "datacenter", "quantum",
)  # fmt: skip

HOMEPAGE = """query Homepage($first: Int!, $after: String, $minWidth: Int!) {
  articles(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id slug title excerpt publishedAt webUrl
      provider { name domain }
      leadImage(minWidth: $minWidth) { url width height }
      images { url width height }
      topics { name slug }
      related(first: 3) { title webUrl provider { name } article { slug } }
    }
  }
}"""

DEDUPED = HOMEPAGE.replace("after: $after)", "after: $after, dedupe: true)", 1)
"""The homepage with one article per story (its counts over a window of the newest)."""

TOPIC = """query TopicPage($slug: String!, $minWidth: Int!) {
  topic(slug: $slug) {
    name articleCount parent { name }
    articles(first: 20) {
      totalCount
      nodes {
        title publishedAt provider { name }
        leadImage(minWidth: $minWidth) { url width height }
      }
      facets { providers(first: 5) { value label count } types { value count } }
    }
  }
}"""

SEARCH = """query Search($text: String!, $minWidth: Int!) {
  articles(filter: { text: $text }, first: 10) {
    totalCount
    nodes {
      title excerpt publishedAt provider { name }
      leadImage(minWidth: $minWidth) { url width height }
    }
  }
}"""

ARTICLE = """query Article($slug: String!, $minWidth: Int!) {
  article(slug: $slug) {
    title publishedAt quality heat published
    provider { name domain }
    leadImage(minWidth: $minWidth) { url width height }
    topics { name }
    related {
      title publishedAt webUrl ampWebUrl quality
      provider { name domain }
      images { url width height }
      article { slug }
    }
  }
}"""

BEST_NEWEST = """query BestThenNewest($after: String, $minWidth: Int!) {
  articles(first: 20, after: $after, orderBy: [{ field: QUALITY, direction: DESC },
                                               { field: PUBLISHED_AT, direction: DESC }]) {
    pageInfo { hasNextPage endCursor }
    nodes { title quality publishedAt leadImage(minWidth: $minWidth) { url width height } }
  }
}"""

TRENDING = """query Trending($after: String, $minWidth: Int!) {
  articles(first: 20, after: $after, orderBy: { field: TRENDING, halfLifeHours: 24 }) {
    asOf
    pageInfo { hasNextPage endCursor }
    nodes {
      title heat quality publishedAt provider { name }
      leadImage(minWidth: $minWidth) { url width height }
    }
  }
}"""

# --- wrk output --------------------------------------------------------------------------


@dataclass
class Case:
    """One query shape: where it goes, the warm body and the cold body templates."""

    name: str
    path: str
    warm: str
    cold: list[str]
    note: str = ""
    response_bytes: int = 0
    response_body: bytes = b""


def graphql_body(query: str, variables: dict[str, Any]) -> str:
    """A GraphQL POST body as one JSON line."""
    return json.dumps({"query": query, "variables": variables}, separators=(",", ":"))


def template(body_with_sentinel: str) -> str:
    """Turn the one ``987654321`` in a JSON body into the Lua script's ``{K}`` slot."""
    if body_with_sentinel.count(str(SENTINEL)) != 1 or SLOT in body_with_sentinel:
        raise ValueError("a body template needs exactly one slot")
    return body_with_sentinel.replace(str(SENTINEL), SLOT)


def fill(tpl: str, value: int) -> str:
    """The body a template gives for ``value`` (what the Lua script sends)."""
    return tpl.replace(SLOT, str(value), 1)


def gql_case(name: str, query: str, variants: Sequence[dict[str, Any]], note: str = "") -> Case:
    """A GraphQL case: warm sends the first variant; cold cycles all with a unique minWidth."""
    cold = [template(graphql_body(query, {**v, "minWidth": SENTINEL})) for v in variants]
    return Case(name, "/graphql", fill(cold[0], BASE_MIN_WIDTH), cold, note)


def floor_case() -> Case:
    """The floor app's homepage, with the same unique ``minWidth`` trick for cold."""
    cold = [template(json.dumps({"first": 20, "minWidth": SENTINEL}, separators=(",", ":")))]
    return Case("floor", "/homepage", fill(cold[0], BASE_MIN_WIDTH), cold, "hand-written SQL")


def popular_topics(db: Path, n: int) -> list[tuple[str, int]]:
    """The slugs and article counts of the ``n`` topics with the most articles."""
    with closing_db(db) as conn:
        rows = conn.execute(
            "SELECT slug, article_count FROM topics ORDER BY article_count DESC, slug LIMIT ?",
            (n,),
        ).fetchall()
    if len(rows) < n:
        raise SystemExit(f"the database has fewer than {n} topics; load a corpus first")
    return [(str(slug), int(count)) for slug, count in rows]


def popular_topic(db: Path) -> tuple[str, int]:
    """The slug and article count of the topic with the most articles."""
    return popular_topics(db, 1)[0]


def popular_provider(db: Path) -> tuple[str, int]:
    """The domain and article count of the provider with the most articles."""
    with closing_db(db) as conn:
        row = conn.execute(
            "SELECT domain, article_count FROM providers ORDER BY article_count DESC, domain"
            " LIMIT 1"
        ).fetchone()
    if row is None:
        raise SystemExit("the database has no providers; load a corpus first")
    return str(row[0]), int(row[1])


def article_slugs(db: Path, limit: int = 2000) -> list[str]:
    """Slugs spread over the corpus, articles with related items first in each stride."""
    with closing_db(db) as conn:
        rows = conn.execute(
            "SELECT slug FROM articles a WHERE EXISTS"
            " (SELECT 1 FROM related r WHERE r.article_id = a.id)"
            " ORDER BY (a.id * 7919) % 10007, a.id LIMIT ?",
            (limit,),
        ).fetchall()
    if not rows:
        raise SystemExit("the database has no article with related items")
    return [str(r[0]) for r in rows]


@contextmanager
def closing_db(db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to look up case parameters, closed afterwards."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def build_cases(names: Sequence[str], db: Path, client: httpx.Client, out: TextIO) -> list[Case]:
    """The GraphQL cases asked for, with their parameters looked up in the data."""
    cases: list[Case] = []
    for name in names:
        if name == "homepage":
            cases.append(gql_case(name, HOMEPAGE, [{"first": 20, "after": None}], "20 newest"))
        elif name == "topic":
            slug, count = popular_topic(db)
            note = f"topic {slug!r} ({count:,} articles), facets"
            cases.append(gql_case(name, TOPIC, [{"slug": slug}], note))
        elif name == "deep":
            started = time.monotonic()
            cursors, page = deep_cursors(client, DEEP_PAGE, started + 600)
            out.write(
                f"deep: paged to page {page} through the API in "
                f"{time.monotonic() - started:.1f} s\n"
            )
            variants = [{"first": 20, "after": c} for c in [cursors[-1], *cursors[:-1]]]
            cases.append(gql_case(name, HOMEPAGE, variants, f"page {page} by cursor"))
        elif name == "search":
            variants = [{"text": w} for w in SEARCH_WORDS]
            note = f"'{SEARCH_WORDS[0]}' warm, {len(SEARCH_WORDS)} words cold"
            cases.append(gql_case(name, SEARCH, variants, note))
        elif name == "article":
            slugs = article_slugs(db)
            note = f"by slug, {len(slugs):,} slugs cold"
            cases.append(gql_case(name, ARTICLE, [{"slug": s} for s in slugs], note))
        elif name == "best-newest":
            after = end_cursor(client, BEST_NEWEST, 5)
            note = "quality then date, page 6 by cursor"
            cases.append(gql_case(name, BEST_NEWEST, [{"after": after}], note))
        elif name == "trending-2":
            after = end_cursor(client, TRENDING, 1)
            note = "TRENDING (24 h), page 2 by cursor"
            cases.append(gql_case(name, TRENDING, [{"after": after}], note))
        elif name.startswith("readme-"):
            cases.append(_readme_case(name, db))
        elif name == "snippets":
            variants = [{"text": w} for w in SEARCH_WORDS]
            note = f"SearchSnippets, {len(SEARCH_WORDS)} words cold"
            cases.append(gql_case(name, queries.SEARCH_SNIPPETS, variants, note))
        elif name == "similar":
            slugs = article_slugs(db)
            note = f"MoreLikeThis, {len(slugs):,} slugs cold"
            cases.append(gql_case(name, queries.MORE_LIKE_THIS, [{"slug": s} for s in slugs], note))
        elif name == "dedupe":
            note = "20 newest, one per story"
            cases.append(gql_case(name, DEDUPED, [{"first": 20, "after": None}], note))
        elif name == "sidebar":
            (first, n1), (second, n2) = popular_topics(db, 2)
            note = f"Sidebar, topics {first!r} + {second!r} ({n1:,} + {n2:,} articles)"
            cases.append(gql_case(name, queries.SIDEBAR, [{"topics": [first, second]}], note))
        elif name == "changes":
            afters = feed_cursors(client, FEED_PAGES)
            note = f"ChangePages since 0, 100 a page, {len(afters)} pages cold"
            variants = [{"since": 0, "after": a} for a in afters]
            cases.append(gql_case(name, queries.CHANGE_PAGES, variants, note))
        else:
            raise SystemExit(f"unknown case {name!r}; choose from {', '.join(ALL_CASES)}")
    return cases


def _readme_case(name: str, db: Path) -> Case:
    """A README example with its literal values looked up in the data."""
    if name == "readme-topic":
        slug, count = popular_topic(db)
        return gql_case(name, queries.TOPIC_PAGE, [{"slug": slug}], f"TopicPage {slug!r} "
                        f"({count:,} articles)")  # fmt: skip
    if name == "readme-provider":
        domain, count = popular_provider(db)
        return gql_case(name, queries.PROVIDER_PAGE, [{"domain": domain}],
                        f"ProviderPage {domain!r} ({count:,} articles)")  # fmt: skip
    if name == "readme-search":
        variants = [{"text": w} for w in SEARCH_WORDS]
        return gql_case(name, queries.SEARCH, variants, f"Search, {len(SEARCH_WORDS)} words cold")
    if name == "readme-article":
        slugs = article_slugs(db)
        return gql_case(name, queries.ARTICLE, [{"slug": s} for s in slugs],
                        f"Article, {len(slugs):,} slugs cold")  # fmt: skip
    raise SystemExit(f"unknown case {name!r}; choose from {', '.join(ALL_CASES)}")


TOLERATED = frozenset({"TIMEOUT"})
"""Error codes that are the server's answer to the work, not a broken benchmark: a case
answering them is measured anyway (wrk counts the errors)."""


def check_case(client: httpx.Client, case: Case) -> str | None:
    """Send the warm body and a few cold ones (with minWidths no run sends). Stop the
    benchmark on an answer that says the benchmark is wrong (a validation error, a null
    page); return a note when the server only answered ``TIMEOUT``, else None."""
    n = len(case.cold)
    bodies = [case.warm] + [
        fill(case.cold[k % n], CHECK_BASE - k // n) for k in dict.fromkeys((0, 1, n, 400 * n + 1))
    ]
    problem = None
    for body in bodies:
        answer = client.post(case.path, content=body, headers={"content-type": "application/json"})
        data = answer.json() if answer.status_code == 200 else None
        errors = (data or {}).get("errors") or []
        codes = {str((e.get("extensions") or {}).get("code")) for e in errors}
        if body is case.warm:
            case.response_bytes = len(answer.content)
            case.response_body = answer.content
        if codes and codes <= TOLERATED:
            problem = problem or (
                f"case {case.name}: the server answered {', '.join(sorted(codes))} to "
                f"{body[-160:]}; measured anyway, its errors are counted"
            )
            continue
        bad = (
            data is None
            or data.get("errors")
            or not data.get("data")
            or None in (data["data"].values())
        )
        if bad:
            raise SystemExit(
                f"case {case.name}: the server answered {answer.status_code} "
                f"{answer.text[:500]!r} to {body[-300:]}"
            )
    return problem
