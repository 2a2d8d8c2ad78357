"""Serve a built single-page app (examples/frontend/dist) on a loopback port of its own: a
second origin beside ``newsgraph serve``, as a real deployment has. Unknown paths without a file
extension answer index.html (the app routes with the History API), and ``/config.json`` tells
the app where the API is."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _Handler(SimpleHTTPRequestHandler):
    config: bytes = b"{}"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.config)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(self.config)
            return
        if "." not in path.rsplit("/", 1)[-1]:
            self.path = "/index.html"  # a route of the app
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_site(root: Path, port: int, config: dict[str, str]) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1:``port`` with ``config`` as /config.json; yield the base URL."""
    handler = type("Handler", (_Handler,), {"config": json.dumps(config).encode()})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
