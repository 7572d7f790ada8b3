"""The emulator's ASGI app: a small router in front of connectrpc's ConnectASGIApplication.

    create_app(db_path=..., jwt_secret=..., options=...) -> EmulatorApp

For each request to ``/dashboards.v1.DashboardsService/{Method}`` the router

1. waits ``latency_ms`` (answering ``deadline_exceeded`` if the request's
   ``connect-timeout-ms`` is shorter), then draws an injected fault (see ``faults.py``);
2. authenticates the caller and checks its project (see ``auth.py``), answering
   a Connect error itself when that fails, before the body is read;
3. hands the request to the Connect application (the generated
   ``DashboardsServiceASGIApplication``), which speaks the Connect unary protocol
   with the JSON and binary codecs: 415 to another content type, 405 to a
   method other than POST (GET too for List and Get), ``invalid_argument`` to a
   body it cannot decode, and the handlers' answers.

Any other path answers 404 with a Connect ``unimplemented`` error, except
``GET /healthz``, the apps mounted with ``EmulatorApp.mount`` (a UI, say), and
``GET`` or ``HEAD /``, which sends a browser (307) to the app mounted as ``home``
(the read-only UI), keeping the query string, so ``/?token=JWT`` signs in there.
Only those two methods are redirected: ``POST /`` is still ``unimplemented``,
as a Connect client that lost its path expects.

No exception escapes the app (under uvicorn one would reset the keep-alive
connection): an unexpected error in a handler becomes a Connect ``internal``
error, and one anywhere else is answered ``internal`` if nothing was sent yet
and swallowed otherwise. The one exception raised on purpose is the injected
dropped connection.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar, cast

import anyio
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.request import RequestContext

from reconciler.emulator.asgi import ASGIApp, Message, Receive, Scope, Send
from reconciler.emulator.auth import AuthFailure, authorize
from reconciler.emulator.codecs import emulator_codecs
from reconciler.emulator.faults import DroppedConnection, Fault, FaultInjector
from reconciler.emulator.gen.dashboards.v1.dashboards_connect import (
    DashboardsService,
    DashboardsServiceASGIApplication,
)
from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.service import PROJECT_HEADER, DashboardsServiceImpl
from reconciler.emulator.store import Store
from reconciler.emulator.ui import ui_app

SERVICE = "dashboards.v1.DashboardsService"
METHODS = ("List", "Get", "Create", "Update", "Upsert", "Delete")
RPC_PATHS = frozenset(f"/{SERVICE}/{method}" for method in METHODS)

log = logging.getLogger("reconciler.emulator")

Request = TypeVar("Request")
Response = TypeVar("Response")

_FAULT_ANSWERS: dict[str, tuple[int, str]] = {
    "unavailable": (503, "service unavailable (injected fault), retry"),
    "resource_exhausted": (429, "rate limit exceeded (injected fault), retry"),
}


class InternalErrors:
    """A connectrpc unary interceptor: any unexpected handler error becomes ``internal``."""

    async def intercept_unary(
        self,
        call_next: Callable[[Request, RequestContext[Request, Response]], Awaitable[Response]],
        request: Request,
        ctx: RequestContext[Request, Response],
        /,
    ) -> Response:
        try:
            return await call_next(request, ctx)
        except ConnectError:
            raise
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise ConnectError(Code.UNAVAILABLE, "the store is busy, retry") from error
            log.exception("store error in %s", ctx.method.name)
            raise ConnectError(Code.INTERNAL, "internal error (store)") from error
        except Exception as error:
            log.exception("unexpected error in %s", ctx.method.name)
            raise ConnectError(
                Code.INTERNAL, f"internal error ({type(error).__name__})"
            ) from error


class _TrackedSend:
    """The request's send(), remembering whether the answer has started."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


async def send_connect_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    """Answer with a Connect unary error: a non-200 status and a JSON ``{code, message}``."""
    body = json.dumps({"code": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _drain(receive: Receive) -> None:
    """Read the request body to its end (so the connection can be kept alive)."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _timeout_s(scope: Scope) -> float | None:
    """The request's Connect deadline (``connect-timeout-ms``) in seconds, if valid."""
    value = _header(scope, b"connect-timeout-ms")
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    return int(value) / 1000


class EmulatorApp:
    """The ASGI app `dashctl serve` and the in-process transport run."""

    def __init__(self, *, store: Store, jwt_secret: str, options: EmulatorOptions) -> None:
        self.store = store
        self.options = options
        self._secret = jwt_secret
        self._faults = FaultInjector(options)
        self._latency_s = options.latency_ms / 1000
        self._mounts: list[tuple[str, ASGIApp]] = []
        self._home: str | None = None
        self.service = DashboardsServiceImpl(store, options, self._faults)
        # The one place the types are bent: under newer_api the JSON codec hands Upsert a
        # SentTiles and writes a WithUnmodeled answer (unmodeled.py), objects that the
        # library passes between codec and handler without looking at them.
        service = cast(DashboardsService, self.service)
        self._connect: ASGIApp = DashboardsServiceASGIApplication(
            service,
            interceptors=[InternalErrors()],
            codecs=emulator_codecs(quirks=options.quirks, newer_api=options.newer_api),
        )

    def mount(self, prefix: str, app: ASGIApp, *, home: bool = False) -> None:
        """Serve every path under ``prefix`` (e.g. ``/ui``) with another ASGI app; with
        ``home``, ``GET /`` leads there (a person who opens the server's address in a
        browser lands on its pages, not on a Connect error)."""
        self._mounts.append((prefix, app))
        if home:
            self._home = prefix.rstrip("/") + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here: returning closes it
        tracked = _TrackedSend(send)
        try:
            await self._route(scope, receive, tracked)
        except DroppedConnection:
            raise
        except Exception:
            log.exception("unexpected error answering %s", scope.get("path"))
            if not tracked.started:
                await send_connect_error(tracked, 500, "internal", "internal error")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if path in RPC_PATHS:
            await self._rpc(scope, receive, send)
            return
        for prefix, app in self._mounts:
            if path.startswith(prefix):
                await app(scope, receive, send)
                return
        await _drain(receive)
        if path == "/healthz" and scope["method"] in ("GET", "HEAD"):
            await _ok(send)
            return
        if path == "/" and self._home is not None and scope["method"] in ("GET", "HEAD"):
            await _see_home(send, self._home, scope)
            return
        await send_connect_error(send, 404, "unimplemented", f"unknown method {path}")

    async def _rpc(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._latency_s:
            budget = _timeout_s(scope)
            if budget is not None and budget < self._latency_s:
                # The client's Connect deadline runs out before the added latency does.
                await anyio.sleep(budget)
                await _drain(receive)
                await send_connect_error(
                    send, 504, "deadline_exceeded", "the call outlived its timeout (latency)"
                )
                return
            await anyio.sleep(self._latency_s)
        fault = self._faults.request_fault()
        if fault is not None:
            await self._inject(fault, receive, send)
            return
        try:
            authorize(
                _header(scope, b"authorization"),
                _header(scope, PROJECT_HEADER.encode()),
                secret=self._secret,
            )
        except AuthFailure as failure:
            await _drain(receive)
            status = {"unauthenticated": 401, "permission_denied": 403}.get(failure.code, 400)
            await send_connect_error(send, status, failure.code, failure.message)
            return
        await self._connect(scope, receive, send)

    async def _inject(self, fault: Fault, receive: Receive, send: Send) -> None:
        await _drain(receive)
        if fault == "drop":
            # The status line goes out, the body never does: the client reads a
            # response cut short. uvicorn closes the socket on the exception.
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"64")],
                }
            )
            raise DroppedConnection()
        status, message = _FAULT_ANSWERS[fault]
        await send_connect_error(send, status, fault, message, ((b"retry-after", b"0"),))


async def _ok(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"3")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok\n", "more_body": False})


def _query_bytes(scope: Scope) -> bytes:
    """The request's query string, any byte outside visible ASCII percent-encoded (it goes
    into a header)."""
    raw = bytes(scope.get("query_string", b""))
    return b"".join(bytes([c]) if 0x21 <= c <= 0x7E else b"%%%02X" % c for c in raw)


async def _see_home(send: Send, home: str, scope: Scope) -> None:
    """307 to ``home`` with the same query string (a ``?token=`` the UI takes in). The
    answer is never cached and sends no referrer, since its address may hold a token."""
    query = _query_bytes(scope)
    location = home.encode("ascii") + (b"?" + query if query else b"")
    text = f"the read-only UI is at {home}\n".encode()  # never the token
    await send(
        {
            "type": "http.response.start",
            "status": 307,
            "headers": [
                (b"location", location),
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(text)).encode()),
                (b"cache-control", b"no-store"),
                (b"referrer-policy", b"no-referrer"),
            ],
        }
    )
    body = b"" if scope["method"] == "HEAD" else text
    await send({"type": "http.response.body", "body": body, "more_body": False})


def create_app(
    *, db_path: Path, jwt_secret: str, options: EmulatorOptions | None = None
) -> EmulatorApp:
    """Build the emulator on the SQLite file ``db_path`` (created with its folder if missing)."""
    if not jwt_secret:
        raise ValueError("the emulator needs a JWT secret")
    store = Store(db_path)
    app = EmulatorApp(store=store, jwt_secret=jwt_secret, options=options or EmulatorOptions())
    app.mount("/ui", ui_app(store, jwt_secret), home=True)  # the read-only UI (ui.py)
    return app
