"""Paging through the API to find the cursors the serving benchmark's cases start from."""

from __future__ import annotations

import time

import httpx

from bench import queries

CURSORS = """query Cursors($after: String) {
  articles(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor } }
}"""


def deep_cursors(client: httpx.Client, page: int, deadline: float) -> tuple[list[str], int]:
    """The edge cursors of the page before ``page`` of the feed, paging through the API
    (or of the last full page, on a smaller corpus); returns them and the page they open."""
    after: str | None = None
    cursors: list[str] = []
    for reached in range(1, page):
        if time.monotonic() > deadline:
            raise SystemExit(f"paging to page {page} took too long; is the server healthy?")
        answer = client.post("/graphql", json={"query": CURSORS, "variables": {"after": after}})
        answer.raise_for_status()
        data = answer.json()
        if data.get("errors"):
            raise SystemExit(f"paging failed: {data['errors']}")
        conn = data["data"]["articles"]
        if len(conn["edges"]) < 20 or not conn["pageInfo"]["hasNextPage"]:
            if not cursors:
                raise SystemExit("the feed has a single page; the deep case needs more items")
            return cursors, reached
        cursors = [e["cursor"] for e in conn["edges"]]
        after = conn["pageInfo"]["endCursor"]
    return cursors, page


def end_cursor(client: httpx.Client, query: str, pages: int) -> str:
    """The end cursor of the ``pages``-th page of a list (pages read through the API)."""
    after: str | None = None
    for _ in range(pages):
        answer = client.post(
            "/graphql", json={"query": query, "variables": {"after": after, "minWidth": 0}}
        )
        answer.raise_for_status()
        body = answer.json()
        if body.get("errors"):
            raise SystemExit(f"paging failed: {body['errors']}")
        after = body["data"]["articles"]["pageInfo"]["endCursor"]
        if after is None:
            raise SystemExit("the list ended early; the case needs a bigger corpus")
    assert after is not None
    return after


def feed_cursors(client: httpx.Client, pages: int) -> list[str | None]:
    """``after`` for each of the change feed's first ``pages`` pages since version 0 (None
    for the first), read through the API."""
    afters: list[str | None] = [None]
    while len(afters) < pages:
        variables = {"since": 0, "after": afters[-1]}
        answer = client.post(
            "/graphql", json={"query": queries.CHANGE_PAGES, "variables": variables}
        )
        answer.raise_for_status()
        body = answer.json()
        if body.get("errors"):
            raise SystemExit(f"paging the change feed failed: {body['errors']}")
        info = body["data"]["changes"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        afters.append(info["endCursor"])
    return afters
