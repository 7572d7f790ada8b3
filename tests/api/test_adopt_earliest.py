"""After an ambiguous Create, the client adopts by the rule apply keeps doubled names by."""

from __future__ import annotations

import asyncio

import httpx

from tests.api.fake import FakeServer, connect_error


def test_adopts_the_dashboard_created_first_when_several_have_the_name() -> None:
    server = FakeServer()

    def another_writer_was_first(request: httpx.Request) -> httpx.Response:
        server.serve("Create", {"name": "Growth"})  # another apply's, created first
        server.serve("Create", {"name": "Growth"})  # this call's, whose answer is lost
        return connect_error(503, "unavailable", "lost", **{"Retry-After": "0"})

    server.then("Create", another_writer_was_first)
    client, _ = server.client()
    created = asyncio.run(client.create_dashboard("Growth"))
    assert created["id"] == "dash_1"  # the earliest: the one every apply keeps (SPEC §4)
    assert server.sent("Create") == 1
