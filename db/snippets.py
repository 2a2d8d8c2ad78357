"""Search snippets: where each article of a search's page matched, one statement per page.

FTS5's ``snippet()`` picks the passage of a column with the most matches and
marks each match. SQLite writes the markers and the ellipsis as sentinel
characters (:data:`OPEN`, :data:`CLOSE`, :data:`ELLIPSIS`: Unicode
noncharacters, which Unicode reserves for a program's internal use and which
text exchanged between programs does not hold); the API escapes the text
around them for HTML and puts the client's markers in their place. (A stored
text holding one of these three would read as a marker there: the loader
keeps text as given, and Unicode tells programs not to exchange them.)

The page's ids drive the statement (``json_each`` CROSS JOIN the text index on
its rowid): each id is one seek in each word's list of articles, so the work
is the page's, never the whole list of a word in nearly every article.
"""

from __future__ import annotations

from collections.abc import Sequence

from db.session import IDS, SessionCore

OPEN, CLOSE, ELLIPSIS = "\ufdd0", "\ufdd1", "\ufdd2"
"""What SQLite writes before a match, after it, and where text was left out."""
BEST_COLUMN = -1
"""FTS5's column number for "the column with the most matches"."""
COLUMNS = ("title", "excerpt", "body")
"""The text index's columns, in FTS5's numbering (0, 1, 2)."""
MAX_TOKENS = 64
"""The longest snippet FTS5 writes, in tokens (words)."""

SNIPPETS_SQL = (
    "SELECT j.value, snippet(articles_fts, ?, ?, ?, ?, ?)"
    f" FROM {IDS} j CROSS JOIN articles_fts ON articles_fts.rowid = j.value"
    " WHERE articles_fts MATCH ?"
)


class SnippetReads(SessionCore):
    """Snippets of search results."""

    def snippets(self, text: str, ids: Sequence[int], column: int, tokens: int) -> dict[int, str]:
        """The snippet of each article (by id) that ``text`` matches, with sentinel markers.

        ``column`` is an index into :data:`COLUMNS` or :data:`BEST_COLUMN`;
        ``tokens`` is 1..:data:`MAX_TOKENS`. Articles the text does not match are left
        out; one whose column is empty maps to ``""``.
        """
        if not ids:
            return {}
        chosen = "[" + ",".join(str(int(i)) for i in ids) + "]"
        params = (column, OPEN, CLOSE, ELLIPSIS, tokens, chosen, text)
        return {int(i): s or "" for i, s in self.rows(SNIPPETS_SQL, params)}
