"""Serving the dashboard: a loopback socket with TCP_NODELAY on every connection, and uvicorn.

The listening socket is created with ``IPPROTO_TCP`` named explicitly. asyncio sets
``TCP_NODELAY`` on each accepted connection only when the socket's protocol says TCP
(``sock.proto == IPPROTO_TCP``); a socket made with the default protocol 0 does not, and then
Nagle's algorithm holds back a response's last small segment until the client's delayed ACK:
a 40 ms floor on every request, even ``/api/health``. Accepted sockets inherit the protocol.

With ``workers`` above 1, uvicorn's process supervisor runs that many server processes on the
one socket (the kernel hands each connection to one of them), so requests that each cost CPU
use every core instead of one: under 50 concurrent clients asking for new parameters, twice
the throughput on 2 cores (``benchmarks/bench_web_load.py``). Each process builds its own app
with :func:`app_from_environment` (uvicorn starts them fresh: ``spawn``), reading the data
folders the parent checked from :data:`DATA_ENV`; each keeps its own cache.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Sequence
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


DATA_ENV = "FLOPCAST_SERVE_DATA"  # the --data folders, a JSON list, for the server processes
MAX_WORKERS = 64


def serve(
    sock: socket.socket, make_app: Callable[[], Any], *, workers: int = 1, data: Sequence[str] = ()
) -> None:
    """Run ``make_app()`` with uvicorn on ``sock`` until interrupted; with ``workers`` above 1,
    that many processes instead, each with the app of :func:`app_from_environment` for
    ``data`` (the folders ``make_app`` reads)."""
    if not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"--workers must lie in [1, {MAX_WORKERS}], got {workers}")
    if workers == 1:
        config = uvicorn.Config(make_app(), log_level="warning", access_log=False)
        uvicorn.Server(config).run(sockets=[sock])
        return
    from uvicorn.supervisors import Multiprocess

    os.environ[DATA_ENV] = json.dumps(list(data))
    config = uvicorn.Config(
        f"{__name__}:app_from_environment",
        factory=True,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    Multiprocess(config, sockets=[sock]).run()


def app_from_environment() -> Any:
    """The dashboard app of one server process: the records of the folders in :data:`DATA_ENV`
    (the shipped ones when it is unset), loaded once."""
    from flopcast.evidence import dataset
    from flopcast.web.app import create_app

    dirs = json.loads(os.environ.get(DATA_ENV) or "[]")
    records = dataset.load(dirs or None)
    return create_app(dataset_loader=lambda: records)
