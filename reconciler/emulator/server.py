"""`dashctl serve`: the emulator on real HTTP (uvicorn, HTTP/1.1).

The socket is bound here, before uvicorn starts, so that ``--port 0`` picks a
free port and the line ``listening on http://HOST:PORT`` (printed to stdout,
flushed, once uvicorn accepts connections) carries the real one. SIGTERM and
SIGINT stop the server gracefully; every write was committed before it was
answered, so nothing is lost either way.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import uvicorn

from reconciler.emulator.app import create_app
from reconciler.emulator.faults import DroppedConnection
from reconciler.emulator.options import EmulatorOptions
from reconciler.errors import ConfigError


class _HideInjectedDrops(logging.Filter):
    """uvicorn logs every exception that leaves an app; the injected drops are on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, DroppedConnection)


class _Server(uvicorn.Server):
    """uvicorn's server, announcing its address once it accepts connections."""

    def __init__(self, config: uvicorn.Config, announce: str) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(self._announce, flush=True)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free one)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(*, db: Path, host: str, port: int, jwt_secret: str, options: EmulatorOptions) -> None:
    """Serve the emulator until SIGTERM/SIGINT; ConfigError when it cannot start."""
    try:
        app = create_app(db_path=db, jwt_secret=jwt_secret, options=options)
    except Exception as error:  # e.g. a path that cannot hold a database
        raise ConfigError(f"cannot open the database {db}: {error}") from None
    try:
        sock = bind_socket(host, port)
    except OSError as error:
        app.store.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {error}") from None

    logging.getLogger("uvicorn.error").addFilter(_HideInjectedDrops())
    config_args: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,
        "lifespan": "on",
        "timeout_keep_alive": 30,
        "timeout_graceful_shutdown": 5,
        "server_header": False,
    }
    config = uvicorn.Config(app, **config_args)
    server = _Server(config, f"listening on {url_of(host, sock)}")
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
