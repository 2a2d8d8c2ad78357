"""Search snippets: where each result of a search matched, marked and safe to insert as HTML.

``ArticleEdge.snippet`` lives on the edge because the edge belongs to the
connection whose filter holds the search: an article reached any other way
(``article(slug:)``, a related item's article) has no search to show. One
:class:`PageSnippets` per page reads every snippet of the page in one
statement per set of options (:mod:`db.snippets`), whichever executor asks.

The text around the markers is HTML-escaped; the client's ``before``,
``after`` and ``ellipsis`` are inserted as given (they are markup by design).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry

from core.errors import BadArgument
from db.query import Filter
from db.reader import Session
from db.snippets import BEST_COLUMN, CLOSE, COLUMNS, ELLIPSIS, MAX_TOKENS, OPEN

MAX_MARKER = 100
"""The longest marker or ellipsis a client may ask for, in characters."""


@strawberry.enum(description="Which text of an article a search snippet is taken from.")
class SnippetColumn(Enum):
    TITLE = strawberry.enum_value("TITLE", description="The headline.")
    EXCERPT = strawberry.enum_value("EXCERPT", description="The short summary.")
    BODY = strawberry.enum_value("BODY", description="The Markdown body.")
    BEST = strawberry.enum_value(
        "BEST", description="Whichever of the three has the most matches (ties: the first)."
    )


@dataclass(frozen=True, slots=True)
class SnippetOptions:
    """What the client asked of a snippet; :meth:`checked` refuses what cannot be given."""

    column: SnippetColumn = SnippetColumn.BEST
    tokens: int = 16
    before: str = "<mark>"
    after: str = "</mark>"
    ellipsis: str = "…"

    @classmethod
    def of(cls, values: dict[str, Any]) -> SnippetOptions:
        """From coerced argument values keyed by their GraphQL names."""
        column = values.get("column", SnippetColumn.BEST)
        if not isinstance(column, SnippetColumn):
            column = SnippetColumn[str(column)]
        return cls(
            column, values.get("tokens", 16), values.get("before", "<mark>"),
            values.get("after", "</mark>"), values.get("ellipsis", "…"),
        ).checked()  # fmt: skip

    def checked(self) -> SnippetOptions:
        if not 1 <= self.tokens <= MAX_TOKENS:
            raise BadArgument(
                f"`tokens` must be between 1 and {MAX_TOKENS} (words in the snippet), "
                f"got {self.tokens}"
            )
        for name in ("before", "after", "ellipsis"):
            if len(getattr(self, name)) > MAX_MARKER:
                raise BadArgument(
                    f"`{name}` may be at most {MAX_MARKER} characters; "
                    'use a short marker such as "<mark>"'
                )
        return self

    @property
    def column_number(self) -> int:
        if self.column is SnippetColumn.BEST:
            return BEST_COLUMN
        return COLUMNS.index(self.column.name.lower())


def search_text(f: Filter | None) -> str | None:
    """The full-text query a page's snippets show: its searches, any of them, or None."""
    texts = f.texts() if f is not None else []
    if not texts:
        return None
    return texts[0] if len(texts) == 1 else " OR ".join(f"({t})" for t in texts)


def marked(raw: str | None, options: SnippetOptions) -> str | None:
    """A snippet with sentinels as HTML: the text escaped, the client's markers in place."""
    if not raw:
        return None
    escaped = html.escape(raw, quote=True)
    return escaped.translate(
        {ord(OPEN): options.before, ord(CLOSE): options.after, ord(ELLIPSIS): options.ellipsis}
    )


class PageSnippets:
    """The snippets of one page of articles, read once per column and length."""

    def __init__(self, db: Session, f: Filter | None, ids: Sequence[int]) -> None:
        self.db = db
        self.text = search_text(f)
        self.ids = list(ids)
        self._read: dict[tuple[int, int], dict[int, str]] = {}

    def of(self, article_id: int, options: SnippetOptions) -> str | None:
        """The snippet of one article of the page (null outside a search)."""
        if self.text is None:
            return None
        key = (options.column_number, options.tokens)
        found = self._read.get(key)
        if found is None:
            found = self.db.snippets(self.text, self.ids, *key)
            self._read[key] = found
        return marked(found.get(article_id), options)

    def all(self, options: SnippetOptions) -> list[str | None]:
        """The snippets of the page's articles, in page order."""
        return [self.of(i, options) for i in self.ids]
