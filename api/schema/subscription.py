"""The root ``Subscription`` type: live updates as content loads."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from functools import partial

import strawberry

from api.schema.arguments import Filter
from api.schema.connections import ContextInfo
from api.schema.inputs import to_filter
from api.schema.scalars import DateTime, as_datetime
from core.errors import BadArgument
from core.ids import encode_id
from db import query
from db.reader import Session


@strawberry.type(description="What one content load changed.")
class ContentChange:
    version: int = strawberry.field(description="The content version after the change.")
    loaded_at: DateTime | None = strawberry.field(description="When the load finished (UTC).")
    added: list[strawberry.ID] = strawberry.field(description="Ids of articles added.")
    updated: list[strawberry.ID] = strawberry.field(description="Ids of articles changed.")
    removed: list[strawberry.ID] = strawberry.field(
        description="Ids of articles removed (not filtered: they no longer exist to test)."
    )


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description=(
            "Tells a live client when content changed: the new version and the ids added, "
            "updated and removed. With `filter`, only changes touching matching articles. An "
            "article scheduled for later is told as added when its publication time passes."
        )
    )
    async def content_changed(
        self, info: ContextInfo, filter: Filter = None
    ) -> AsyncGenerator[ContentChange, None]:
        ctx = info.context
        if ctx.feed is None or ctx.pool is None:
            raise BadArgument("subscriptions are served over WebSocket at /graphql")
        wanted = to_filter(filter)
        async for change in ctx.feed.changes():
            added, updated = change.added, change.updated
            # the filter, and the publication window: an article scheduled for later is
            # told when its time comes (the feed's change then lists it as added)
            keep = await ctx.pool.read(partial(_matching, wanted, (*added, *updated)))
            added = tuple(i for i in added if i in keep)
            updated = tuple(i for i in updated if i in keep)
            if not added and not updated and not change.removed:
                continue
            yield ContentChange(
                version=change.version,
                loaded_at=as_datetime(change.loaded_at),
                added=[strawberry.ID(encode_id("Article", i)) for i in added],
                updated=[strawberry.ID(encode_id("Article", i)) for i in updated],
                removed=[strawberry.ID(encode_id("Article", i)) for i in change.removed],
            )


def _matching(wanted: query.Filter | None, ids: Iterable[int], session: Session) -> set[int]:
    return session.matching_ids(wanted, ids)
