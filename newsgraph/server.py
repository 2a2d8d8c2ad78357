"""Run the app with uvicorn, and the loads that go on while it serves."""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from api.http.app import create_app
from api.http.observe import RequestLog, record_load
from core.config import Settings, from_environ, to_environ
from core.records import LoadReport
from loaders.loader import LoadOptions
from newsgraph.oneshot import OneWriteH11Protocol
from newsgraph.watch import BackgroundLoads


def serve(
    settings: Settings,
    report: LoadReport | None = None,
    options: LoadOptions | None = None,
    *,
    reconcile: bool = False,
) -> None:
    """Serve until interrupted.

    ``reconcile``: the database already holds content, so serve it at once and load
    the content folder in the background; ``settings.watch``: reload it as it changes.
    """
    _logging(settings)
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": False,
        "server_header": False,
        "http": OneWriteH11Protocol,  # a replica killed mid-response sent nothing: retryable
    }
    app = None
    if settings.workers == 1:
        app = create_app(settings, report=report, lines=_lines(settings))
    loads = None
    if reconcile or settings.watch:
        if reconcile:
            logging.getLogger("newsgraph.watch").info(
                "serving the content the database holds; reconciling %s in the background",
                settings.content,
            )
        loads = BackgroundLoads(
            settings.content, settings.db, options or LoadOptions(),
            reconcile=reconcile, watch=settings.watch,
            on_report=None if app is None else (lambda r: record_load(app.state.metrics, r)),
        )  # fmt: skip
        loads.start()
    try:
        if app is None:
            os.environ.update(to_environ(settings))
            config = _TCPConfig(
                "newsgraph.server:app_from_environ",
                factory=True,
                workers=settings.workers,
                **common,
            )
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            uvicorn.run(app, **common)
    finally:
        if loads is not None:
            loads.stop()


class _TCPConfig(uvicorn.Config):
    """uvicorn's config, with a listening socket that says it is TCP.

    For several workers uvicorn binds the socket itself with ``proto=0``; sockets
    accepted from it inherit that, and asyncio then skips ``TCP_NODELAY`` (it
    checks for ``IPPROTO_TCP``), so every keep-alive response waited ~40 ms for
    a delayed ACK. Re-wrapping the descriptor lets the kernel report the protocol.
    """

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        tcp = socket.socket(fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp


def app_from_environ() -> Starlette:
    """The app of one of several worker processes (settings come from the environment)."""
    settings = from_environ()
    _logging(settings)
    return create_app(settings, lines=_lines(settings))


def _lines(settings: Settings) -> RequestLog:
    """Request log lines on stderr, written in batches."""
    return RequestLog(sys.stderr, settings.log_format == "json")


def _logging(settings: Settings) -> None:
    fmt = "%(message)s" if settings.log_format == "json" else "%(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=logging.INFO, format=fmt)
