"""Request logs and Prometheus metrics: what an operator watches.

Every GraphQL request ends with one log line (operation, duration, status,
cache hit or miss, which executor answered, error codes), as text or JSON,
and updates the metrics served at ``/metrics``. Operation names become metric
labels only when they look like names and only for the first
:data:`MAX_OPERATIONS` seen, so a client cannot blow up label cardinality.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from core.records import LoadReport

log = logging.getLogger("newsgraph.request")
MAX_OPERATIONS = 100
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass(slots=True)
class RequestRecord:
    """What one request did, filled in as it is answered."""

    started: float = field(default_factory=time.perf_counter)
    operation: str | None = None
    status: int = 200
    cache: str = "miss"
    executor: str = "-"
    background: bool = False
    """Whether the request ran in a background worker (slow or heavy work)."""
    fallback: str | None = None
    """Why a document with a compiled plan was answered by the reference executor:
    ``uncompilable`` (no plan can answer its shape) or ``runtime`` (the plan gave up)."""
    errors: list[str] = field(default_factory=list)


class Metrics:
    """The Prometheus metrics of one server process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsgraph_requests", "GraphQL requests by operation and HTTP status",
            ["operation", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "newsgraph_request_seconds", "GraphQL request latency by operation", ["operation"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )  # fmt: skip
        self.errors = Counter(
            "newsgraph_errors", "GraphQL errors by code", ["code"], registry=self.registry
        )
        self.cache = Counter(
            "newsgraph_cache", "Response cache lookups by result", ["result"],
            registry=self.registry,
        )  # fmt: skip
        self.executors = Counter(
            "newsgraph_executor", "GraphQL requests by what answered them: the response cache,"
            " a compiled plan, the reference executor", ["executor"], registry=self.registry,
        )  # fmt: skip
        self.background = Counter(
            "newsgraph_background", "GraphQL requests that ran in a background worker (slow"
            " reads, heavy requests, the reference executor)", registry=self.registry,
        )  # fmt: skip
        self.fallbacks = Counter(
            "newsgraph_plan_fallbacks", "Requests a compiled plan did not answer although the"
            " document ran before: uncompilable shape, or the plan gave up at run time",
            ["reason"], registry=self.registry,
        )  # fmt: skip
        self.content_version = Gauge(
            "newsgraph_content_version", "The content version being served", registry=self.registry
        )
        self.load_counts = Gauge(
            "newsgraph_last_load_files", "Files by outcome in the last load", ["outcome"],
            registry=self.registry,
        )  # fmt: skip
        self.load_seconds = Gauge(
            "newsgraph_last_load_seconds", "Duration of the last load", registry=self.registry
        )
        self._operations: set[str] = set()
        self._series: dict[tuple[Any, ...], tuple[Any, Any, Any, Any]] = {}

    def label(self, operation: str | None) -> str:
        """A bounded label for an operation name."""
        if not operation or not _NAME.match(operation):
            return "anonymous" if not operation else "other"
        if operation in self._operations or len(self._operations) < MAX_OPERATIONS:
            self._operations.add(operation)
            return operation
        return "other"

    def observe(self, record: RequestRecord, seconds: float) -> None:
        """Count one finished request."""
        executor = "cache" if record.cache == "hit" else record.executor
        key = (record.operation, record.status, record.cache, executor)
        found = self._series.get(key)
        if found is None:  # prometheus_client's labels() takes a lock and checks every call
            label = self.label(record.operation)
            found = (
                self.requests.labels(label, str(record.status)),
                self.latency.labels(label),
                self.cache.labels(record.cache),
                self.executors.labels(executor),
            )
            if len(self._series) < MAX_OPERATIONS * 16:
                self._series[key] = found
        requests, latency, cache, executors = found
        requests.inc()
        latency.observe(seconds)
        cache.inc()
        executors.inc()
        if record.background:
            self.background.inc()
        if record.fallback is not None:
            self.fallbacks.labels(record.fallback).inc()
        for code in record.errors:
            self.errors.labels(code).inc()

    def exposition(self) -> bytes:
        """The metrics in Prometheus text format."""
        return generate_latest(self.registry)


def finish(
    record: RequestRecord, metrics: Metrics, json_logs: bool, lines: RequestLog | None = None
) -> None:
    """Log and count a finished request (to ``lines`` when the server gave one)."""
    seconds = time.perf_counter() - record.started
    metrics.observe(record, seconds)
    if lines is not None:
        lines.write(message(record, seconds, json_logs))
    elif log.isEnabledFor(logging.INFO):
        log.info("%s", message(record, seconds, json_logs))


def message(record: RequestRecord, seconds: float, json_logs: bool) -> str:
    """The log line of a request: text, or one JSON object."""
    if json_logs:
        return json.dumps({
            "operation": record.operation, "ms": round(seconds * 1000, 2),
            "status": record.status, "cache": record.cache, "executor": record.executor,
            "background": record.background, "fallback": record.fallback,
            "errors": record.errors,
        })  # fmt: skip
    return (
        f"{record.operation or 'anonymous'} {record.status} {seconds * 1000:.2f}ms"
        f" cache={record.cache} executor={record.executor}{'/bg' if record.background else ''}"
        + (f" fallback={record.fallback}" if record.fallback else "")
        + f" errors={','.join(record.errors) or '-'}"
    )


class RequestLog:
    """Request log lines written in batches, for the server.

    A ``logging`` record costs about 40 µs of a 0.7 ms request here (the record,
    its formatting, a write and a flush); a line in a buffer costs about 2. The
    buffer is written when it holds :data:`BATCH` lines, when a line finds it
    older than ``interval`` seconds, on :meth:`flush` (the app flushes every
    ``interval`` while serving) and on :meth:`close`. Lines look like the text
    or JSON lines of the ``newsgraph.request`` logger.
    """

    BATCH = 64

    def __init__(self, stream: TextIO, json_lines: bool, interval: float = 0.5) -> None:
        self.stream = stream
        self.prefix = "" if json_lines else f"INFO {log.name}: "
        self.interval = interval
        self._lines: list[str] = []
        self._since = 0.0

    def write(self, line: str) -> None:
        """Add one line; write the batch if it is full or old."""
        if not self._lines:
            self._since = time.monotonic()
        self._lines.append(f"{self.prefix}{line}\n")
        if len(self._lines) >= self.BATCH or time.monotonic() - self._since >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered."""
        if self._lines:
            text, self._lines = "".join(self._lines), []
            with contextlib.suppress(OSError, ValueError):  # a closed or broken stderr
                self.stream.write(text)
                self.stream.flush()

    close = flush


def record_load(metrics: Metrics, report: LoadReport) -> None:
    """Show a load's counts and duration in the metrics."""
    for outcome in ("added", "updated", "unchanged", "removed", "failed"):
        metrics.load_counts.labels(outcome).set(getattr(report, outcome))
    metrics.load_seconds.set(report.seconds)
    metrics.content_version.set(report.content_version)
