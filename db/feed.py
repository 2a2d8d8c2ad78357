"""The change feed: what changed since a content version, read from the change log.

Every changing load appends one row to ``changes`` (:mod:`db.changes`) with the
ids it added, updated and removed; the last :data:`db.derived.HISTORY` loads are
kept. Since a version, an article's *net* change is decided by its first event
in that range and by whether it is there now (article ids are never reused):

* there now, first event ``added``: **added** (the client never had it);
* there now, first event ``updated`` or ``removed``: **updated** (it had it);
* gone, first event not ``added``: **removed**;
* gone, first event ``added``: nothing (added and removed in between).

Entries are ordered by article id, so a page ends at an id and the next one
starts after it. The answer of each (version, since, page) is cached in the
session's aggregate cache, like any count: the first one reads the JSON lists
of the rows in range (slow work for a first load of many articles).
"""

from __future__ import annotations

from typing import NamedTuple

from db.session import SessionCore

ADDED, UPDATED, REMOVED = "added", "updated", "removed"

_EVENTS = " UNION ALL ".join(
    f"SELECT j.value AS id, c.version * 4 + {rank} AS k FROM changes c, json_each(c.{kind}) j"
    " WHERE c.version > ?1"
    for rank, kind in enumerate((ADDED, UPDATED, REMOVED))
)
"""Every event after ``since``: the id, and the version and kind as one sortable number."""

_NET = (
    f"SELECT g.id, CASE WHEN a.id IS NULL THEN '{REMOVED}' WHEN g.first = 0 THEN '{ADDED}'"
    f" ELSE '{UPDATED}' END AS kind"
    f" FROM (SELECT id, min(k) % 4 AS first FROM ({_EVENTS}) WHERE id > ?2 GROUP BY id) g"
    " LEFT JOIN articles a ON a.id = g.id WHERE a.id IS NOT NULL OR g.first <> 0"
)
"""The net change of each article after ``since`` with an id above ``after`` (see the doc)."""

PAGE_SQL = f"{_NET} ORDER BY g.id LIMIT ?3"
COUNT_SQL = f"SELECT count(*) FROM ({_NET})"
HISTORY_SQL = "SELECT min(version) FROM changes"


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
        rows = self.aggregate(PAGE_SQL, (since, after, limit))
        return [ChangeEntry(int(i), k) for i, k in rows]

    def change_count(self, since: int) -> int:
        """How many articles changed since ``since`` (the feed's entries on every page)."""
        return int(self.aggregate(COUNT_SQL, (since, 0))[0][0])
