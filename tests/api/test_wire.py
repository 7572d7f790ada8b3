"""Headers, error mapping and redaction, checked on a fake server."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from reconciler import __version__
from reconciler.api.client import Pool
from reconciler.api.wire import method_path
from reconciler.errors import (
    AlreadyExists,
    ApiError,
    DeadlineExceeded,
    InternalError,
    PermissionDenied,
    Unavailable,
)
from tests.api.fake import TOKEN, FakeServer, connect_error


def test_requests_follow_the_connect_unary_json_protocol() -> None:
    server = FakeServer()
    client, _ = server.client()
    asyncio.run(client.create_dashboard("Growth"))
    request = server.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "http://fake.test/dashboards.v1.DashboardsService/Create"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["connect-protocol-version"] == "1"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["x-project-id"] == "proj_a"
    assert request.headers["user-agent"] == f"dashctl/{__version__}"
    assert json.loads(request.content) == {"name": "Growth"}


def test_calls_and_attempts_are_counted() -> None:
    server = FakeServer(page_size=2).then("Get", connect_error(503, "unavailable", "x"))
    client, _ = server.client()

    async def run() -> None:
        for name in "ABCDE":
            await client.create_dashboard(name)
        await client.list_dashboards()
        await client.get_dashboard("dash_1")

    asyncio.run(run())
    assert client.calls == {"Create": 5, "List": 3, "Get": 1}
    assert client.attempts == 5 + 3 + 2


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (409, "already_exists", AlreadyExists),
        (403, "permission_denied", PermissionDenied),
        (504, "deadline_exceeded", DeadlineExceeded),
        (500, "internal", InternalError),
        (501, "unimplemented", InternalError),
    ],
)
def test_connect_codes_map_to_their_class(status: int, code: str, cls: type[ApiError]) -> None:
    server = FakeServer().then("Get", *[connect_error(status, code, "why")] * 6)
    client, _ = server.client()
    with pytest.raises(cls) as raised:
        asyncio.run(client.get_dashboard("dash_1"))
    assert type(raised.value) is cls
    assert raised.value.code == code
    assert raised.value.status == status
    assert str(raised.value) == f"Get dash_1: {code}: why"


@pytest.mark.parametrize(
    ("status", "cls"), [(502, Unavailable), (418, InternalError), (403, PermissionDenied)]
)
def test_a_body_that_is_not_a_connect_error_maps_by_status(
    status: int, cls: type[ApiError]
) -> None:
    page = httpx.Response(status, text="<html><body>Bad Gateway</body></html>")
    server = FakeServer().then("List", *[page] * 6)
    client, _ = server.client()
    with pytest.raises(cls) as raised:
        asyncio.run(client.list_dashboards())
    assert "<html>" not in str(raised.value)
    assert str(raised.value).startswith(f"List: {cls.code}: HTTP {status}")


def test_a_malformed_success_is_an_internal_error() -> None:
    server = FakeServer().then("Get", httpx.Response(200, text="not json"))
    client, _ = server.client()
    with pytest.raises(InternalError, match="malformed response"):
        asyncio.run(client.get_dashboard("dash_1"))


def test_a_token_echoed_by_the_server_is_redacted() -> None:
    echo = connect_error(401, "unauthenticated", f"token {TOKEN} rejected; got Bearer {TOKEN}")
    server = FakeServer().then("Get", echo)
    client, _ = server.client()
    with pytest.raises(ApiError) as raised:
        asyncio.run(client.get_dashboard("dash_1"))
    text = str(raised.value)
    assert TOKEN not in text
    assert TOKEN not in repr(raised.value.args)
    assert "[REDACTED]" in text


def test_a_token_in_a_transport_error_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="dashctl.api")
    failure = httpx.ReadError(f"reset while sending Authorization: Bearer {TOKEN}")
    server = FakeServer().then("Get", *[failure] * 2)
    client, _ = server.client(max_attempts=2)
    with pytest.raises(Unavailable) as raised:
        asyncio.run(client.get_dashboard("dash_1"))
    assert TOKEN not in str(raised.value)
    assert "retrying" in caplog.text
    assert TOKEN not in caplog.text


def test_an_undecodable_body_is_an_internal_error_not_a_raw_httpx_one() -> None:
    broken = httpx.Response(
        200, stream=httpx.ByteStream(b"not gzip"), headers={"content-encoding": "gzip"}
    )
    server = FakeServer().then("Get", broken)
    client, _ = server.client()
    with pytest.raises(InternalError, match=r"^Get dash_1: internal: unreadable response"):
        asyncio.run(client.get_dashboard("dash_1"))


@pytest.mark.parametrize("base", ["http://127.0.0.1:8080", "http://h:1/prefix/", "http://h:1/prefix"])
def test_a_pools_method_url_is_the_one_httpx_would_build(base: str) -> None:
    async def urls() -> tuple[str, str]:
        pool = Pool.open(base)
        try:
            built = str(pool.http.build_request("POST", method_path("Get")).url)
            return str(pool.url("Get")), built
        finally:
            await pool.aclose()

    ours, theirs = asyncio.run(urls())
    assert ours == theirs
    assert ours == base.rstrip("/") + "/dashboards.v1.DashboardsService/Get"
