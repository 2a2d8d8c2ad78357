"""The time of day, behind one seam: the system clock in production, any clock in tests.

A request reads the clock at most once (:class:`Now`): every part of its answer
that depends on the time (a trending list's ``asOf``, the publication window) sees
the same instant, and the transport can tell whether the answer depends on the
time beyond the publication window (such an answer is not kept in the response
cache; the window's dependence is the cache's own key, see :mod:`db.window`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Something that tells the current time (timezone-aware)."""


def system_clock() -> datetime:
    """The system's current time, in UTC."""
    return datetime.now(UTC)


class Now:
    """One request's instant: read from its clock when first asked, then fixed."""

    __slots__ = ("_instant", "_read", "clock")

    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock
        self._instant: str | None = None
        self._read = False

    @property
    def read(self) -> bool:
        """Whether anything asked for the time through :meth:`timestamp` (the answer then
        depends on it, and is not cached)."""
        return self._read

    def timestamp(self) -> str:
        """The instant as UTC ISO-8601 text to the second (``2026-11-02T09:30:00Z``)."""
        self._read = True
        return self.instant()

    def instant(self) -> str:
        """The same instant, without marking the answer as depending on it: for the
        publication window, whose caches are keyed on what it hides."""
        if self._instant is None:
            moment = self.clock().astimezone(UTC)
            self._instant = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._instant
