"""The HTTP transport of the Dashboards client: httpx's own, with a cheaper socket check.

What it buys (SPEC §6, bench/bench_plan.py): a plan of 2,000 dashboards x 25
tiles against a server on loopback takes 1.15x as long with httpx's plain
transport (one run, paired medians of 5, this 2-core machine).

Before it hands out a pooled connection, httpcore asks every idle connection
of the pool whether its socket has become readable (the server closed it).
Through anyio, each such question rebuilds a table of the socket's attributes
and calls ``getpeername``: with 16 connections this was about a fifth of the
CPU a Get costs (py-spy over `bench/raw_fetch.py`). The streams here answer it
from the socket kept at connect time, with the same ``poll`` httpcore does;
everything else is the stream of httpcore's own backend.

The backend is set on the pool httpx builds (so TLS, proxies from the
environment and limits stay httpx's) through httpcore's private attribute
``_network_backend``: pyproject.toml pins httpcore to the 1.0 series it was
tested on, and tests/api/test_transport.py fails when the backend is no longer
installed. Should a later httpcore have no such pool, the transport is
httpx's, unchanged.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


def readable(sock: socket.socket | None) -> bool:
    """Whether a socket has data or an end of file waiting (a closed socket counts)."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return readable(self._socket)
        if info == "socket":
            return self._socket
        return self._inner.get_extra_info(info)


class FastCheckBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, with streams that check their socket cheaply."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None, socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address,
            socket_options=socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def http_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's transport for ``limits``, its pool's backend wrapped in `FastCheckBackend`."""
    transport = httpx.AsyncHTTPTransport(limits=limits)
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(pool, httpcore.AsyncConnectionPool) and isinstance(
            backend, httpcore.AsyncNetworkBackend):
        pool._network_backend = FastCheckBackend(backend)
    return transport
