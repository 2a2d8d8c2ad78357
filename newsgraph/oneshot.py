"""uvicorn's HTTP/1.1 protocol, sending a response's head and body in one write.

uvicorn writes the status line and headers when the app starts its response and
the body when the app sends it: two ``send`` calls, two TCP segments. Behind a
load balancer that matters when a replica dies (SIGKILL, a crash, the OOM
killer) between the two: the balancer has already passed the head on to its
client, so it cannot try the request on another replica, and the client gets a
truncated answer. With this protocol every write the app makes in one step of the
event loop leaves in one ``send`` (flushed at the end of that step), so a
replica that dies mid-response sent nothing and nginx retries cleanly
(deploy/nginx.conf; tests/test_deploy_nginx.py counts the failures: 0).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class OneWriteH11Protocol(H11Protocol):
    """:class:`H11Protocol` over a transport that coalesces the writes of one loop step."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_Coalescing(transport, asyncio.get_running_loop()))  # type: ignore[arg-type]


class _Coalescing:
    """A transport's stand-in: writes are kept until the end of the loop step, then sent
    as one; everything else goes to the transport (pending bytes first)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.flush()
        self._transport.set_protocol(protocol)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
