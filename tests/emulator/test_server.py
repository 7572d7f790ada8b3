"""`dashctl serve` as a process: startup, persistence, keep-alive, quirks and faults over HTTP."""

from __future__ import annotations

import asyncio
import http.client
import json
import signal
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from google.protobuf import unknown_fields

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from tests.support.cli import run_process
from tests.support.factories import wire_insight, wire_markdown
from tests.support.server import (
    PROJECT,
    ROOT,
    Server,
    running_server,
    serve_command,
    serve_env,
    start_server,
    stop,
)


def row_count(db_path: Path) -> int:
    with sqlite3.connect(db_path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM dashboards").fetchone()
    return int(count)


# -- the process ---------------------------------------------------------------


def test_serve_prints_one_line_with_the_real_port(tmp_path: Path) -> None:
    process = subprocess.Popen(
        serve_command(db_path=tmp_path / "db" / "serve.db", secret="s"),
        cwd=ROOT,
        env=serve_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.removeprefix("listening on ").strip()
        assert line.startswith("listening on http://127.0.0.1:")
        assert urlsplit(url).port not in (None, 0)
        assert httpx.get(f"{url}/healthz").status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert out == ""  # nothing after the one line
    assert "Traceback" not in err
    assert (tmp_path / "db" / "serve.db").exists()


def test_serve_without_a_secret_is_a_clean_error(tmp_path: Path) -> None:
    done = run_process("serve", "--port", "0", "--db", str(tmp_path / "x.db"), timeout=30)
    assert done.returncode == 1
    assert "JWT secret" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_token_command_mints_a_token_the_server_accepts(server: Server) -> None:
    done = run_process("token", "--project", "proj_cli", "--jwt-secret", server.secret,
                       "--ttl", "60", timeout=30)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    response = httpx.post(
        server.rpc_url("List"),
        json={},
        headers={"authorization": f"Bearer {token}", "x-project-id": "proj_cli"},
    )
    assert response.status_code == 200, response.text
    denied = httpx.post(
        server.rpc_url("List"),
        json={},
        headers={"authorization": f"Bearer {token}", "x-project-id": "proj_other"},
    )
    assert denied.status_code == 403


# -- persistence -----------------------------------------------------------------


TILES = [wire_insight("dau"), wire_markdown("goals", x=6)]


@pytest.mark.parametrize("how", ["restart", "kill -9"])
def test_data_survives(tmp_path: Path, how: str) -> None:
    db_path = tmp_path / "kept.db"
    server = start_server(tmp_path, db_path=db_path)
    try:
        board = server.ok("Create", {"name": "Kept"})["dashboard"]
        server.ok("Upsert", {"dashboardId": board["id"], "tiles": TILES})
        server.ok("Update", {"id": board["id"], "name": "Kept and renamed"})
        doomed = server.ok("Create", {"name": "Deleted"})["dashboard"]
        server.ok("Delete", {"id": doomed["id"]})
        before = server.ok("Get", {"id": board["id"]})["dashboard"]
    finally:
        if how == "kill -9":
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(10)
        stop(server.process)
    with running_server(tmp_path, db_path=db_path) as again:
        assert again.ok("Get", {"id": board["id"]})["dashboard"] == before
        assert [d["id"] for d in again.ok("List")["dashboards"]] == [board["id"]]


def test_two_servers_share_one_database(tmp_path: Path) -> None:
    db_path = tmp_path / "shared.db"
    with (
        running_server(tmp_path, db_path=db_path) as one,
        running_server(tmp_path, db_path=db_path) as two,
    ):
        board = one.ok("Create", {"name": "Seen by both"})["dashboard"]
        two.ok("Upsert", {"dashboardId": board["id"], "tiles": TILES})
        assert one.ok("Get", {"id": board["id"]})["dashboard"]["tiles"] == TILES


def test_concurrent_writes_are_safe(server: Server) -> None:
    project = "proj_concurrent"

    async def main() -> list[str]:
        limits = httpx.Limits(max_connections=16)
        async with httpx.AsyncClient(limits=limits) as client:

            async def create(index: int) -> str:
                response = await client.post(
                    server.rpc_url("Create"),
                    json={"name": f"C{index}"},
                    headers=server.headers(project),
                )
                assert response.status_code == 200, response.text
                board = response.json()["dashboard"]
                response = await client.post(
                    server.rpc_url("Upsert"),
                    json={"dashboardId": board["id"], "tiles": [wire_markdown(f"t{index}")]},
                    headers=server.headers(project),
                )
                assert response.status_code == 200, response.text
                return str(board["id"])

            return await asyncio.gather(*(create(index) for index in range(40)))

    ids = asyncio.run(main())
    assert len(set(ids)) == 40
    listed = server.ok("List", {"pageSize": 1000}, project=project)["dashboards"]
    assert sorted(d["id"] for d in listed) == sorted(ids)


# -- errors never cost the connection -------------------------------------------


def test_errors_keep_the_connection_alive(server: Server) -> None:
    project = "proj_keepalive"
    board = server.ok("Create", {"name": "Corrupt me"}, project=project)["dashboard"]
    with sqlite3.connect(server.db_path) as db:
        db.execute("UPDATE dashboards SET tiles = x'ffffffff' WHERE id = ?", (board["id"],))

    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    headers = server.headers(project)
    attempts: list[tuple[str, bytes, dict[str, str], int, str | None]] = [
        ("List", b"{}", headers, 200, None),
        ("Get", json.dumps({"id": board["id"]}).encode(), headers, 500, "internal"),
        ("Get", b"{oops", headers, 400, "invalid_argument"),
        ("Get", b"{}", {**headers, "content-type": "text/plain"}, 415, None),
        ("Nope", b"{}", headers, 404, "unimplemented"),
        ("Get", b'{"id": "dash_none"}', headers, 404, "not_found"),
        ("List", b"{}", {**headers, "authorization": "Bearer x"}, 401, "unauthenticated"),
        ("List", b"{}", headers, 200, None),
    ]
    sockets = set()
    try:
        for method, body, sent, status, code in attempts:
            connection.request("POST", f"/dashboards.v1.DashboardsService/{method}", body, sent)
            sockets.add(id(connection.sock))
            response = connection.getresponse()
            data = response.read()
            assert response.status == status, (method, data)
            assert (response.getheader("connection") or "").lower() != "close"
            if code is not None:
                assert json.loads(data)["code"] == code
    finally:
        connection.close()
    assert len(sockets) == 1  # one connection served them all
    log = server.log()
    assert "unexpected error in Get" in log  # logged by the app, with its traceback
    assert "Exception in ASGI application" not in log  # nothing escaped to uvicorn


# -- quirks ----------------------------------------------------------------------


def test_quirks_answer_like_a_picky_server(emulator_factory: Any) -> None:
    server = emulator_factory(quirks=True)
    created = server.ok("Create", {"name": "Quirky"})["dashboard"]
    assert "tiles" not in created  # an empty list is a default: omitted
    assert {"etag", "theme"} <= set(created)

    stored = [wire_markdown("b", x=6, y=0), wire_insight("a", x=0, y=4),
              wire_markdown("c", x=0, y=0)]
    server.ok("Upsert", {"dashboardId": created["id"], "tiles": stored})
    got = server.ok("Get", {"id": created["id"]})["dashboard"]
    assert [tile["id"] for tile in got["tiles"]] == ["c", "b", "a"]  # by (y, x)
    by_id = {tile["id"]: tile for tile in got["tiles"]}
    assert by_id["c"]["position"] == {"w": 6, "h": 2}  # x: 0 and y: 0 omitted
    assert by_id["b"]["position"] == {"x": 6, "w": 6, "h": 2}
    assert by_id["a"]["position"] == {"y": 4, "w": 6, "h": 4}
    for tile in got["tiles"]:
        assert {"etag", "theme"} <= set(tile)
    assert {"etag", "theme"} <= set(got)

    (item,) = server.ok("List")["dashboards"]
    assert {"etag", "theme"} <= set(item)
    assert "nextPageToken" not in server.ok("List")

    # Binary: the same order, and the extra fields arrive as unknown fields.
    response = httpx.post(
        server.rpc_url("Get"),
        content=pb.GetRequest(id=created["id"]).SerializeToString(),
        headers={**server.headers(PROJECT), "content-type": "application/proto"},
    )
    assert response.status_code == 200
    dashboard = pb.GetResponse.FromString(response.content).dashboard
    assert [tile.id for tile in dashboard.tiles] == ["c", "b", "a"]
    assert len(unknown_fields.UnknownFieldSet(dashboard)) > 0
    assert all(len(unknown_fields.UnknownFieldSet(tile)) > 0 for tile in dashboard.tiles)


def test_plain_server_fills_every_field_in(server: Server) -> None:
    project = "proj_plain"
    created = server.ok("Create", {"name": "Plain"}, project=project)["dashboard"]
    assert created["tiles"] == []
    assert set(created) == {"id", "name", "tiles", "createdAt", "updatedAt"}
    page = server.ok("List", project=project)
    assert page["nextPageToken"] == ""


# -- faults ------------------------------------------------------------------------


def outcome(server: Server, client: httpx.Client, method: str = "Create") -> str:
    """'ok', 'drop' or the Connect code of one call; checks Retry-After on faults."""
    try:
        response = server.call(method, {"name": "Faulty"}, client=client)
    except httpx.TransportError as error:
        assert isinstance(error, httpx.RemoteProtocolError)
        return "drop"
    if response.status_code == 200:
        return "ok"
    code = str(response.json()["code"])
    if code in ("unavailable", "resource_exhausted"):
        assert response.headers["retry-after"] == "0"
        assert response.status_code == {"unavailable": 503, "resource_exhausted": 429}[code]
    return code


def test_injected_faults_write_nothing(emulator_factory: Any) -> None:
    server = emulator_factory(fault_rate=1.0, seed=3)
    with httpx.Client() as client:
        seen = Counter(outcome(server, client) for _ in range(30))
    assert set(seen) == {"unavailable", "resource_exhausted", "drop"}
    assert row_count(server.db_path) == 0
    assert server.log() == ""  # the injected drops are not logged as errors


def test_faults_are_reproducible_with_a_seed(emulator_factory: Any) -> None:
    runs = []
    for _ in range(2):
        server = emulator_factory(fault_rate=0.5, seed=11)
        with httpx.Client() as client:
            runs.append([outcome(server, client, "List") for _ in range(20)])
        stop(server.process)
    assert runs[0] == runs[1]
    assert "ok" in runs[0] and len(set(runs[0])) > 2


def test_ambiguous_create_commits_then_fails(emulator_factory: Any) -> None:
    server = emulator_factory(ambiguous_create_rate=1.0)
    response = server.call("Create", {"name": "Did it happen?"})
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response.headers["retry-after"] == "0"
    (board,) = server.ok("List")["dashboards"]
    assert board["name"] == "Did it happen?"
    assert server.ok("Get", {"id": board["id"]})["dashboard"]["name"] == "Did it happen?"
