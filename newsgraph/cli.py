"""The ``newsgraph`` command: ``load``, ``serve`` and ``export-schema``.

Flags have environment-variable equivalents (see :mod:`core.config`);
the command line is the only place that reads them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from core import config
from core.errors import ConfigError, DatabaseError
from core.records import LoadReport
from db.connection import content_version, prepare
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
    p_load.set_defaults(run=_run_load)

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
    if args.json:
        print(json.dumps(report_json(report), indent=2))
    else:
        print_report(report, sys.stdout)
    return 1 if report.loaded == 0 else 0


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
        limits=config.parse_limits(args.limit),
    )
    options = _options(args)
    prepare(settings.db)  # the schema is current before any reader opens the file
    if content_version(settings.db) > 0:
        # content loaded before: answer from it now, reconcile the folder meanwhile
        serve(settings, None, options, reconcile=True)
        return 0
    report = asyncio.run(load(settings.content, settings.db, options))
    print_report(report, sys.stderr)
    serve(settings, report, options)
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
