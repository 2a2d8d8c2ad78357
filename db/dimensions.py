"""The small tables (providers and topics) held in memory, per content version.

Nearly every article query joins a provider and topics, and a feed page asks
for the same few hundred of them again and again. Both tables are small next
to the articles (1,018 providers and 52 topics for 50,000 generated items) and
change only when a load changes the content version, so a read session takes
them from here instead of querying them: two statements fewer per feed page.

A table larger than :data:`MAX_ROWS` is not held (each lookup then queries
it), so an odd corpus with a provider per article cannot use much memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from db.rows import PROVIDER_COLUMNS, TOPIC_COLUMNS, ProviderRow, TopicRow

MAX_ROWS = 20_000

PROVIDERS_SQL = f"SELECT {PROVIDER_COLUMNS} FROM providers LIMIT ?"
TOPICS_SQL = f"SELECT {TOPIC_COLUMNS} FROM topics t LIMIT ?"

Rows = Callable[[str, Sequence[Any]], list[Any]]


class Dimensions(NamedTuple):
    """Providers and topics by id at one content version (``None``: too many to hold)."""

    version: int
    providers: dict[int, ProviderRow] | None
    topics: dict[int, TopicRow] | None


class DimensionCache:
    """The newest content version's :class:`Dimensions`, read on first use."""

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._current: Dimensions | None = None

    def get(self, version: int, rows: Rows) -> Dimensions:
        """The tables at ``version``; ``rows`` runs a statement in the caller's snapshot."""
        current = self._current
        if current is not None and current.version == version:
            return current
        providers = rows(PROVIDERS_SQL, (self.max_rows + 1,))
        topics = rows(TOPICS_SQL, (self.max_rows + 1,))
        found = Dimensions(
            version,
            None if len(providers) > self.max_rows else {r[0]: ProviderRow(*r) for r in providers},
            None if len(topics) > self.max_rows else {r[0]: TopicRow(*r) for r in topics},
        )
        if current is None or version > current.version:
            self._current = found  # a session on an older snapshot does not evict the newer
        return found
