"""Timing single GraphQL requests and summarising latencies, for the sequential benchmarks.

Why: ``wrk`` measures throughput, but first requests, a stalled client and the scaling
curve need every request's own latency and its outcome (an answer, a GraphQL error code
such as ``TIMEOUT``, an HTTP status, a socket failure). :func:`post` times one request
and classifies it without raising, so a benchmark counts failures instead of stopping at
the first; :class:`Summary` holds the percentiles and the error counts of a group.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson


@dataclass(frozen=True)
class Outcome:
    """One request: how long it took (ms), its HTTP status and what went wrong, if anything.

    ``codes`` holds each GraphQL error's ``extensions.code`` (``TIMEOUT``, ...), or
    ``HTTP <status>``, ``NO_DATA`` (a 200 whose top-level field is null or missing),
    ``CLIENT_TIMEOUT`` or ``SOCKET`` when there was no usable answer.
    """

    ms: float
    status: int
    codes: tuple[str, ...] = ()
    size: int = 0

    @property
    def ok(self) -> bool:
        """Whether the request came back as a clean, non-empty answer."""
        return not self.codes


def classify(status: int, body: bytes) -> tuple[str, ...]:
    """The error codes of a response (empty for a clean answer); see :class:`Outcome`."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return (f"HTTP {status}",)
    if not isinstance(parsed, dict):
        return (f"HTTP {status}",)
    errors = parsed.get("errors") or []
    codes = tuple(
        str((e.get("extensions") or {}).get("code", "NO_CODE")) if isinstance(e, dict) else "?"
        for e in errors
    )
    if codes:
        return codes
    data = parsed.get("data")
    if status != 200:
        return (f"HTTP {status}",)
    if not isinstance(data, dict) or not data or None in data.values():
        return ("NO_DATA",)
    return ()


def post(client: httpx.Client, query: str, variables: Mapping[str, Any] | None = None) -> Outcome:
    """POST one GraphQL request and time it, from sending to the whole body read."""
    return post_body(client, orjson.dumps({"query": query, "variables": dict(variables or {})}))


def post_body(client: httpx.Client, payload: bytes | str, path: str = "/graphql") -> Outcome:
    """POST a ready JSON body (as :mod:`bench.cases` builds them) and time it."""
    headers = {"content-type": "application/json", "accept": "application/json"}
    started = time.perf_counter()
    try:
        answer = client.post(path, content=payload, headers=headers)
        body = answer.content
    except httpx.TimeoutException:
        return Outcome((time.perf_counter() - started) * 1000, 0, ("CLIENT_TIMEOUT",))
    except httpx.TransportError:
        return Outcome((time.perf_counter() - started) * 1000, 0, ("SOCKET",))
    elapsed = (time.perf_counter() - started) * 1000
    return Outcome(elapsed, answer.status_code, classify(answer.status_code, body), len(body))


def percentile(values: Iterable[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method; 0 for no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return ordered[int(min(rank, len(ordered))) - 1]


@dataclass
class Summary:
    """Latency percentiles (ms) and error counts of a group of requests."""

    count: int = 0
    failed: int = 0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    errors: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Summary:
        """Summarise outcomes (errors included in the latencies: a TIMEOUT took its time)."""
        found = list(outcomes)
        times = [o.ms for o in found]
        errors: Counter[str] = Counter(code for o in found for code in set(o.codes))
        # a request answering 15 aliases with TIMEOUT counts once under TIMEOUT
        return cls(
            len(found),
            sum(not o.ok for o in found),
            percentile(times, 50),
            percentile(times, 95),
            percentile(times, 99),
            max(times, default=0.0),
            errors,
        )

    def error_text(self) -> str:
        """``TIMEOUT 3, HTTP 503 1`` or ``none``."""
        return ", ".join(f"{code} {n}" for code, n in self.errors.most_common()) or "none"


def ms(value: float) -> str:
    """A latency for a table: two decimals below 10 ms, one below 1,000, none above."""
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"
