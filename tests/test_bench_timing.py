"""The measuring parts the benchmarks share: outcomes, percentiles, server counters, words.

Why: a benchmark that counts a TIMEOUT as a success, a null page as an answer, or a cache
hit as a cold request reports numbers that are not real; these pin down how each
outcome and counter is read.
"""

from __future__ import annotations

import pytest

from bench import dataset, metrics, timing

METRICS = """\
# HELP newsgraph_executor_total GraphQL requests by what answered them
# TYPE newsgraph_executor_total counter
newsgraph_executor_total{executor="cache"} 10.0
newsgraph_executor_total{executor="compiled"} 5.0
newsgraph_executor_created{executor="compiled"} 1.7e9
# HELP newsgraph_plan_fallbacks_total Requests a compiled plan did not answer
# TYPE newsgraph_plan_fallbacks_total counter
newsgraph_plan_fallbacks_total{reason="runtime"} 2.0
# HELP newsgraph_errors_total GraphQL errors by code
# TYPE newsgraph_errors_total counter
newsgraph_errors_total{code="TIMEOUT"} 2.0
# HELP newsgraph_requests_total requests
# TYPE newsgraph_requests_total counter
newsgraph_requests_total{operation="Homepage",status="200"} 15.0
"""


@pytest.mark.parametrize(
    ("status", "body", "codes"),
    [
        (200, b'{"data":{"articles":{"totalCount":3}}}', ()),
        (200, b'{"data":{"topic":null}}', ("NO_DATA",)),
        (200, b'{"data":null,"errors":[{"message":"x","extensions":{"code":"TIMEOUT"}}]}',
         ("TIMEOUT",)),
        (200, b'{"data":{"a":1},"errors":[{"message":"x"}]}', ("NO_CODE",)),
        (400, b'{"errors":[{"message":"x","extensions":{"code":"QUERY_TOO_COMPLEX"}}]}',
         ("QUERY_TOO_COMPLEX",)),
        (503, b"Service Unavailable", ("HTTP 503",)),
        (500, b'{"data":{"a":1}}', ("HTTP 500",)),
    ],
)  # fmt: skip
def test_classify(status: int, body: bytes, codes: tuple[str, ...]) -> None:
    assert timing.classify(status, body) == codes


def test_percentiles_and_summary() -> None:
    assert timing.percentile([], 50) == 0.0
    values = [float(v) for v in range(1, 101)]
    assert timing.percentile(values, 50) == 50.0
    assert timing.percentile(values, 95) == 95.0
    assert timing.percentile(values, 99) == 99.0
    assert timing.percentile(values, 100) == 100.0
    assert timing.percentile([3.0], 99) == 3.0
    outcomes = [timing.Outcome(float(v), 200) for v in range(1, 21)]
    outcomes += [timing.Outcome(1000.0, 200, ("TIMEOUT", "TIMEOUT")), timing.Outcome(5.0, 0,
                 ("SOCKET",))]  # fmt: skip
    s = timing.Summary.of(outcomes)
    assert (s.count, s.failed, s.max) == (22, 2, 1000.0)
    assert s.errors == {"TIMEOUT": 1, "SOCKET": 1}
    assert s.error_text() in ("TIMEOUT 1, SOCKET 1", "SOCKET 1, TIMEOUT 1")
    assert timing.Summary.of([]).error_text() == "none"
    assert [timing.ms(v) for v in (1.234, 12.34, 1234.5)] == ["1.23", "12.3", "1,234"]


def test_metrics_counts_and_differences() -> None:
    later = metrics.parse(METRICS)
    assert later.executors == {"cache": 10, "compiled": 5}
    assert later.fallbacks == {"runtime": 2}
    assert later.errors == {"TIMEOUT": 2}
    earlier = metrics.parse(
        METRICS.replace(" 10.0", " 4.0").replace(" 5.0", " 0.0").replace(" 2.0\n", " 1.0\n")
    )
    run = later - earlier
    assert run.executors == {"cache": 6, "compiled": 5}
    assert run.fallbacks == {"runtime": 1}
    assert run.requests == 11
    assert run.share("cache") == pytest.approx(6 / 11)
    assert "compiled 5" in run.describe()
    assert "runtime 1" in run.describe()
    assert metrics.Counts().share("cache") == 0.0
    gone = metrics.scrape("http://127.0.0.1:9", timeout=1)
    assert not gone.available
    assert "did not answer" in (later - gone).describe()


def test_word_spread_goes_from_the_most_common_to_the_rarest() -> None:
    words = [dataset.Value(f"w{chr(97 + i % 26)}{chr(97 + i // 26)}", 100_000 // (i + 1))
             for i in range(400)]  # fmt: skip
    words += [dataset.Value("x1", 1), dataset.Value("a", 50)]
    words.sort(key=lambda w: -w.count)
    chosen = dataset.spread(words, 12, most_common=3)
    assert len(chosen) == 12
    assert len({w.value for w in chosen}) == 12
    assert chosen[:3] == words[:3]
    counts = [w.count for w in chosen]
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] <= 250  # reaches the rare end
    assert "x1" not in {w.value for w in chosen}  # not a plain word
    assert dataset.spread(words[:5], 12) == [w for w in words[:5] if w.value != "x1"]
