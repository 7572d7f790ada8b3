"""The UI through the emulator app in-process (httpx ASGITransport): routing and projects."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from google.protobuf import json_format

from reconciler.emulator.app import create_app
from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.ui import ui_app
from tests.emulator_ui.conftest import cookie
from tests.support.factories import wire_markdown
from tests.support.server import SECRET

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def token_for(*projects: str) -> str:
    claims = {"sub": "dashctl", "projects": list(projects), "exp": int(time.time()) + 600}
    return jwt.encode(claims, SECRET, algorithm="HS256")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db_path=tmp_path / "ui.db", jwt_secret=SECRET)
    tile = json_format.ParseDict(wire_markdown("dau", "hello"), pb.Tile())
    for project, name in (("alpha", "Alpha board"), ("beta", "Beta board")):
        app.store.create(project, name, [tile])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        yield client


async def test_several_projects_default_to_the_first_and_link_each_other(
    client: httpx.AsyncClient,
) -> None:
    headers = cookie(token_for("beta", "alpha"))
    index = await client.get("/ui/", headers=headers)
    assert index.status_code == 200
    assert "Alpha board" in index.text and "Beta board" not in index.text
    assert 'href="/ui/?project=beta"' in index.text
    assert "/ui/d/dash_" in index.text and "?project=alpha" in index.text
    beta = await client.get("/ui/?project=beta", headers=headers)
    assert "Beta board" in beta.text and "Alpha board" not in beta.text


async def test_one_project_links_need_no_project_parameter(client: httpx.AsyncClient) -> None:
    index = await client.get("/ui", headers=cookie(token_for("alpha")))  # no trailing slash
    assert index.status_code == 200 and "Alpha board" in index.text
    assert "?project=" not in index.text
    [href] = [part.split('"')[0] for part in index.text.split('href="')[1:]
              if part.startswith("/ui/d/")]
    page = await client.get(href, headers=cookie(token_for("alpha")))
    assert page.status_code == 200 and 'data-tile-id="dau"' in page.text


async def test_unknown_paths_are_404_pages(client: httpx.AsyncClient) -> None:
    headers = cookie(token_for("alpha"))
    for path in ("/ui/nope", "/ui/d/", "/ui/d/a/b", "/uinope"):
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert (await client.get("/healthz")).status_code == 200  # the rest of the app is untouched


async def test_a_token_granting_no_project_is_403(client: httpx.AsyncClient) -> None:
    claims = {"sub": "dashctl", "exp": int(time.time()) + 600}
    answer = await client.get("/ui/", headers=cookie(jwt.encode(claims, SECRET)))
    assert answer.status_code == 403
    assert "Alpha board" not in answer.text and "Beta board" not in answer.text


async def test_token_redirect_keeps_other_parameters(client: httpx.AsyncClient) -> None:
    token = token_for("alpha")
    answer = await client.get(f"/ui?a=1&token={token}&project=alpha&b=%3Cx%3E")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui?a=1&project=alpha&b=%3Cx%3E"
    assert token not in answer.headers["location"]


async def test_ui_app_under_another_prefix(tmp_path: Path) -> None:
    app = create_app(db_path=tmp_path / "ui.db", jwt_secret=SECRET)
    board = app.store.create("alpha", "Mounted")
    ui = ui_app(app.store, SECRET, prefix="/view/")
    transport = httpx.ASGITransport(app=ui)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        answer = await client.get("/view/?token=" + token_for("alpha"))
        assert "Path=/view;" in answer.headers["set-cookie"]
        index = await client.get("/view/", headers=cookie(token_for("alpha")))
        assert f'href="/view/d/{board.id}"' in index.text


async def test_root_keeps_the_query_string_byte_for_byte(client: httpx.AsyncClient) -> None:
    answer = await client.get("/?project=alpha&b=%3Cx%3E&c=%E2%82%AC")
    assert answer.status_code == 307
    assert answer.headers["location"] == "/ui/?project=alpha&b=%3Cx%3E&c=%E2%82%AC"
    assert "%3C" not in answer.text  # the body names the UI, never the query (a token)
    followed = await client.get("/", params={"token": token_for("alpha")},
                                follow_redirects=True)
    assert [r.status_code for r in followed.history] == [307, 303]
    assert followed.status_code == 200 and "Alpha board" in followed.text
