"""The client's transport: httpx's own pool, with the cheaper idle-socket check.

The check exists so that a pooled connection the server has closed is never
reused. These tests hold both halves: the check is installed on the pool that
httpx builds (an httpx upgrade that moves it fails here, not silently slower),
and a connection closed by a real server between two calls is replaced.
"""

from __future__ import annotations

import asyncio
import socket

import httpcore
import httpx

from reconciler.api import DashboardsClient
from reconciler.api.transport import FastCheckBackend, http_transport, readable

LIST_ANSWER = b'{"dashboards":[{"id":"d1","name":"One"}]}'


def test_the_check_is_installed_on_the_pool_httpx_builds() -> None:
    transport = http_transport(httpx.Limits(max_connections=4))
    pool = transport._pool
    assert isinstance(pool, httpcore.AsyncConnectionPool)
    assert isinstance(pool._network_backend, FastCheckBackend)


def test_readable_tells_an_open_idle_socket_from_a_closed_peer() -> None:
    ours, theirs = socket.socketpair()
    try:
        assert not readable(ours)
        theirs.close()
        assert readable(ours)  # end of file waiting: the peer closed it
    finally:
        ours.close()
    assert readable(ours)  # closed here: never reused
    assert readable(None)


async def _serve_once_per_connection() -> tuple[asyncio.Server, list[int]]:
    """A loopback HTTP/1.1 server that answers one request per connection with a
    keep-alive response, then closes the connection (as a server whose idle
    timeout ran out does)."""
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length")), 0)
        await reader.readexactly(length)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Connection: keep-alive\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(LIST_ANSWER), LIST_ANSWER))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, connections


def test_a_connection_the_server_closed_is_not_reused() -> None:
    asyncio.run(_three_calls_on_a_server_that_closes())


async def _three_calls_on_a_server_that_closes() -> None:
    server, connections = await _serve_once_per_connection()
    port = server.sockets[0].getsockname()[1]
    async with server, DashboardsClient(base_url=f"http://127.0.0.1:{port}", project="p",
                                        token="t", max_attempts=1) as client:
        for _ in range(3):
            assert [d["id"] for d in await client.list_dashboards()] == ["d1"]
            await asyncio.sleep(0.05)  # the server's close reaches the idle socket
    assert len(connections) == 3  # a new connection each time, and no failed call
    assert client.attempts == 3
