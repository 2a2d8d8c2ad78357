"""Automatic persisted queries (the APQ protocol of Apollo clients and CDNs).

A client first sends only ``extensions.persistedQuery.sha256Hash``. If we know
the document for that hash we run it; if not, we answer the error
``PersistedQueryNotFound`` and the client sends the document with its hash,
which we check and remember. A GET then carries a short hash instead of a
whole document, which CDNs cache well. The store is bounded (LRU).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

NOT_FOUND = "PersistedQueryNotFound"


class PersistedQueryError(Exception):
    """The persisted-query extension is malformed or does not match the document."""


class PersistedQueries:
    """A bounded map from SHA-256 hex digests to documents."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._documents: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run: the one sent, or the one remembered for the hash.

        Returns ``None`` when only a hash was sent and it is unknown (the client
        should then send the document too).
        """
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return query
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryError(
                "`extensions.persistedQuery` must be {version: 1, sha256Hash}"
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            raise PersistedQueryError("`persistedQuery.sha256Hash` must be 64 hex digits")
        digest = digest.lower()
        if query is None:
            found = self._documents.get(digest)
            if found is not None:
                self._documents.move_to_end(digest)
            return found
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError("`persistedQuery.sha256Hash` is not the SHA-256 of `query`")
        self._documents[digest] = query
        self._documents.move_to_end(digest)
        while len(self._documents) > self.max_entries:
            self._documents.popitem(last=False)
        return query
