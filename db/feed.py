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
loaded is added (with no load in between; a client that read it after its time
gets it once more, which an upsert absorbs). Entries are ordered by article id,
so a page ends at an id and the next one starts after it. The answer of each
(epoch, since, page) is cached in the session's aggregate cache, like any count:
the first one reads the JSON lists of the rows in range (slow work for a first
load of many articles).
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

_APPEARED = " UNION ALL SELECT a.id, 0 FROM articles a WHERE a.sk_published > ?4 AND {visible}"
"""Articles that became visible since ``since`` was loaded (published after its load time,
``?4``) with no load: they rank as ``added`` (0 is below every event)."""


def _net(appeared: bool, visible: str) -> str:
    """The net change of each article after ``since`` with an id above ``after`` (see the
    module doc); "there now" means visible now (``visible`` on ``a``)."""
    events = _EVENTS + (_APPEARED.format(visible=visible) if appeared else "")
    return (
        f"SELECT g.id, CASE WHEN a.id IS NULL THEN '{REMOVED}' WHEN g.first = 0 THEN '{ADDED}'"
        f" ELSE '{UPDATED}' END AS kind"
        f" FROM (SELECT id, min(k) % 4 AS first FROM ({events}) WHERE id > ?2 GROUP BY id) g"
        f" LEFT JOIN articles a ON a.id = g.id AND {visible}"
        " WHERE a.id IS NOT NULL OR g.first <> 0"
    )


HISTORY_SQL = "SELECT min(version) FROM changes"
LOADED_SQL = "SELECT loaded_at FROM changes WHERE version = ?"


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
        sql, params = self._feed_sql(since)
        rows = self.aggregate(f"{sql} ORDER BY g.id LIMIT ?3", (since, after, limit, *params))
        return [ChangeEntry(int(i), k) for i, k in rows]

    def change_count(self, since: int) -> int:
        """How many articles changed since ``since`` (the feed's entries on every page)."""
        sql, params = self._feed_sql(since)
        # LIMIT -1: no limit (every statement of the feed takes the same parameters)
        found = self.aggregate(f"SELECT count(*) FROM ({sql} LIMIT ?3)", (since, 0, -1, *params))
        return int(found[0][0])

    def _feed_sql(self, since: int) -> tuple[str, tuple[str, ...]]:
        """The feed's statement and its parameters after ``?1``-``?3`` (since, after,
        limit): with the publication window, "visible" is part of "there now", and
        articles whose time came since ``since`` was loaded count as added."""
        if self.show_future:
            return _net(False, "1"), ()
        # ?5: the window's bound (an impossible time, "~", when nothing is hidden)
        visible = "+a.sk_published < ?5"
        bound = self.visibility().bound or "~"
        loaded = self.rows(LOADED_SQL, (since,)) if since > 0 else []
        if not loaded:  # from nothing: every article there is added already
            return _net(False, visible).replace("?5", "?4"), (bound,)
        return _net(True, visible), (str(loaded[0][0]), bound)
