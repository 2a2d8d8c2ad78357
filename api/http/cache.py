"""A response cache keyed by the request and the visibility epoch.

A response depends only on the document, the variables, the operation name,
whether the caller holds the access token, and the content in the database as
the publication window shows it. The key holds all of these except the content,
and the whole cache is dropped when the *epoch* changes: the content version
(checked on every request through SQLite's ``PRAGMA data_version``, which
changes when another connection commits) or the next scheduled publication
(:mod:`db.window`), so no answer outlives the instant an article appears.
Only complete, error-free responses are kept; the cache is bounded both in
entries and in bytes.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

from api.http.sharing import etag_of

Key = tuple[str, str | bytes, str | None, bool]
Epoch = tuple[int, str | None]
"""The content version and the next scheduled publication (see :meth:`ReadPool.epoch`)."""


@dataclass(slots=True)
class Cached:
    """A serialized response body of one content (its digest); its ETag is computed when
    first needed."""

    body: bytes
    digest: str = ""
    _etag: str | None = None

    @property
    def etag(self) -> str:
        if self._etag is None:
            self._etag = etag_of(self.body, self.digest)
        return self._etag


def make_key(query: str, variables: dict[str, Any] | None, operation: str | None,
             authorized: bool) -> Key:  # fmt: skip
    """The cache key of a request (variables in a canonical JSON form)."""
    canonical: str | bytes = ""
    if variables:
        try:
            canonical = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # integers past 64 bits, which only the standard encoder writes
            canonical = json.dumps(variables, sort_keys=True, separators=(",", ":"))
    return (query, canonical, operation, authorized)


class ResponseCache:
    """An LRU of serialized responses for one visibility epoch."""

    def __init__(self, max_entries: int = 4096, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.version: Epoch | None = None
        self.digest = ""
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Key, Cached] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def follow(self, version: Epoch, digest: str = "") -> None:
        """Drop everything when the epoch (new content, or a publication due) or the digest
        changed (a replica that switched to another built file may hold the same version
        number)."""
        if version != self.version or digest != self.digest:
            self._entries.clear()
            self.size = 0
            self.version = version
            self.digest = digest

    def get(self, key: Key) -> Cached | None:
        """The cached response, marking it recently used."""
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Key, body: bytes) -> Cached:
        """Keep a response (unless it alone is over a tenth of the byte budget)."""
        entry = Cached(body, self.digest)
        cost = len(body) + sum(len(part or "") for part in key[:3])
        if self.max_entries <= 0 or cost > self.max_bytes // 10:
            return entry
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self._entries[key] = entry
        self.size += cost
        while len(self._entries) > self.max_entries or self.size > self.max_bytes:
            evicted_key, evicted = self._entries.popitem(last=False)
            self.size -= len(evicted.body) + sum(len(part or "") for part in evicted_key[:3])
        return entry
