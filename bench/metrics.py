"""What the server says it did: executor and plan-fallback counters from ``/metrics``.

Why: a benchmark's latency means little without knowing what answered. A "cold" run that
the response cache answered measured the cache, and a shape the compiled plans cannot
answer (target 7 of issue 14: zero fallbacks on the README's shapes) runs on the slower
reference executor. The server counts both (``newsgraph_executor_total{executor=...}``
and ``newsgraph_plan_fallbacks_total{reason=...}``); :func:`scrape` reads them and
:class:`Counts` subtracts two readings, so each run reports what happened during it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

EXECUTOR = "newsgraph_executor_total"
FALLBACKS = "newsgraph_plan_fallbacks_total"
CACHE = "newsgraph_cache_total"
ERRORS = "newsgraph_errors_total"


@dataclass
class Counts:
    """Requests by executor (cache, compiled, reference), plan fallbacks by reason,
    and GraphQL errors by code, as counted by the server."""

    executors: Counter[str] = field(default_factory=Counter)
    fallbacks: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    available: bool = True

    def __sub__(self, earlier: Counts) -> Counts:
        """What was counted between ``earlier`` and this reading."""
        return Counts(
            self.executors - earlier.executors,
            self.fallbacks - earlier.fallbacks,
            self.errors - earlier.errors,
            self.available and earlier.available,
        )

    @property
    def requests(self) -> int:
        """GraphQL requests answered (by any executor)."""
        return sum(self.executors.values())

    def share(self, executor: str) -> float:
        """The fraction of requests ``executor`` answered (0 when there were none)."""
        return self.executors[executor] / self.requests if self.requests else 0.0

    def describe(self) -> str:
        """One line: ``executor: compiled 1,203, reference 1; plan fallbacks: none``."""
        if not self.available:
            return "the server's /metrics did not answer"
        executors = ", ".join(f"{k} {v:,}" for k, v in sorted(self.executors.items())) or "none"
        fallbacks = ", ".join(f"{k} {v:,}" for k, v in sorted(self.fallbacks.items())) or "none"
        errors = ", ".join(f"{k} {v:,}" for k, v in sorted(self.errors.items())) or "none"
        return (
            f"{EXECUTOR}{{executor}}: {executors}; {FALLBACKS}{{reason}}: {fallbacks}; "
            f"GraphQL errors: {errors}"
        )


def parse(text: str) -> Counts:
    """The counters in a Prometheus text exposition (other metrics are ignored)."""
    found = Counts()
    wanted = {
        EXECUTOR: ("executor", found.executors),
        FALLBACKS: ("reason", found.fallbacks),
        ERRORS: ("code", found.errors),
    }
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in wanted:
                label, into = wanted[sample.name]
                into[sample.labels.get(label, "")] += int(sample.value)
    return found


def scrape(url: str, timeout: float = 30) -> Counts:
    """The server's counters now; ``available=False`` if ``/metrics`` does not answer."""
    try:
        answer = httpx.get(url.rstrip("/") + "/metrics", timeout=timeout)
    except httpx.HTTPError:
        return Counts(available=False)
    if answer.status_code != 200:
        return Counts(available=False)
    return parse(answer.text)
