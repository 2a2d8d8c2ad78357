"""Full-text search with bounded work, whatever the words.

A search considers its *window*: the ``search_window`` (10,000) most recently
loaded matches. Its count, facets and pages come from the window, and
``countsExact`` says whether that is every match. Reading a window costs about
the same for a rare word and for ``the``.

Ranking by relevance uses FTS5's bm25 on the newest :data:`RANK_WINDOW` matches;
the rest of the window follows, newest first. bm25 first counts, for each word,
every article that contains it (its inverse document frequency): for a word in
nearly every article that alone is a read of the word's whole posting list, and
the ranking says nothing (every score is about the same). So a search whose
words are estimated to be in more than :data:`RANK_LIMIT` articles (from how
densely its window is packed) is ordered newest first.
"""

from __future__ import annotations

from typing import NamedTuple

from db.session import SessionCore

# BM25 column weights: a word in the title says more than one in the body
TITLE_WEIGHT, EXCERPT_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0
RANK_WINDOW = 2_000
"""Matches a search ranks by bm25: the most recently loaded."""
RANK_LIMIT = 250_000
"""Articles a search's words may be in (estimated) for it to be ranked by bm25."""
NO_RANK = 2**62
"""A lowest ranked id above every id: nothing is ranked."""

_NEWEST = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
WINDOW_SQL = (
    f"SELECT (SELECT count(*) FROM ({_NEWEST})), (SELECT ifnull(min(rowid), 0) FROM ({_NEWEST})),"
    f" (SELECT ifnull(max(rowid), 0) FROM ({_NEWEST})),"
    f" (SELECT ifnull(min(rowid), 0) FROM ({_NEWEST}))"
)
SCORE = (
    f"CASE WHEN rowid >= ? THEN -bm25(articles_fts, {TITLE_WEIGHT}, {EXCERPT_WEIGHT},"
    f" {BODY_WEIGHT}) ELSE 0 END"
)
"""A match's relevance: bm25 (above 0) for the ranked ones, 0 for the rest (parameter:
the lowest ranked id)."""
MATCHES_FROM = "FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ?"
"""The matches of a window (parameters: the search text, the window's lowest id)."""


class Window(NamedTuple):
    """A search's window: its size, whether it holds every match, and its id ranges."""

    matches: int
    """Matches in the window (at most its size)."""
    exact: bool
    low: int
    """The lowest id in the window (0 when there is none)."""
    rank_low: int
    """The lowest id bm25 ranks (:data:`NO_RANK` when the search is ordered newest first)."""


class SearchReads(SessionCore):
    """Windows of full-text searches."""

    def window(self, text: str) -> Window:
        """The window of a search (cached per content version)."""
        size = self.search_window
        row = self.aggregate(WINDOW_SQL, (text, size + 1, text, size, text, 1, text, RANK_WINDOW))[
            0
        ]
        matched, low, high, rank_low = row
        if not rank_low:  # no match is ranked (ids start at 1)
            rank_low = NO_RANK
        exact = matched <= size
        count = min(matched, size)
        if count and not exact:
            total = self.total_articles()
            estimate = count / max(high - low + 1, 1) * total
            if estimate > RANK_LIMIT:
                rank_low = NO_RANK
        elif count > RANK_LIMIT:
            rank_low = NO_RANK
        return Window(count, exact, low, rank_low)

    def total_articles(self) -> int:
        """How many articles there are (the count the loader keeps)."""
        found = self.aggregate(
            "SELECT n FROM facet_counts WHERE scope = 'all' AND facet = 'count'", (), quick=True
        )
        return int(found[0][0]) if found else 0
