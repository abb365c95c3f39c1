"""Serving the dashboard: a loopback socket with TCP_NODELAY on every connection, and uvicorn.

The listening socket is created with ``IPPROTO_TCP`` named explicitly. asyncio sets
``TCP_NODELAY`` on each accepted connection only when the socket's protocol says TCP
(``sock.proto == IPPROTO_TCP``); a socket made with the default protocol 0 does not, and then
Nagle's algorithm holds back a response's last small segment until the client's delayed ACK:
a 40 ms floor on every request, even ``/api/health``. Accepted sockets inherit the protocol.

With ``workers`` above 1, that many server processes run, each on its own socket bound to the
same port with ``SO_REUSEPORT``: the kernel spreads new connections evenly over them (by a hash
of the address pair), so requests that each cost CPU use every core. NB: not uvicorn's own
``--workers``, whose processes share one socket: each takes every pending connection it sees
at once: ``benchmarks/bench_web_load.py`` run once against uvicorn's workers instead
(2026-12-01) saw one of two processes take all 50 clients in about half the runs, p99 0.58 s
against 0.36-0.40 s here. The processes are started fresh (``spawn``); each loads the records
of the data folders the parent checked and keeps its own cache. The parent waits: SIGTERM or
Ctrl-C stops them all, and one that dies stops the rest (exit 1).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import multiprocessing.connection
import signal
import socket
from collections.abc import Sequence
from typing import Any

import uvicorn

from flopcast.core.errors import InputError
from flopcast.core.processes import end_with_parent
from flopcast.web import MAX_WORKERS
from flopcast.web.app import create_app

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def listen_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A bound TCP socket for ``host``:``port`` (0: any free port); one line if it cannot bind.

    ``reuse_port``: the first socket of a group on one port (``SO_REUSEPORT``, one per server
    process; :func:`serve` binds the others). NB: the kernel lets another ``SO_REUSEPORT``
    socket of the same user share a port, so a second ``serve --workers 2`` on a busy port would
    quietly split its connections with the first; the port is therefore tried first without the
    option, which a listening socket refuses.
    """
    if not reuse_port:
        return _bind(host, port, reuse_port=False)
    if not hasattr(socket, "SO_REUSEPORT"):
        raise InputError("--workers above 1 needs SO_REUSEPORT (Linux, macOS, BSD); use one")
    probe = _bind(host, port, reuse_port=False)
    port = probe.getsockname()[1]
    probe.close()
    return _bind(host, port, reuse_port=True)


def _bind(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot bind {host}:{port}: {exc.strerror}; choose another --port"
        ) from None
    return sock


def serve(
    sock: socket.socket,
    dirs: Sequence[str] = (),
    *,
    workers: int = 1,
    records: Any = None,
) -> None:
    """Serve the dashboard of the records of ``dirs`` (the shipped ones when empty) on ``sock``
    until interrupted: here, or with ``workers`` above 1 in that many processes, one per
    ``SO_REUSEPORT`` socket on ``sock``'s port (``sock`` made with ``reuse_port``), each loading
    the records itself. ``records``: those of ``dirs`` already loaded, for this process."""
    if not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"--workers must lie in [1, {MAX_WORKERS}], got {workers}")
    if workers == 1:
        _run(sock, _app(dirs, records))
        return
    host, port = sock.getsockname()[:2]
    socks = [sock, *(_bind(host, port, reuse_port=True) for _ in range(workers - 1))]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(s, list(dirs)), daemon=True) for s in socks]
    stopping: list[int] = []

    def stop(signum: int, frame: Any) -> None:
        stopping.append(signum)
        raise SystemExit(0)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for p in procs:
            p.start()
        for s in socks:
            s.close()  # each process holds its own copy
        mp.connection.wait([p.sentinel for p in procs])  # returns when one ends
        if not stopping:
            ended = next(p for p in procs if not p.is_alive())
            raise InputError(f"a server process ended (exit code {ended.exitcode}); stopping")
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()  # uvicorn's own graceful shutdown on SIGTERM
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(sock: socket.socket, app: Any) -> None:
    # NB: what is loaded by now (the libraries, the records) stays out of the cyclic garbage
    # collector's full passes, which otherwise walk it all and stall every queued request
    gc.freeze()
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


def _worker(sock: socket.socket, dirs: list[str]) -> None:
    """One server process of :func:`serve`: its own app on its own socket, shut down when the
    parent process ends (even killed, with no chance to stop it)."""
    end_with_parent(graceful=True)
    _run(sock, _app(dirs))


def _app(dirs: Sequence[str], records: Any = None) -> Any:
    """The dashboard app of the records of ``dirs`` (loaded here unless given), loaded once."""
    from flopcast.evidence import dataset

    loaded = records if records is not None else dataset.load(list(dirs) or None)
    return create_app(dataset_loader=lambda: loaded)
