"""``changes(since, first, after)``: what changed since a content version, page by page.

A client (or a search indexer) that holds the articles of version ``v`` asks
``changes(since: v)`` and gets the articles added and updated since then, as
``Article`` objects (it selects their fields), and the ids of those removed;
``version`` is what to pass as ``since`` next time. The change log keeps the
last 1,000 changing loads (:mod:`db.feed`); an older version cannot be answered
and the client is told to fetch everything again.

A feed's cursor belongs to its ``since`` and the visibility epoch it was read at
(the version, and the next scheduled publication): when a load commits, or an
article's publication time passes, between two pages, the next page is refused
with what to do (start again from the same ``since``), so no change is missed.
Articles whose publication time came since ``since`` was loaded are added
(:mod:`db.feed`).
"""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from api.schema.connections import ContextInfo, PageInfo
from api.schema.limits import FEED_PAGE
from api.schema.pagination import DAMAGED, decode_values, encode_cursor
from api.schema.types import Article
from core.errors import BadArgument, BadCursor
from core.ids import encode_id
from db.derived import HISTORY
from db.feed import ADDED, REMOVED, UPDATED, ChangeEntry
from db.reader import Session

_KIND = "changes"


@strawberry.type(
    description=(
        "What changed since a content version: the articles added and updated (as they are "
        "now) and the ids of those removed, one page at a time, ordered by article. An article "
        "added and then removed in between is not listed; one removed and updated is removed."
    )
)
class ChangeFeed:
    since: int = strawberry.field(description="The content version the changes are counted from.")
    version: int = strawberry.field(
        description=(
            "The content version this feed was read at: once every page is read, pass it as "
            "`since` next time."
        )
    )
    added: list[Article] = strawberry.field(
        description="Articles of this page that were not there at `since`."
    )
    updated: list[Article] = strawberry.field(
        description="Articles of this page that were there at `since` and changed since."
    )
    removed_ids: list[strawberry.ID] = strawberry.field(
        description="Ids (global, as `Article.id`) of this page's articles removed since `since`."
    )
    page_info: PageInfo = strawberry.field(
        description="Paging: pass `endCursor` as `after` while `hasNextPage`."
    )
    since_version: strawberry.Private[int]

    @strawberry.field(description="How many articles changed since `since`, across all pages.")
    def total_count(self, info: ContextInfo) -> int:
        return info.context.db.change_count(self.since_version)


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of the feed as read: its entries, the version, the cursors."""

    entries: list[ChangeEntry]
    version: int
    has_next: bool
    has_previous: bool
    cursors: list[str]


def read_feed(
    db: Session, since: int, first: int | None, after: str | None, maximum: int
) -> FeedPage:
    """Check the arguments, then read one page of the feed (errors say what to write)."""
    version = db.content_version()
    if since < 0:
        raise BadArgument(
            f"`since` must be a content version (0 or more), got {since}; "
            "pass `contentInfo.version` or the `version` of your last `changes` page"
        )
    if since > version:
        raise BadArgument(
            f"`since` {since} is newer than the current content version {version}; pass a "
            "version this API returned (`contentInfo.version`, `changes.version`)"
        )
    size = min(FEED_PAGE, maximum) if first is None else first
    if not 1 <= size <= maximum:
        raise BadArgument(
            f"`first` must be between 1 and {maximum}, got {size}; "
            f"ask for at most {maximum} and page on with `pageInfo.endCursor`"
        )
    oldest = db.oldest_change()
    if oldest is not None and since < oldest and not (since == 0 and oldest == 1):
        raise BadArgument(
            f"version {since} is older than the change history kept (from version {oldest}, "
            f"the last {HISTORY:,} loads); fetch the articles again from scratch (`articles`) "
            f"and then poll `changes(since: {version})`"
        )
    bound = db.visibility().bound or ""
    start = 0
    if after is not None:
        (cursor_since, cursor_version, cursor_bound), start = decode_values(
            after, _KIND, ((int,), (int,), (str,)), int
        )
        if cursor_since != since:
            raise BadCursor(
                f"this cursor belongs to `changes(since: {cursor_since})`, not since {since}; "
                "keep the same `since` while paging"
            )
        if (cursor_version, cursor_bound) != (version, bound):
            raise BadCursor(
                f"the content changed while paging (version {cursor_version}, now {version}, "
                "or a scheduled article was published); read "
                f"`changes(since: {since})` again from its first page, without `after`"
            )
        if start < 0:
            raise BadCursor(DAMAGED)
    entries = db.change_page(since, start, size + 1)
    page = entries[:size]
    return FeedPage(
        entries=page,
        version=version,
        has_next=len(entries) > size,
        has_previous=after is not None,
        cursors=[encode_cursor(_KIND, (since, version, bound), e.id) for e in page],
    )


def change_feed(info: ContextInfo, since: int, first: int | None, after: str | None) -> ChangeFeed:
    """Resolve ``changes(since, first, after)``."""
    db = info.context.db
    page = read_feed(db, since, first, after, info.context.limits.max_page)
    kept = [e.id for e in page.entries if e.kind != REMOVED]
    rows = db.articles_by_id(kept) if kept else {}
    nodes = {i: Article.from_row(row) for i, row in rows.items()}
    return ChangeFeed(
        since=since,
        version=page.version,
        added=[nodes[e.id] for e in page.entries if e.kind == ADDED and e.id in nodes],
        updated=[nodes[e.id] for e in page.entries if e.kind == UPDATED and e.id in nodes],
        removed_ids=[
            strawberry.ID(encode_id("Article", e.id)) for e in page.entries if e.kind == REMOVED
        ],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        since_version=since,
    )
