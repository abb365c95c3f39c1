"""Serving the dashboard: a loopback socket with TCP_NODELAY on every connection, and uvicorn.

The listening socket is created with ``IPPROTO_TCP`` named explicitly. asyncio sets
``TCP_NODELAY`` on each accepted connection only when the socket's protocol says TCP
(``sock.proto == IPPROTO_TCP``); a socket made with the default protocol 0 does not, and then
Nagle's algorithm holds back a response's last small segment until the client's delayed ACK:
a 40 ms floor on every request, even ``/api/health``. Accepted sockets inherit the protocol.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn

from flopcast.core.errors import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def listen_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for ``host``:``port`` (0: any free port); one line if it cannot bind."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot bind {host}:{port}: {exc.strerror}; choose another --port"
        ) from None
    return sock


def serve(sock: socket.socket, app: Any) -> None:
    """Run ``app`` with uvicorn on ``sock`` until interrupted."""
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
