"""bench.scale and bench.deploy without servers: the table, and deploy/nginx.conf's ports."""

from __future__ import annotations

import re

from bench.deploy import nginx_site
from bench.scale import format_table
from bench.wrk import WrkResult


def test_nginx_site_replaces_the_listen_port_and_the_upstream_servers() -> None:
    for backends in ([9001], [9001, 9002, 9003]):
        site = nginx_site(7000, backends)
        assert "listen 127.0.0.1:7000;" in site
        servers = re.findall(r"server 127\.0\.0\.1:(\d+) max_fails=1 fail_timeout=5s;", site)
        assert servers == [str(p) for p in backends]
        assert "8001" not in site and "8002" not in site and "8080" not in site
        assert "proxy_next_upstream error timeout http_502 http_503 non_idempotent;" in site


def test_the_table_sets_every_run_against_the_floor() -> None:
    def result(rps: float) -> WrkResult:
        return WrkResult(int(rps * 10), 10.0, rps, 1.0, 5.0)

    runs = [
        ("floor, direct", result(1000), "floor"),
        ("2 replicas via nginx", result(500), "x"),
        ("GET via Varnish", result(20000), "hits"),
    ]
    lines = format_table(runs).splitlines()[2:]
    ratios = {line.split("|")[1].strip(): line.split("|")[6].strip() for line in lines}
    assert ratios == {
        "floor, direct": "1.00",
        "2 replicas via nginx": "0.50",
        "GET via Varnish": "20.00",
    }
