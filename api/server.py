"""Run the app with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from api.app import create_app
from newsgraph.config import Settings


def serve(settings: Settings) -> None:
    """Serve until interrupted (one worker process)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
        server_header=False,
    )
