"""The ``newsgraph`` command: ``load``, ``serve`` and ``export-schema``.

Flags have environment-variable equivalents (see :mod:`core.config`);
the command line is the only place that reads them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from core import config
from core.errors import ConfigError, DatabaseError
from core.records import LoadReport
from db import built
from db.connection import content_version, prepare
from db.health import HealthRow
from db.health import report as health_report
from loaders.loader import DEFAULT_PATTERNS, LoadOptions, load


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (ConfigError, DatabaseError) as exc:
        print(f"newsgraph: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsgraph", description="A GraphQL API over a folder of Markdown news items."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_load = sub.add_parser("load", help="load a content folder into the SQLite database")
    p_load.add_argument("content", type=Path, help="content folder (a Jekyll site or any folder)")
    _db_flag(p_load)
    _load_flags(p_load)
    p_load.add_argument("--json", action="store_true", help="print the report as JSON")
    p_load.add_argument(
        "--report", action="store_true",
        help="then print the content health: refused files, unmatched related links, "
        "duplicate URLs, articles without images, provider or date, unnamed providers, "
        "topics outside the taxonomy (counts and the first items of each)",
    )  # fmt: skip
    p_load.set_defaults(run=_run_load)

    p_build = sub.add_parser(
        "build",
        help="load a content folder into a new self-contained database file for read-only "
        "replicas (serve --read-only)",
    )
    p_build.add_argument("content", type=Path, help="content folder (a Jekyll site or any folder)")
    p_build.add_argument(
        "--out", type=Path, required=True,
        help="the database file to write (replaced by rename when complete)",
    )  # fmt: skip
    p_build.add_argument(
        "--from", dest="base", type=Path, default=None,
        help="the previous build to continue (default: the --out file, if there is one): "
        "unchanged articles keep their ids, so cursors and ids held by clients stay valid",
    )  # fmt: skip
    p_build.add_argument(
        "--fresh", action="store_true",
        help="start from an empty database (new ids for every article)",
    )  # fmt: skip
    _load_flags(p_build)
    p_build.add_argument("--json", action="store_true", help="print the report as JSON")
    p_build.set_defaults(run=_run_build)

    p_serve = sub.add_parser(
        "serve",
        help="serve GraphQL at /graphql (loading the content first only into an empty database)",
    )
    p_serve.add_argument(
        "--content",
        type=Path,
        default=Path(config.env_default("content", str(config.SAMPLE_CONTENT)) or ""),
        help="content folder to load and serve (default: the bundled sample; "
        "env NEWSGRAPH_CONTENT)",
    )
    _db_flag(p_serve)
    _load_flags(p_serve, "--parse-workers")
    p_serve.add_argument(
        "--host",
        default=config.env_default("host", "127.0.0.1"),
        help="address to listen on (default 127.0.0.1; env NEWSGRAPH_HOST)",
    )
    p_serve.add_argument(
        "--port",
        default=config.env_default("port", "8000"),
        help="port to listen on (default 8000; env NEWSGRAPH_PORT)",
    )
    p_serve.add_argument(
        "--production",
        action="store_true",
        default=config.parse_flag(config.env_default("production", None)),
        help="turn GraphiQL and introspection off and mask errors (env NEWSGRAPH_PRODUCTION)",
    )
    p_serve.add_argument(
        "--log-format", choices=("text", "json"),
        default=config.env_default("log_format", "text"),
        help="request log lines as text or JSON (env NEWSGRAPH_LOG_FORMAT)",
    )  # fmt: skip
    p_serve.add_argument(
        "--watch", action="store_true",
        default=config.parse_flag(config.env_default("watch", None)),
        help="reload changed content files while serving (env NEWSGRAPH_WATCH)",
    )  # fmt: skip
    p_serve.add_argument(
        "--read-only", action="store_true",
        default=config.parse_flag(config.env_default("read_only", None)),
        help="serve the --db file as built by `newsgraph build`, never writing to it; SIGHUP "
        "switches to the file then at that path (env NEWSGRAPH_READ_ONLY)",
    )  # fmt: skip
    p_serve.add_argument(
        "--shared-max-age", default=config.env_default("shared_max_age", "60"),
        help="seconds shared caches may keep a persisted-query GET: s-maxage "
        "(default 60; env NEWSGRAPH_SHARED_MAX_AGE)",
    )  # fmt: skip
    p_serve.add_argument(
        "--stale-while-revalidate", default=config.env_default("stale_while_revalidate", "30"),
        help="seconds past s-maxage a shared cache may serve the old answer while it asks again "
        "(default 30; env NEWSGRAPH_STALE_WHILE_REVALIDATE)",
    )  # fmt: skip
    p_serve.add_argument(
        "--show-future", action="store_true",
        default=config.parse_flag(config.env_default("show_future", None)),
        help="show articles whose publishedDateTime is still to come, for previews (by "
        "default they are hidden until then; env NEWSGRAPH_SHOW_FUTURE)",
    )  # fmt: skip
    p_serve.add_argument(
        "--workers", type=int, default=int(config.env_default("workers", "1") or 1),
        help="server processes sharing the database (default 1; env NEWSGRAPH_WORKERS)",
    )  # fmt: skip
    p_serve.add_argument(
        "--cors-origin", action="append", dest="cors_origins", metavar="ORIGIN",
        help="an origin whose pages may call the API from a browser (CORS and WebSocket), "
        "repeatable, like https://news.example.com; default * (any origin; "
        "env NEWSGRAPH_CORS_ORIGINS, comma-separated)",
    )  # fmt: skip
    p_serve.add_argument(
        "--limit", action="append", default=[], metavar="NAME=VALUE",
        help="change a query limit, repeatable: " + ", ".join(config.LIMIT_NAMES)
        + " (env NEWSGRAPH_LIMIT_<NAME>)",
    )  # fmt: skip
    p_serve.set_defaults(run=_run_serve)

    p_schema = sub.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    p_schema.set_defaults(run=_run_export_schema)
    return parser


def _db_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(config.env_default("db", str(config.DEFAULT_DB)) or ""),
        help="SQLite database file (default ./newsgraph.db; env NEWSGRAPH_DB)",
    )


def _load_flags(parser: argparse.ArgumentParser, workers_flag: str = "--workers") -> None:
    parser.add_argument(
        "--pattern",
        action="append",
        dest="patterns",
        metavar="GLOB",
        help=f"file pattern to load, repeatable (default: {' '.join(DEFAULT_PATTERNS)})",
    )
    parser.add_argument(
        "--no-prune",
        action="store_true",
        help="keep articles whose files are gone from the folder",
    )
    parser.add_argument(
        workers_flag,
        dest="parse_workers",
        type=int,
        default=None,
        help="parser processes for loading (default: CPU count)",
    )
    parser.add_argument(
        "--embed-host", action="append", dest="embed_hosts", metavar="HOST",
        help="a host whose https iframes featuredContentHtml keeps (with its subdomains), "
        "repeatable; replaces the default list of video hosts; `none` keeps no embed "
        "(env NEWSGRAPH_EMBED_HOSTS, comma-separated)",
    )  # fmt: skip


def _options(args: argparse.Namespace) -> LoadOptions:
    base = LoadOptions()
    return LoadOptions(
        patterns=tuple(args.patterns) if args.patterns else base.patterns,
        prune=not args.no_prune,
        workers=args.parse_workers or base.workers,
        limits=replace(base.limits, embed_hosts=config.parse_embed_hosts(args.embed_hosts)),
    )


def _run_load(args: argparse.Namespace) -> int:
    progress: _Progress | _PlainProgress | None = None
    if not args.json:
        progress = _Progress(sys.stderr) if sys.stderr.isatty() else _PlainProgress(sys.stderr)
    report = asyncio.run(load(args.content, args.db, _options(args), progress))
    if progress is not None:
        progress.close()
    health = health_report(args.db) if args.report else None
    if args.json:
        found = report_json(report)
        if health is not None:
            found["health"] = [
                {"check": kind, "description": text, "count": n,
                 "first": [_finding(row) for row in rows]}
                for kind, text, n, rows in health
            ]  # fmt: skip
        print(json.dumps(found, indent=2))
    else:
        print_report(report, sys.stdout)
        if health is not None:
            print_health(health, sys.stdout)
    return 1 if report.loaded == 0 else 0


def _finding(row: HealthRow) -> dict[str, object]:
    found = {"reason": row.reason, "path": row.path, "line": row.line, "url": row.url}
    return {k: v for k, v in found.items() if v is not None}


def print_health(health: list[tuple[str, str, int, list[HealthRow]]], out: TextIO) -> None:
    """The content health as text: a line per check, then its first findings indented."""
    print("content health:", file=out)
    for kind, _, n, rows in health:
        print(f"  {kind.lower().replace('_', ' ')}: {n:,}", file=out)
        for row in rows:
            where = f"{row.path}:{row.line}" if row.line is not None else row.path
            parts = [p for p in (where, row.url, row.reason) if p]
            print(f"    {' - '.join(dict.fromkeys(parts))}", file=out)
        if n > len(rows):
            print(f"    ... and {n - len(rows):,} more (query contentHealth for all)", file=out)


def _run_serve(args: argparse.Namespace) -> int:
    from newsgraph.server import serve  # imported late: `load` should not pay for the API

    settings = config.Settings(
        db=args.db,
        content=args.content,
        host=args.host,
        port=config.parse_port(str(args.port)),
        access_token=config.env_default("access_token", None) or None,
        production=args.production,
        log_format=args.log_format,
        watch=args.watch,
        show_future=args.show_future,
        workers=max(1, args.workers),
        cors_origins=config.parse_cors_origins(args.cors_origins),
        limits=config.parse_limits(args.limit),
        read_only=args.read_only,
        shared_max_age=config.parse_seconds(str(args.shared_max_age), "--shared-max-age"),
        stale_while_revalidate=config.parse_seconds(
            str(args.stale_while_revalidate), "--stale-while-revalidate"
        ),
    )
    options = _options(args)
    if settings.read_only:
        if settings.watch:
            raise ConfigError(
                "--read-only serves a built file and never loads: drop --watch, or serve "
                "without --read-only to load and watch a content folder"
            )
        info = built.check(settings.db)
        print(
            f"serving {settings.db} read-only: content {info.digest} (version {info.version})",
            file=sys.stderr,
        )
        serve(settings, None, options)
        return 0
    prepare(settings.db)  # the schema is current before any reader opens the file
    if content_version(settings.db) > 0:
        # content loaded before: answer from it now, reconcile the folder meanwhile
        serve(settings, None, options, reconcile=True)
        return 0
    report = asyncio.run(load(settings.content, settings.db, options))
    print_report(report, sys.stderr)
    serve(settings, report, options)
    return 0


def _run_build(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.is_dir():
        raise ConfigError(f"--out {out} is a folder; name the database file to write")
    out.parent.mkdir(parents=True, exist_ok=True)
    base: Path | None = None if args.fresh else (args.base or (out if out.exists() else None))
    with tempfile.TemporaryDirectory(prefix=".newsgraph-build-", dir=out.parent) as work:
        work_db = Path(work) / "work.db"
        if base is not None:
            built.check(base)  # a previous build this newsgraph reads
            shutil.copyfile(base, work_db)
        progress = None if args.json else _PlainProgress(sys.stderr)
        report = asyncio.run(load(args.content, work_db, _options(args), progress))
        if report.loaded == 0:
            print_report(report, sys.stderr)
            print("newsgraph: error: nothing could be loaded; no file written", file=sys.stderr)
            return 1
        info = built.write(work_db, out)
    if args.json:
        print(json.dumps({**report_json(report), "out": str(out), "bytes": info.size}, indent=2))
        return 0
    print_report(report, sys.stderr)
    print(f"built {out}: content {info.digest} (version {info.version}, {info.size:,} bytes)")
    return 0


def _run_export_schema(args: argparse.Namespace) -> int:
    from api.schema.build import export_sdl

    sys.stdout.write(export_sdl())
    return 0


def report_json(report: LoadReport) -> dict[str, object]:
    """The load report as plain JSON data, for scripts."""
    return {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "removed": report.removed,
        "failed": report.failed,
        "content_version": report.content_version,
        "content_digest": report.content_digest,
        "seconds": round(report.seconds, 3),
        "problems": [{"path": p.path, "line": p.line, "reason": p.reason} for p in report.problems],
    }


def print_report(report: LoadReport, out: TextIO) -> None:
    """The human report: one line per refused file, then the counts."""
    for problem in report.problems:
        print(f"refused {problem}", file=out)
    rate = report.loaded / report.seconds if report.seconds else 0.0
    print(
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"removed {report.removed}, failed {report.failed} "
        f"(content version {report.content_version}, {report.seconds:.2f} s, "
        f"{rate:,.0f} items/s)",
        file=out,
    )


class _Progress:
    """A one-line progress display for a terminal, redrawn at most 10 times a second."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        width = 30
        filled = width * done // max(total, 1)
        self.out.write(f"\rparsing [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        self.out.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.out.write("\n")
            self.out.flush()


class _PlainProgress:
    """Progress for logs and pipes: a plain line at every tenth of a large load."""

    MIN_FILES = 2000

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if total < self.MIN_FILES:
            return
        tenth = 10 * done // total
        if tenth > self.shown:
            self.shown = tenth
            print(f"parsed {done:,} of {total:,} changed files", file=self.out, flush=True)

    def close(self) -> None:
        """Nothing to clean up."""


if __name__ == "__main__":
    raise SystemExit(main())
