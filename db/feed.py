"""The change feed: what changed since a content version, read from the change log.

Every changing load appends one row to ``changes`` (:mod:`db.changes`) with the
ids it added, updated and removed; the last :data:`db.derived.HISTORY` loads are
kept. Since a version, an article's *net* change is decided by its first event
in that range and by whether it is there now (article ids are never reused):

* there now, first event ``added``: **added** (the client never had it);
* there now, first event ``updated`` or ``removed``: **updated** (it had it);
* gone, first event not ``added``: **removed**;
* gone, first event ``added``: nothing (added and removed in between).

"There now" means *visible* now (:mod:`db.window`): an article hidden until its
publication time is not in the feed, and one whose time came since ``since`` was
loaded is added (with no load in between; a version tells when its load was, not
when a client read it, so a client polling the same ``since`` gets it on every
poll until the next load, which an upsert absorbs). Entries are ordered by id,
so a page ends at an id and the next one starts after it. The whole feed of a
``since`` is worked out once per visibility epoch (the JSON lists of the rows in
range, and which of their articles are visible now: slow work after a first load
of many articles, about 0.1 s at 50,000) and kept in the session's aggregate
cache as two compact arrays; every page of it is then a slice.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from typing import NamedTuple

import orjson

from db.session import SessionCore

ADDED, UPDATED, REMOVED = "added", "updated", "removed"
KINDS = (ADDED, UPDATED, REMOVED)

EVENTS_SQL = "SELECT added, updated, removed FROM changes WHERE version > ? ORDER BY version"
HISTORY_SQL = "SELECT min(version) FROM changes"
LOADED_SQL = "SELECT loaded_at FROM changes WHERE version = ?"
APPEARED_SQL = "SELECT a.id FROM articles a WHERE a.sk_published > ? AND {visible}"
"""Articles published after a load (``since``'s): visible now, they appeared since then."""
PRESENT_SQL = (
    "SELECT a.id FROM json_each(?) j CROSS JOIN articles a ON a.id = j.value WHERE {visible}"
)
"""Which of some ids are visible now: for a few, each looked up."""
VISIBLE_SQL = (
    "SELECT a.id FROM articles a INDEXED BY articles_published"
    " WHERE a.sk_published >= '' AND {visible}"
)
"""Every visible id, from the date index: for many (a first load's feed), 4x faster."""
MANY = 2_000


class ChangeEntry(NamedTuple):
    """One article's net change: its id and ``added``, ``updated`` or ``removed``."""

    id: int
    kind: str


class FeedReads(SessionCore):
    """Reads of the change log as a feed."""

    def oldest_change(self) -> int | None:
        """The oldest version the change log still holds (None when it is empty)."""
        found = self.rows(HISTORY_SQL)
        return None if found[0][0] is None else int(found[0][0])

    def change_page(self, since: int, after: int, limit: int) -> list[ChangeEntry]:
        """Up to ``limit`` net changes since ``since``, of ids above ``after``, by id."""
        ids, kinds = self._feed(since)
        start = bisect_right(ids, after)
        return [
            ChangeEntry(ids[i], KINDS[kinds[i]]) for i in range(start, min(start + limit, len(ids)))
        ]

    def change_count(self, since: int) -> int:
        """How many articles changed since ``since`` (the feed's entries on every page)."""
        return len(self._feed(since)[0])

    def _feed(self, since: int) -> tuple[array[int], bytes]:
        """Every net change since ``since``: ids ascending, and each one's kind (an index
        of :data:`KINDS`), kept per visibility epoch."""
        window = self.visibility()
        key = ("feed", self.content_version(), window.bound, self.show_future, since)
        found = self.aggregates.get(key) if self.aggregates is not None else None
        if found is None:
            self.slow()  # a first load's list is every article
            found = self._net(since)
            if self.aggregates is not None:
                self.aggregates.put(key, found)
        ids, kinds = found
        assert isinstance(ids, array)
        assert isinstance(kinds, bytes)
        return ids, kinds

    def _net(self, since: int) -> list[object]:
        first: dict[int, int] = {}  # each id's first event in the range: its kind
        for lists in self.rows(EVENTS_SQL, (since,)):
            for rank, text in enumerate(lists):
                for i in orjson.loads(text):
                    first.setdefault(i, rank)
        visible = self.visibility().condition()
        if not self.show_future and since > 0:
            loaded = self.rows(LOADED_SQL, (since,))
            if loaded:  # published after that load, and visible: appeared since, added
                sql = APPEARED_SQL.format(visible=visible.sql)
                for (i,) in self.rows(sql, (loaded[0][0], *visible.params)):
                    first[i] = 0
        if len(first) > MANY:
            found = self.rows(VISIBLE_SQL.format(visible=visible.sql), visible.params)
        else:
            listed = orjson.dumps(list(first)).decode()
            found = self.rows(PRESENT_SQL.format(visible=visible.sql), (listed, *visible.params))
        present = {i for (i,) in found}
        ids: array[int] = array("q")
        kinds = bytearray()
        for i in sorted(first):
            rank = first[i]
            if i in present:
                ids.append(i)
                kinds.append(0 if rank == 0 else 1)
            elif rank != 0:
                ids.append(i)
                kinds.append(2)
        return [ids, bytes(kinds)]
