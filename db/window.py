"""The publication window: an article published after *now* is hidden until then.

As in Jekyll, an item whose ``publishedDateTime`` is in the future is not shown
until that instant passes, with no reload: every list, count, facet, search,
look-up and link of the API leaves it out (``serve --show-future`` shows it, for
previews). Everything about the window lives here, so a read applies it in one
well-named way:

* :class:`Schedule` holds, per content version, the articles published after the
  moment it was read (an index range on ``sk_published``: scheduled articles are
  few). Later moments only filter it in Python, with no SQL.
* :class:`Visibility` is one request's window: the ids it hides, and
  ``bound``, the earliest of their publication times. An article is visible
  exactly when ``sk_published < bound`` (nothing is published between now and
  the bound), so the condition, and every cache key that holds it, stays the
  same until the next scheduled publication: the *visibility epoch*
  ``(content version, bound)`` is what caches follow.
* Counts the loader keeps (:mod:`db.aggregates`) and the article counts of
  topics and providers include hidden articles; the reads subtract the hidden
  ones' share (:func:`subtract_facets`), which are few.

Times compare as the stored UTC ISO-8601 text, to the second.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import orjson

from db.query import Where

SCHEDULED_SQL = (
    "SELECT sk_published, id FROM articles WHERE sk_published > ? ORDER BY sk_published, id"
)
"""Articles published after a moment, from the date index (parameter: the moment)."""

HIDDEN_IDS = "(SELECT value FROM json_each(?))"


class Visibility(NamedTuple):
    """One request's publication window."""

    hidden: frozenset[int]
    """Ids of the articles published after now."""
    hidden_json: str
    """The same ids, sorted, as a JSON array (a bound parameter)."""
    bound: str | None
    """The earliest publication time among them: visible means ``sk_published < bound``.
    None when nothing is hidden (or the window is open)."""

    @property
    def hides(self) -> bool:
        """Whether this window hides anything."""
        return self.bound is not None

    def condition(self, alias: str = "a") -> Where:
        """The SQL condition "visible" on an ``articles`` alias (``1`` if nothing hides)."""
        if self.bound is None:
            return Where("1", ())
        # unary +: a row filter, never the index a query is driven by
        return Where(f"+{alias}.sk_published < ?", (self.bound,))

    def excluding(self, column: str) -> Where:
        """The condition "not hidden" on a column of article ids (the text index's rowid)."""
        if self.bound is None:
            return Where("1", ())
        return Where(f"{column} NOT IN {HIDDEN_IDS}", (self.hidden_json,))


OPEN = Visibility(frozenset(), "[]", None)
"""Nothing hidden: ``--show-future``, or nothing scheduled."""


class Schedule:
    """The articles of one content version published after ``since``, by time."""

    def __init__(self, since: str, items: Sequence[tuple[str, int]]) -> None:
        self.since = since
        self.times = [t for t, _ in items]
        self.ids = [i for _, i in items]
        self._last: tuple[int, Visibility] | None = None

    def at(self, moment: str) -> Visibility:
        """The window at ``moment`` (not before ``since``)."""
        start = bisect_right(self.times, moment)
        last = self._last
        if last is not None and last[0] == start:
            return last[1]
        if start == len(self.ids):
            found = OPEN
        else:
            hidden = sorted(self.ids[start:])
            found = Visibility(frozenset(hidden), orjson.dumps(hidden).decode(), self.times[start])
        self._last = (start, found)
        return found

    def next_after(self, moment: str) -> str | None:
        """The first scheduled publication after ``moment`` (None when there is none)."""
        start = bisect_right(self.times, moment)
        return self.times[start] if start < len(self.times) else None

    def passed(self, after: str, until: str) -> list[int]:
        """Ids published in ``(after, until]``: they became visible then."""
        low, high = bisect_right(self.times, after), bisect_right(self.times, until)
        return self.ids[low:high]


Rows = Callable[[str, Sequence[Any]], list[Any]]


class ScheduleCache:
    """The schedule of the current content version, shared by a process's sessions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[int, Schedule] | None = None

    def peek(self, version: int, moment: str) -> Schedule | None:
        """The kept schedule, if it is ``version``'s and valid at ``moment``."""
        with self._lock:
            kept = self._kept
        if kept is not None and kept[0] == version and kept[1].since <= moment:
            return kept[1]
        return None

    def get(self, version: int, moment: str, rows: Rows) -> Schedule:
        """The schedule of ``version`` valid at ``moment`` (read when not kept)."""
        kept = self.peek(version, moment)
        if kept is not None:
            return kept
        schedule = Schedule(moment, [(t, int(i)) for t, i in rows(SCHEDULED_SQL, (moment,))])
        with self._lock:
            self._kept = (version, schedule)
        return schedule


def subtract_facets(
    kept: Sequence[tuple[Any, Any, int]],
    hidden: dict[Any, int],
    kind: str,
    limit: int,
) -> list[tuple[Any, Any, int]]:
    """Facet rows less the hidden articles' share, reordered as the grouping orders them
    (most frequent first, ties by label or value; years and months newest first), cut to
    ``limit``. ``kept`` must hold at least ``limit`` + the hidden total rows (when there
    are that many): a value can only fall, so no row beyond them can enter the first
    ``limit``."""
    out = [(v, label, n - hidden.get(v, 0)) for v, label, n in kept]
    out = [r for r in out if r[2] > 0]
    if kind in ("years", "months"):
        out.sort(key=lambda r: r[0], reverse=True)
    elif kind == "topics":
        out.sort(key=lambda r: (-r[2], _nocase(r[1])))
    else:
        out.sort(key=lambda r: (-r[2], r[0]))
    return out[:limit]


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _nocase(text: str) -> str:
    """SQLite's NOCASE order: ASCII letters folded, everything else compared as is."""
    return text.translate(_ASCII_LOWER)
