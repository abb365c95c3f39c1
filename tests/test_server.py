"""flopcast.web.server: the listening socket, and TCP_NODELAY on the connections it accepts."""

from __future__ import annotations

import asyncio
import socket

import pytest

from flopcast.core.errors import InputError
from flopcast.web import server


def _accepted_nodelay(sock: socket.socket) -> int:
    """Serve ``sock`` as uvicorn does (``loop.create_server(sock=...)``), connect over loopback,
    and read TCP_NODELAY on the server's side of the connection."""

    async def main() -> int:
        seen: asyncio.Future = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                seen.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        srv = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 10)
        writer.close()
        srv.close()
        await srv.wait_closed()
        return value

    return asyncio.run(main())


def test_accepted_connections_have_tcp_nodelay():
    sock = server.listen_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP  # what asyncio checks before setting the flag
    assert _accepted_nodelay(sock) != 0


def test_a_socket_with_the_default_protocol_would_not():
    # The bug this module fixes: protocol 0 means "TCP" to the kernel but not to asyncio.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    assert sock.proto == 0
    assert _accepted_nodelay(sock) == 0


def test_a_port_in_use_is_one_line():
    first = server.listen_socket("127.0.0.1", 0)
    first.listen()
    port = first.getsockname()[1]
    try:
        # SO_REUSEADDR does not let a second socket take a port that one listens on
        with pytest.raises(InputError, match=rf"cannot bind 127.0.0.1:{port}: .*choose another"):
            server.listen_socket("127.0.0.1", port)
    finally:
        first.close()


def test_a_port_in_use_is_one_line_for_a_group_of_server_processes_too():
    """``serve --workers 2`` on a port another group serves is refused, not shared: the kernel
    lets two SO_REUSEPORT sockets of one user bind one port, so the port is tried without."""
    first = server.listen_socket("127.0.0.1", 0, reuse_port=True)
    first.listen()
    port = first.getsockname()[1]
    try:
        with pytest.raises(InputError, match=rf"cannot bind 127.0.0.1:{port}: .*choose another"):
            server.listen_socket("127.0.0.1", port, reuse_port=True)
        joined = server._bind("127.0.0.1", port, reuse_port=True)  # how serve() adds its own
        joined.close()
    finally:
        first.close()


def test_a_group_without_so_reuseport_is_refused_before_any_socket(monkeypatch):
    monkeypatch.delattr(socket, "SO_REUSEPORT", raising=False)
    with pytest.raises(InputError, match="--workers above 1 needs SO_REUSEPORT"):
        server.listen_socket("127.0.0.1", 0, reuse_port=True)
