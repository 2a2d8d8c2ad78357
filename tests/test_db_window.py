"""db.window: the schedule's windows at given moments, and facets less hidden articles."""

from __future__ import annotations

import pytest

from db.window import OPEN, Schedule, subtract_facets

ITEMS = [("2024-03-10T12:30:00Z", 7), ("2024-03-10T12:30:00Z", 3), ("2024-03-11T00:00:00Z", 9)]


@pytest.mark.parametrize(
    ("moment", "hidden", "bound"),
    [
        ("2024-03-10T12:00:00Z", {3, 7, 9}, "2024-03-10T12:30:00Z"),
        ("2024-03-10T12:29:59Z", {3, 7, 9}, "2024-03-10T12:30:00Z"),
        ("2024-03-10T12:30:00Z", {9}, "2024-03-11T00:00:00Z"),  # at its second: visible
        ("2024-03-11T00:00:00Z", set(), None),
    ],
)
def test_a_schedule_hides_what_is_published_after_the_moment(
    moment: str, hidden: set[int], bound: str | None
) -> None:
    schedule = Schedule("2024-03-10T11:00:00Z", ITEMS)
    window = schedule.at(moment)
    assert (set(window.hidden), window.bound) == (hidden, bound)
    assert window.hides is bool(hidden)
    assert schedule.next_after(moment) == bound
    if not hidden:
        assert window is OPEN and window.condition().sql == "1"
    else:
        assert window.condition().params == (bound,)


def test_passed_lists_what_became_visible_in_between() -> None:
    schedule = Schedule("2024-03-10T11:00:00Z", ITEMS)
    assert schedule.passed("2024-03-10T12:00:00Z", "2024-03-10T12:29:59Z") == []
    assert sorted(schedule.passed("2024-03-10T12:00:00Z", "2024-03-10T13:00:00Z")) == [3, 7]
    assert schedule.passed("2024-03-10T12:30:00Z", "2024-03-12T00:00:00Z") == [9]


@pytest.mark.parametrize(
    ("kind", "kept", "hidden", "want"),
    [
        # most frequent first, ties by value; a value that falls to 0 is gone
        ("types", [("a", None, 5), ("b", None, 4), ("c", None, 1)], {"a": 2, "c": 1},
         [("b", None, 4), ("a", None, 3)]),
        # topics: ties by name, as SQLite's NOCASE orders them
        ("topics", [("x", "Beta", 3), ("y", "alpha", 2)], {"x": 1},
         [("y", "alpha", 2), ("x", "Beta", 2)]),
        # years and months: newest first, whatever the counts
        ("months", [("2024-03", None, 1), ("2024-02", None, 9)], {"2024-03": 1},
         [("2024-02", None, 9)]),
        ("providers", [("a.com", "A", 3), ("b.com", "B", 2), ("c.com", "C", 1)], {"a.com": 2},
         [("b.com", "B", 2), ("a.com", "A", 1)]),
    ],
)  # fmt: skip
def test_facets_less_hidden_articles_keep_the_grouping_order(
    kind: str, kept: list[tuple[str, str | None, int]], hidden: dict[str, int],
    want: list[tuple[str, str | None, int]],
) -> None:  # fmt: skip
    assert subtract_facets(kept, hidden, kind, 2) == want
