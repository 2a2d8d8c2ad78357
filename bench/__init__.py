"""Benchmark tooling: a deterministic generator of news corpora (see ``bench.corpus``)."""
