"""A tiny test-only Dashboards API whose API has grown past dashctl's model (TEST CODE).

It stands in for `dashctl serve --newer-api` until that lands: a plain ASGI
app that speaks Connect JSON unary (``POST /dashboards.v1.DashboardsService/
{List,Get,Create,Update,Upsert,Delete}``) and keeps every tile exactly as sent,
as raw JSON: unknown fields at any depth, tiles of any ``TILE_TYPE_*``, and the
order. It checks what a real server would (tile ids present and unique, the
grid, no overlaps) and nothing about fields it does not know. Any bearer token
is accepted; dashboards are kept per ``x-project-id``.

    app = NewerApi()
    transport = httpx.ASGITransport(app=app)        # in-process
    with serving(app) as url: ...                   # real HTTP on 127.0.0.1
"""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
PREFIX = "/dashboards.v1.DashboardsService/"
STATUS = {"invalid_argument": 400, "unauthenticated": 401, "not_found": 404}


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _grid(tiles: Any) -> list[dict[str, Any]]:
    if not isinstance(tiles, list) or not all(isinstance(t, dict) for t in tiles):
        raise Refused("invalid_argument", "tiles must be a list of objects")
    ids = [t.get("id") for t in tiles]
    if not all(isinstance(i, str) and i for i in ids) or len(set(ids)) != len(ids):
        raise Refused("invalid_argument", "tile ids must be present and unique")
    boxes: list[tuple[Any, tuple[Any, Any, Any, Any]]] = []
    for tile in tiles:
        position = tile.get("position") or {}
        x, y, w, h = (position.get(key, 0) for key in ("x", "y", "w", "h"))
        if not (x >= 0 and w >= 1 and x + w <= 12 and y >= 0 and h >= 1):
            raise Refused("invalid_argument", f"tile {tile['id']}: off the grid")
        for other_id, (x2, y2, w2, h2) in boxes:
            if x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h:
                raise Refused("invalid_argument", f"tile {tile['id']} overlaps tile {other_id}")
        boxes.append((tile["id"], (x, y, w, h)))
    return copy.deepcopy(tiles)


class NewerApi:
    """The app; ``dashboards[project][id]`` holds each dashboard as stored."""

    def __init__(self) -> None:
        self.dashboards: dict[str, dict[str, dict[str, Any]]] = {}
        self.calls: dict[str, int] = {}
        self._clock = datetime(2026, 1, 1, tzinfo=UTC)
        self._ids = 0

    def _stamp(self) -> str:
        self._clock += timedelta(microseconds=1000)
        return self._clock.isoformat(timespec="microseconds").replace("+00:00", "Z")

    def _find(self, project: str, dashboard_id: Any) -> dict[str, Any]:
        found = self.dashboards.get(project, {}).get(str(dashboard_id))
        if found is None:
            raise Refused("not_found", f"dashboard {dashboard_id!r} not found")
        return found

    def handle(self, method: str, project: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls[method] = self.calls.get(method, 0) + 1
        store = self.dashboards.setdefault(project, {})
        if method == "List":
            start = int(body.get("pageToken") or 0)
            size = int(body.get("pageSize") or 50)
            items = list(store.values())[start:start + size]
            page: dict[str, Any] = {"dashboards": [
                {key: d[key] for key in ("id", "name", "createdAt", "updatedAt")} for d in items]}
            if start + size < len(store):
                page["nextPageToken"] = str(start + size)
            return page
        if method == "Create":
            if not str(body.get("name", "")).strip():
                raise Refused("invalid_argument", "name is required")
            self._ids += 1
            stamp = self._stamp()
            dashboard = {"id": f"dash_{self._ids:04d}", "name": body["name"], "tiles": [],
                         "createdAt": stamp, "updatedAt": stamp}
            store[dashboard["id"]] = dashboard
        elif method == "Get":
            dashboard = self._find(project, body.get("id"))
        elif method == "Update":
            dashboard = self._find(project, body.get("id"))
            dashboard.update(name=body.get("name"), updatedAt=self._stamp())
        elif method == "Upsert":
            dashboard = self._find(project, body.get("dashboardId"))
            dashboard.update(tiles=_grid(body.get("tiles", [])), updatedAt=self._stamp())
        elif method == "Delete":
            store.pop(self._find(project, body.get("id"))["id"])
            return {}
        else:
            raise Refused("not_found", f"unknown method {method}")
        return {"dashboard": copy.deepcopy(dashboard)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        status, answer = 200, {}
        try:
            if not headers.get("authorization", "").startswith("Bearer "):
                raise Refused("unauthenticated", "no token")
            if not scope["path"].startswith(PREFIX):
                raise Refused("not_found", "no such path")
            body = json.loads(b"".join(chunks) or b"{}")
            answer = self.handle(scope["path"][len(PREFIX):], headers.get("x-project-id", ""),
                                 body)
        except Refused as refused:
            status, answer = STATUS[refused.code], {"code": refused.code, "message": str(refused)}
        payload = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})


@contextmanager
def serving(app: NewerApi) -> Iterator[str]:
    """Serve ``app`` over real HTTP on 127.0.0.1 (uvicorn in a thread); yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test API server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
