"""Retry, backoff, Retry-After and safe Create, timed exactly on a fake server."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from reconciler.errors import (
    DeadlineExceeded,
    InternalError,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
)
from tests.api.fake import FakeServer, connect_error


def unavailable(retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return connect_error(503, "unavailable", "try later", **headers)


def test_retry_after_is_honoured() -> None:
    slow_down = connect_error(429, "resource_exhausted", "slow down", **{"Retry-After": "3"})
    server = FakeServer().then("List", slow_down)
    client, slept = server.client()

    async def run() -> None:
        async with client:
            assert await client.list_dashboards() == []

    asyncio.run(run())
    assert slept == [3.0]
    assert client.attempts == 2


def test_retry_after_is_capped() -> None:
    server = FakeServer().then("Get", unavailable("120"), unavailable("120"))
    server.dashboards["dash_1"] = {"id": "dash_1", "name": "A"}
    client, slept = server.client(retry_after_cap=0.5)

    async def run() -> None:
        async with client:
            assert (await client.get_dashboard("dash_1"))["name"] == "A"

    asyncio.run(run())
    assert slept == [0.5, 0.5]


def test_retry_after_as_http_date_in_the_past_means_now() -> None:
    server = FakeServer().then("List", unavailable("Wed, 21 Oct 2015 07:28:00 GMT"))
    client, slept = server.client()
    asyncio.run(client.list_dashboards())
    assert slept == [0.0]


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    server = FakeServer().then("List", *[unavailable() for _ in range(7)])
    client, slept = server.client(
        max_attempts=8, backoff_base=0.1, backoff_cap=1.0, rng=random.Random(7)
    )
    asyncio.run(client.list_dashboards())
    assert len(slept) == 7
    for retry, delay in enumerate(slept):
        assert 0.0 <= delay <= min(1.0, 0.1 * 2**retry)
    assert max(slept[4:]) > 0.4  # the ceiling really grows (0.1 * 2**4 capped at 1.0)
    expected = random.Random(7)
    assert slept == [expected.uniform(0, min(1.0, 0.1 * 2**n)) for n in range(7)]


def test_attempts_are_bounded_then_the_error_surfaces() -> None:
    server = FakeServer().then("Get", *[unavailable("0") for _ in range(10)])
    client, slept = server.client(max_attempts=4)
    with pytest.raises(Unavailable) as raised:
        asyncio.run(client.get_dashboard("dash_9"))
    assert str(raised.value) == "Get dash_9: unavailable: try later"
    assert client.attempts == 4
    assert len(slept) == 3
    assert client.calls["Get"] == 1


def test_errors_that_no_retry_can_cure_are_raised_at_once() -> None:
    server = FakeServer().then("Update", connect_error(400, "invalid_argument", "bad name"))
    client, slept = server.client()
    with pytest.raises(InvalidArgument, match=r"^Update dash_1: invalid_argument: bad name$"):
        asyncio.run(client.update_dashboard("dash_1", ""))
    assert client.attempts == 1
    assert slept == []


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadError("connection reset by peer"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("connection refused"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_transport_errors_are_retried(failure: Exception) -> None:
    server = FakeServer().then("Upsert", failure)
    server.dashboards["dash_1"] = {"id": "dash_1", "name": "A"}
    client, slept = server.client()
    result = asyncio.run(client.upsert_tiles("dash_1", []))
    assert result["id"] == "dash_1"
    assert client.attempts == 2
    assert len(slept) == 1


def test_a_timeout_surfaces_as_deadline_exceeded() -> None:
    server = FakeServer().then("Get", *[httpx.ReadTimeout("timed out") for _ in range(2)])
    client, _ = server.client(max_attempts=2, timeout=1.5)
    with pytest.raises(DeadlineExceeded) as raised:
        asyncio.run(client.get_dashboard("dash_1"))
    expected = "Get dash_1: deadline_exceeded: no answer within 1.5s (ReadTimeout: timed out)"
    assert str(raised.value) == expected


def test_create_after_an_ambiguous_failure_adopts_instead_of_duplicating() -> None:
    server = FakeServer()

    def commit_then_fail(request: httpx.Request) -> httpx.Response:
        server.serve("Create", {"name": "Growth"})
        return unavailable("0")

    server.then("Create", commit_then_fail)
    client, _ = server.client()
    created = asyncio.run(client.create_dashboard("Growth"))
    assert created["id"] == "dash_1"
    assert created["tiles"] == []
    assert list(server.dashboards) == ["dash_1"]
    assert server.sent("Create") == 1
    assert server.sent("List") == 1


def test_create_after_a_dropped_connection_retries_when_nothing_was_written() -> None:
    server = FakeServer().then("Create", httpx.RemoteProtocolError("disconnected"))
    client, _ = server.client()
    created = asyncio.run(client.create_dashboard("Growth"))
    assert created["name"] == "Growth"
    assert len(server.dashboards) == 1
    assert server.sent("Create") == 2
    assert server.sent("List") == 1


def test_create_on_429_retries_plainly() -> None:
    server = FakeServer().then("Create", connect_error(429, "resource_exhausted", "quota"))
    client, _ = server.client()
    asyncio.run(client.create_dashboard("Growth"))
    assert server.sent("Create") == 2
    assert server.sent("List") == 0
    assert len(server.dashboards) == 1


def test_create_attempts_are_bounded() -> None:
    server = FakeServer().then("Create", *[connect_error(429, "resource_exhausted", "q")] * 3)
    client, _ = server.client(max_attempts=3)
    with pytest.raises(ResourceExhausted, match=r"^Create 'Growth': resource_exhausted: q$"):
        asyncio.run(client.create_dashboard("Growth"))
    assert server.dashboards == {}


def test_delete_not_found_after_an_ambiguous_failure_is_success() -> None:
    server = FakeServer()
    server.dashboards["dash_1"] = {"id": "dash_1", "name": "A"}

    def commit_then_drop(request: httpx.Request) -> httpx.Response:
        del server.dashboards["dash_1"]
        raise httpx.ReadError("connection reset")

    server.then("Delete", commit_then_drop)
    client, _ = server.client()
    asyncio.run(client.delete_dashboard("dash_1"))
    assert server.sent("Delete") == 2


def test_delete_of_a_missing_dashboard_is_not_found() -> None:
    client, _ = FakeServer().client()
    with pytest.raises(NotFound, match=r"^Delete dash_x: not_found: dashboard not found$"):
        asyncio.run(client.delete_dashboard("dash_x"))


def test_delete_not_found_after_a_429_is_not_found() -> None:
    server = FakeServer().then("Delete", connect_error(429, "resource_exhausted", "quota"))
    client, _ = server.client()
    with pytest.raises(NotFound):
        asyncio.run(client.delete_dashboard("dash_x"))


def test_retry_waits_really_happen_with_the_default_sleep() -> None:
    server = FakeServer().then("List", unavailable("0.05"), unavailable("0.05"))
    client, _ = server.client(sleep=None)
    started = time.monotonic()
    asyncio.run(client.list_dashboards())
    assert time.monotonic() - started >= 0.1
    assert client.attempts == 3


def test_a_page_token_that_repeats_is_an_error_not_a_loop() -> None:
    looping = httpx.Response(200, json={"dashboards": [], "nextPageToken": "same"})
    server = FakeServer().then("List", looping, looping)
    client, _ = server.client()
    with pytest.raises(InternalError, match="repeated a page token"):
        asyncio.run(client.list_dashboards())
