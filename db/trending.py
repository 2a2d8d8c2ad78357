"""Trending pages: articles ranked by heat and quality decayed by age, exactly and boundedly.

The score of an article as of an instant ``as_of`` is

    (1 + max(heat, 0) + max(quality, 0)) * 2 ** (-age_hours / half_life)

where ``age_hours`` runs from publication to ``as_of`` (0 for an article
published later) and missing heat or quality count as 0. Pages are ranked by
its base-2 logarithm, the same order, so that articles years old keep distinct
finite scores (the score itself underflows to 0 after some thousand
half-lives); articles without a publication time rank last (:data:`UNDATED`).
Ties are broken by id, highest first.

Scoring every matching article would read them all on every first page. The
walk reads the matches newest first instead, in chunks, through the same
indexes as a feed (the date index holds heat and quality too, so an unfiltered
walk never reads a row): an article published at or before the last one read has a
log-score of at most ``log2(best base) - age_hours / half_life``, the best base
being ``1 + max(heat) + max(quality)`` over all articles (two index look-ups).
Once the page's last candidate scores above that bound, nothing older can enter
the page, and the walk stops: exact, and about ``half_life * log2(best base /
page's lowest base)`` hours of articles past the page's oldest one.
"""

from __future__ import annotations

import heapq
import math
import time
from datetime import UTC, datetime
from typing import Any

from core.errors import QueryTimeout
from db.pages import PageReads
from db.query import Filter, single_topic
from db.rows import ArticleRow, Columns
from db.session import TIMEOUT_MESSAGE, SlowWork

UNDATED = -1e300
"""The log-score of an article without a publication time: below every other."""
LAST_CHUNK = 4096
BEST_BASE = (
    "SELECT (SELECT ifnull(max(sk_heat), 0) FROM articles),"
    " (SELECT ifnull(max(sk_quality), 0) FROM articles)"
)


def epoch(timestamp: str) -> float:
    """Seconds since 1970 of a stored ISO-8601 timestamp (UTC when it has no offset)."""
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class TrendingReads(PageReads):
    """Pages of articles by trending score."""

    def trending_page(
        self,
        f: Filter | None,
        half_life: float,
        as_of: str,
        limit: int,
        cursor: tuple[float, int] | None,
        *,
        backward: bool = False,
        columns: Columns = None,
    ) -> list[tuple[float, ArticleRow]]:
        """One page as (log-score, row), most trending first: the ``limit`` best after
        ``cursor``, or with ``backward`` the ``limit`` just before it."""
        if f is not None and f.texts():
            self.slow()
        moment = epoch(as_of)
        heat, quality = self.aggregate(BEST_BASE, (), quick=True)[0]
        best = math.log2(1 + max(heat, 0) + max(quality, 0))
        # forward: the best `limit` below the cursor (a min-heap of them);
        # backward: the lowest `limit` above it (a min-heap of negated pairs)
        kept: list[tuple[float, int]] = []
        log2, parse, push, replace = (
            math.log2,
            datetime.fromisoformat,
            heapq.heappush,
            heapq.heapreplace,
        )
        for chunk in self._newest_first(f, max(4 * limit, 64)):
            for article_id, published, heat, quality in chunk:
                if published:
                    stamp = parse(published)
                    seconds = moment - (stamp.timestamp() if stamp.tzinfo else epoch(published))
                    base = 1 + (heat if heat > 0 else 0) + (quality if quality > 0 else 0)
                    score = log2(base) - (seconds if seconds > 0 else 0.0) / 3600.0 / half_life
                else:
                    score = UNDATED
                if backward:
                    if cursor is not None and (score, article_id) <= cursor:
                        continue
                    item = (-score, -article_id)
                elif cursor is not None and (score, article_id) >= cursor:
                    continue
                else:
                    item = (score, article_id)
                if len(kept) < limit:
                    push(kept, item)
                elif item > kept[0]:
                    replace(kept, item)
            published = chunk[-1][1]  # the oldest read so far: nothing unread is newer
            bound = UNDATED
            if published:
                bound = best - max(moment - epoch(published), 0.0) / 3600.0 / half_life
            if backward:
                if cursor is not None and bound < cursor[0]:
                    break  # nothing older scores as high as the cursor
            elif len(kept) == limit and kept[0][0] > bound:
                break  # nothing older can enter the page
        if backward:
            chosen = sorted(((-s, -i) for s, i in kept), reverse=True)
        else:
            chosen = sorted(kept, reverse=True)
        rows = self.articles_by_id([i for _, i in chosen], columns)
        return [(s, rows[i]) for s, i in chosen if i in rows]

    def _newest_first(self, f: Filter | None, size: int) -> Any:
        """The filter's matches newest first as chunks of (id, published, heat, quality),
        the first ``size`` long, each next one twice as long (up to :data:`LAST_CHUNK`)."""
        topic = single_topic(f)
        params: list[Any] = []
        if f is not None and topic is not None:
            source, key, key_id, cond = self.topic_source(f, topic)
            params.extend((topic, topic))
        else:
            source, key, key_id, cond = (
                "articles a",
                "a.sk_published",
                "a.id",
                self.cond(f),
            )
        params.extend(cond.params)
        base = f"SELECT a.id, {key}, a.sk_heat, a.sk_quality FROM {source} WHERE {cond.sql}"
        order = f" ORDER BY {key} DESC, {key_id} DESC LIMIT ?"
        last: tuple[str, int] | None = None
        while True:
            self._check_time()
            if last is None:
                found = self.rows(base + order, [*params, size])
            else:
                sql = f"{base} AND ({key}, {key_id}) < (?, ?){order}"
                found = self.rows(sql, [*params, *last, size])
            if found:
                yield found
            if len(found) < size:
                return
            last = (found[-1][1], found[-1][0])
            size = min(size * 2, LAST_CHUNK)

    def _check_time(self) -> None:
        """Between statements: move off the event loop, or stop, as a statement would."""
        now = time.monotonic()
        if now > self.deadline:
            raise QueryTimeout(TIMEOUT_MESSAGE)
        if self.on_loop and now > self.loop_deadline:
            raise SlowWork
