"""A hostile server: a tiny HTTP server on 127.0.0.1 that pages forever, and what a url with
credentials would send it. The client stops, plan reports it for that environment only."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.api import DashboardsClient
from reconciler.api import client as client_module
from reconciler.engine.ports import WireSummary
from reconciler.errors import InternalError
from tests.support.cli import run_in

Answer = Callable[[str, dict[str, Any], int], dict[str, Any]]


class Hostile:
    """What the server saw: request headers, one dict per request."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.headers: list[dict[str, str]] = []
        self.url = ""


def endless_empty_pages(method: str, payload: dict[str, Any], count: int) -> dict[str, Any]:
    if count > 2_000:  # a client without a bound would page on; end, so that such a test fails
        return {"dashboards": []}
    return {"dashboards": [], "nextPageToken": f"page-{count}"}


@pytest.fixture
def hostile_server() -> Iterator[Callable[[Answer], Hostile]]:
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> Hostile:
        hostile = Hostile(answer)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                hostile.headers.append({k.lower(): v for k, v in self.headers.items()})
                method = self.path.rsplit("/", 1)[-1]
                body = json.dumps(hostile.answer(method, payload, len(hostile.headers))).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        hostile.url = f"http://127.0.0.1:{server.server_address[1]}"
        return hostile

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


async def list_all(url: str, **options: Any) -> list[WireSummary]:
    async with DashboardsClient(base_url=url, project="p", token="tok", **options) as client:
        return await client.list_dashboards()


def test_a_server_that_pages_forever_is_stopped(
    hostile_server: Callable[[Answer], Hostile],
) -> None:
    hostile = hostile_server(endless_empty_pages)
    with pytest.raises(InternalError, match="still paging after 100 pages holding 0 dash"):
        asyncio.run(list_all(hostile.url))
    assert len(hostile.headers) == 100


def test_more_pages_than_the_bound_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """One new dashboard a page, for ever: stopped at MAX_PAGES (lowered here to keep it fast)."""
    monkeypatch.setattr(client_module, "MAX_PAGES", 300)
    pages = 0

    def one_more(request: httpx.Request) -> httpx.Response:
        nonlocal pages
        pages += 1
        page = {"dashboards": [{"id": f"d{pages}", "name": f"n{pages}"}],
                "nextPageToken": f"t{pages}"}
        return httpx.Response(200, json=page)

    with pytest.raises(InternalError, match="still paging after 300 pages holding 300 dash"):
        asyncio.run(list_all("http://127.0.0.1:9", transport=httpx.MockTransport(one_more)))
    assert pages == 300


def test_plan_fails_that_environment_alone(
    hostile_server: Callable[[Answer], Hostile], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    hostile = hostile_server(endless_empty_pages)
    monkeypatch.setenv("DASHCTL_TOKEN_HOSTILE", "tok")
    (tmp_path / "environments.yaml").write_text(
        "environments:\n"
        f"  hostile:\n    url: {hostile.url}\n    project: p\n"
        "    token_env: DASHCTL_TOKEN_HOSTILE\n"
        "  local:\n    url: sqlite:local.db\n",
        encoding="utf-8",
    )
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "a.yaml").write_text("name: A\n", encoding="utf-8")
    code, out, err = run_in(capsys, tmp_path, "plan", "--format", "json")
    assert code == 1, out + err
    assert "Traceback" not in out + err and "unexpected error" not in err
    environments = {env["name"]: env for env in json.loads(out)["environments"]}
    assert "still paging after 100 pages" in environments["hostile"]["errors"][0]["message"]
    assert environments["local"]["errors"] == []
    assert environments["local"]["summary"]["create"] == 1


def test_credentials_in_a_url_are_never_sent_nor_logged(
    hostile_server: Callable[[Answer], Hostile], caplog: pytest.LogCaptureFixture,
) -> None:
    hostile = hostile_server(lambda method, payload, count: {"dashboards": []})
    url = hostile.url.replace("http://", "http://deploy:hunter2@")
    with caplog.at_level(logging.DEBUG):
        assert asyncio.run(list_all(url)) == []
    assert hostile.headers[0]["authorization"] == "Bearer tok"
    assert "hunter2" not in caplog.text and "deploy" not in caplog.text
    assert "127.0.0.1" in caplog.text  # the httpx request line was logged, without them
