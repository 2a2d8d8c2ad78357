"""The provider as each file wrote it, beside the shared record of its domain.

``providers`` holds one record per domain: when two files name a domain
differently, or a site's records name it, the shared name and logos win. What
a file itself said is kept too, for ``Article.filedProvider`` and
``RelatedItem.filedProvider``: each distinct form (domain, name, logos) is one
``filed_providers`` row, which every article and related item written that way
points at, so a million articles from a few hundred sites add a few hundred
rows, not a million copies. Forms no file uses any more stay (they are few and
a later load may use them again).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NamedTuple

import aiosqlite

from core.records import Provider
from db.session import IDS, SessionCore, ids_json


class FiledProviderRow(NamedTuple):
    """A provider as some file wrote it; ``images`` is a JSON array of picture rows."""

    id: int
    domain: str
    name: str | None
    images: str | None


def form(provider: Provider) -> str:
    """The text that identifies a provider's form (equal forms, equal text)."""
    return json.dumps(
        [provider.domain, provider.name, [list(im) for im in provider.images]],
        ensure_ascii=False,
        separators=(",", ":"),
    )


class FiledForms:
    """One load's forms: the ids of those already stored, and the new ones to insert."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.ids: dict[str, int] = {}
        self.next_id = 1
        self.new: list[tuple[int, str, str, str | None, str | None]] = []

    async def start(self) -> None:
        """Read the stored forms (inside the load's transaction)."""
        async with self.conn.execute("SELECT id, form FROM filed_providers") as cursor:
            async for id_, text in cursor:
                self.ids[text] = id_
                self.next_id = max(self.next_id, id_ + 1)

    def id_of(self, provider: Provider | None) -> int | None:
        """The id of this provider's form (a new id for a form not seen before)."""
        if provider is None:
            return None
        key = form(provider)
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = self.next_id
            self.next_id += 1
            images = json.dumps([list(im) for im in provider.images]) if provider.images else None
            self.new.append((found, key, provider.domain, provider.name, images))
        return found

    async def flush(self) -> None:
        """Insert the forms seen for the first time (before the rows that point at them)."""
        if self.new:
            await self.conn.executemany(
                "INSERT INTO filed_providers (id, form, domain, name, images) VALUES (?,?,?,?,?)",
                self.new,
            )
            self.new = []


class FiledReads(SessionCore):
    """Reads of the forms, by id (a page's articles or related items at once)."""

    def filed_providers(self, ids: Iterable[int]) -> dict[int, FiledProviderRow]:
        """Forms by id (missing ids are absent)."""
        sql = f"SELECT id, domain, name, images FROM filed_providers WHERE id IN {IDS}"
        return {r.id: r for r in self.rows(sql, (ids_json(ids),), FiledProviderRow)}
