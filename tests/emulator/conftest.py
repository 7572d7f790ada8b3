"""Fixtures of the emulator tests: an ``api`` that drives either the module's
`dashctl serve` (``server``, tests/conftest.py) over HTTP or the same app
in-process; the same for `dashctl serve --newer-api` (``newer_server``, ``newer_api``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator.app import create_app
from reconciler.emulator.auth import mint_token
from reconciler.emulator.options import EmulatorOptions
from tests.support.server import SECRET, Server, connect_headers

SERVICE_PATH = "/dashboards.v1.DashboardsService"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Api:
    """Connect calls to the emulator, over HTTP or in-process, on a fresh project."""

    base_url: str
    transport: httpx.AsyncBaseTransport | None
    project: str = field(default_factory=lambda: f"proj_{uuid.uuid4().hex[:8]}")
    secret: str = SECRET

    def client(self, **options: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, transport=self.transport, **options)

    def token(self, project: str | None = None) -> str:
        return mint_token(secret=self.secret, project=project or self.project)

    def headers(self, project: str | None = None, **extra: str) -> dict[str, str]:
        project = project or self.project
        return {**connect_headers(self.token(project), project), **extra}

    async def call(
        self,
        method: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        content: Any = None,
        project: str | None = None,
    ) -> httpx.Response:
        sent = headers if headers is not None else self.headers(project)
        async with self.client() as client:
            if content is None:
                return await client.post(
                    f"{SERVICE_PATH}/{method}",
                    json=body if body is not None else {},
                    headers=sent,
                )
            return await client.post(f"{SERVICE_PATH}/{method}", content=content, headers=sent)

    async def ok(self, method: str, body: Any = None, **options: Any) -> dict[str, Any]:
        response = await self.call(method, body, **options)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    async def error(self, method: str, body: Any = None, **options: Any) -> tuple[int, str, str]:
        """(HTTP status, Connect code, message) of a call expected to fail."""
        response = await self.call(method, body, **options)
        assert response.status_code != 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        data = response.json()
        return response.status_code, data["code"], data["message"]

    async def create(self, name: str = "Board", **options: Any) -> dict[str, Any]:
        dashboard: dict[str, Any] = (await self.ok("Create", {"name": name}, **options))[
            "dashboard"
        ]
        return dashboard


def inprocess_api(db_path: Path, **options: Any) -> Api:
    """An Api on an in-process app with these EmulatorOptions."""
    app = create_app(db_path=db_path, jwt_secret=SECRET, options=EmulatorOptions(**options))
    return Api(base_url="http://emulator", transport=httpx.ASGITransport(app=app))


def _api(request: pytest.FixtureRequest, db_path: Path, server: str, **options: Any) -> Api:
    """The module's ``server`` fixture over HTTP, or the same app in-process on ``db_path``."""
    if request.param == "http":
        running: Server = request.getfixturevalue(server)
        return Api(base_url=running.url, transport=None)
    return inprocess_api(db_path, **options)


@pytest.fixture(params=["http", "inprocess"])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Api:
    return _api(request, tmp_path / "inprocess.db", "server")


@pytest.fixture(params=["http", "inprocess"])
def newer_api(request: pytest.FixtureRequest, tmp_path: Path) -> Api:
    """Like ``api``, against `dashctl serve --newer-api` or its app in-process."""
    return _api(request, tmp_path / "newer.db", "newer_server", newer_api=True)
