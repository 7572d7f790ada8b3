"""The in-process emulator: the app `serve` runs, through httpx.ASGITransport."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator.app import create_app
from reconciler.emulator.inprocess import inprocess_transport
from reconciler.emulator.options import EmulatorOptions
from tests.support.factories import wire_markdown
from tests.support.server import SECRET, running_server

pytestmark = pytest.mark.anyio

LIST = "/dashboards.v1.DashboardsService/List"
CREATE = "/dashboards.v1.DashboardsService/Create"


def headers(token: str, project: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "x-project-id": project}


async def test_transport_and_token_for_one_project(tmp_path: Path) -> None:
    db_path = tmp_path / "deep" / "er" / "local.db"
    transport, token = inprocess_transport(db_path, "local")
    assert db_path.parent.is_dir()
    async with httpx.AsyncClient(transport=transport, base_url="http://dashctl.local") as client:
        created = await client.post(CREATE, json={"name": "Local"}, headers=headers(token, "local"))
        assert created.status_code == 200, created.text
        listed = await client.post(LIST, json={}, headers=headers(token, "local"))
        assert [d["name"] for d in listed.json()["dashboards"]] == ["Local"]
        denied = await client.post(LIST, json={}, headers=headers(token, "other"))
        assert denied.status_code == 403


async def test_same_database_as_serve(tmp_path: Path) -> None:
    """What `serve` wrote, the embedded mode reads, and the other way round."""
    db_path = tmp_path / "shared.db"
    with running_server(tmp_path, db_path=db_path) as server:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                server.rpc_url("Create"),
                json={"name": "From serve"},
                headers=server.headers("local"),
            )
            assert response.status_code == 200
        transport, token = inprocess_transport(db_path, "local")
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            names = (await client.post(LIST, json={}, headers=headers(token, "local"))).json()
            assert [d["name"] for d in names["dashboards"]] == ["From serve"]
            await client.post(
                CREATE, json={"name": "From in-process"}, headers=headers(token, "local")
            )
        async with httpx.AsyncClient() as client:
            response = await client.post(
                server.rpc_url("List"), json={}, headers=server.headers("local")
            )
        assert [d["name"] for d in response.json()["dashboards"]] == [
            "From serve",
            "From in-process",
        ]


def _client(tmp_path: Path, **options: Any) -> tuple[httpx.AsyncClient, dict[str, str], Any]:
    app = create_app(
        db_path=tmp_path / "app.db", jwt_secret=SECRET, options=EmulatorOptions(**options)
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x")
    from reconciler.emulator.auth import mint_token

    return client, headers(mint_token(secret=SECRET, project="p"), "p"), app


async def test_unexpected_error_is_internal_and_nothing_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, sent, app = _client(tmp_path)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom: a bug")

    monkeypatch.setattr(app.store, "list_page", broken)
    async with client:
        response = await client.post(LIST, json={}, headers=sent)
        assert response.status_code == 500
        assert response.json()["code"] == "internal"
        assert "boom" not in response.json()["message"]
        # The app keeps serving.
        assert (
            await client.post(CREATE, json={"name": "Still here"}, headers=sent)
        ).status_code == 200


async def test_router_errors_are_internal_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, sent, _ = _client(tmp_path)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("router bug")

    monkeypatch.setattr("reconciler.emulator.app.authorize", broken)
    async with client:
        response = await client.post(LIST, json={}, headers=sent)
    assert (response.status_code, response.json()["code"]) == (500, "internal")


async def test_dropped_connection_is_a_transport_error(tmp_path: Path) -> None:
    client, sent, app = _client(tmp_path, fault_rate=1.0, seed=0)
    kinds = set()
    async with client:
        for _ in range(20):
            try:
                response = await client.post(CREATE, json={"name": "x"}, headers=sent)
            except httpx.TransportError as error:
                assert isinstance(error, httpx.RemoteProtocolError)
                kinds.add("drop")
            else:
                assert response.status_code in (429, 503)
                assert response.headers["retry-after"] == "0"
                kinds.add(response.json()["code"])
    assert kinds == {"drop", "unavailable", "resource_exhausted"}
    assert app.store.count("p") == 0


async def test_latency_is_added(tmp_path: Path) -> None:
    client, sent, _ = _client(tmp_path, latency_ms=150)
    async with client:
        started = time.perf_counter()
        response = await client.post(LIST, json={}, headers=sent)
        assert response.status_code == 200
    assert time.perf_counter() - started >= 0.15


async def test_latency_beyond_the_connect_deadline_is_deadline_exceeded(tmp_path: Path) -> None:
    client, sent, app = _client(tmp_path, latency_ms=2000)
    async with client:
        started = time.perf_counter()
        response = await client.post(
            CREATE, json={"name": "late"}, headers={**sent, "connect-timeout-ms": "50"}
        )
    assert time.perf_counter() - started < 1
    assert (response.status_code, response.json()["code"]) == (504, "deadline_exceeded")
    assert app.store.count("p") == 0


async def test_quirks_in_process(tmp_path: Path) -> None:
    client, sent, _ = _client(tmp_path, quirks=True)
    async with client:
        board = (await client.post(CREATE, json={"name": "Q"}, headers=sent)).json()["dashboard"]
        response = await client.post(
            "/dashboards.v1.DashboardsService/Upsert",
            headers=sent,
            json={"dashboardId": board["id"],
                  "tiles": [wire_markdown("b", x=6), wire_markdown("a")]},
        )
    tiles = response.json()["dashboard"]["tiles"]
    assert [t["id"] for t in tiles] == ["a", "b"]
    assert "x" not in tiles[0]["position"] and "etag" in tiles[0]


async def test_healthz_and_mounts(tmp_path: Path) -> None:
    client, _, app = _client(tmp_path)

    async def ui(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ui " + scope["path"].encode()})

    app.mount("/extra/", ui)
    async with client:
        assert (await client.get("/healthz")).text == "ok\n"
        assert (await client.get("/extra/dash_1")).text == "ui /extra/dash_1"
