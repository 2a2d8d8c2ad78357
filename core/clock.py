"""The time of day, behind one seam: the system clock in production, any clock in tests.

A request reads the clock at most once (:class:`Now`): every part of its answer
that depends on the time (a trending list's ``asOf``) sees the same instant, and
the transport can tell whether the answer depends on the time at all (such an
answer is not kept in the response cache, which follows content versions only).
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

    __slots__ = ("_instant", "clock")

    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock
        self._instant: str | None = None

    @property
    def read(self) -> bool:
        """Whether anything asked for the time (the answer then depends on it)."""
        return self._instant is not None

    def timestamp(self) -> str:
        """The instant as UTC ISO-8601 text to the second (``2026-11-02T09:30:00Z``)."""
        if self._instant is None:
            moment = self.clock().astimezone(UTC)
            self._instant = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._instant
