"""Run the app with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from api.app import create_app
from loaders.records import LoadReport
from newsgraph.config import Settings


def serve(settings: Settings, report: LoadReport | None = None) -> None:
    """Serve until interrupted (one worker process)."""
    fmt = "%(message)s" if settings.log_format == "json" else "%(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=logging.INFO, format=fmt)
    app = create_app(settings, report=report)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
        server_header=False,
    )
