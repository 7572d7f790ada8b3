"""The client against the real emulator: over HTTP on 127.0.0.1 and in-process."""

from __future__ import annotations

import asyncio

import pytest

from reconciler.errors import InvalidArgument, NotFound
from tests.api.conftest import ClientFactory
from tests.support.factories import wire_insight, wire_markdown


def test_all_six_methods(make_client: ClientFactory) -> None:
    async def run() -> None:
        async with make_client() as client:
            created = await client.create_dashboard("Growth KPIs")
            dashboard_id = created["id"]
            assert created["name"] == "Growth KPIs"
            assert created["tiles"] == []

            renamed = await client.update_dashboard(dashboard_id, "Growth")
            assert (renamed["id"], renamed["name"]) == (dashboard_id, "Growth")

            tiles = [wire_insight("dau"), wire_markdown("goals", "# Weekly Goals", x=6)]
            upserted = await client.upsert_tiles(dashboard_id, tiles)
            assert sorted(t["id"] for t in upserted["tiles"]) == ["dau", "goals"]

            fetched = await client.get_dashboard(dashboard_id)
            assert fetched["name"] == "Growth"
            assert {t["id"]: t for t in fetched["tiles"]}["goals"]["markdown"] == {
                "content": "# Weekly Goals"
            }

            listed = await client.list_dashboards()
            assert [(d["id"], d["name"]) for d in listed] == [(dashboard_id, "Growth")]
            assert {"createdAt", "updatedAt"} <= set(listed[0])

            await client.delete_dashboard(dashboard_id)
            assert await client.list_dashboards() == []
            with pytest.raises(NotFound, match=rf"^Get {dashboard_id}: not_found: "):
                await client.get_dashboard(dashboard_id)
            assert client.calls == {
                "Create": 1,
                "Update": 1,
                "Upsert": 1,
                "Get": 2,
                "List": 2,
                "Delete": 1,
            }
            assert client.attempts == 8

    asyncio.run(run())


def test_list_follows_next_page_token(make_client: ClientFactory) -> None:
    async def run() -> None:
        async with make_client() as client:
            names = [f"Dashboard {n}" for n in range(7)]
            await asyncio.gather(*(client.create_dashboard(name) for name in names))
            client.calls.clear()
            paged = await client.list_dashboards(page_size=3)
            assert client.calls["List"] == 3
            assert sorted(d["name"] for d in paged) == names
            assert len({d["id"] for d in paged}) == 7
            assert await client.list_dashboards() == paged

    asyncio.run(run())


def test_invalid_tiles_are_invalid_argument_naming_the_tile(make_client: ClientFactory) -> None:
    async def run() -> None:
        async with make_client() as client:
            dashboard_id = (await client.create_dashboard("A"))["id"]
            overlapping = [wire_insight("left"), wire_insight("clash", x=3, y=2)]
            with pytest.raises(InvalidArgument) as raised:
                await client.upsert_tiles(dashboard_id, overlapping)
            message = str(raised.value)
            assert message.startswith(f"Upsert {dashboard_id}: invalid_argument: ")
            assert "clash" in message
            assert client.attempts == 2  # not retried

    asyncio.run(run())


def test_not_found_on_every_method_that_takes_an_id(make_client: ClientFactory) -> None:
    async def run() -> None:
        async with make_client() as client:
            for call in (
                client.get_dashboard("dash_missing"),
                client.update_dashboard("dash_missing", "X"),
                client.upsert_tiles("dash_missing", []),
                client.delete_dashboard("dash_missing"),
            ):
                with pytest.raises(NotFound, match=r"dash_missing: not_found: "):
                    await call
            assert client.attempts == 4

    asyncio.run(run())


def test_projects_are_separate(make_client: ClientFactory) -> None:
    async def run() -> None:
        async with make_client(project="proj_a") as a, make_client(project="proj_b") as b:
            mine = await a.create_dashboard("Mine")
            assert await b.list_dashboards() == []
            with pytest.raises(NotFound):
                await b.get_dashboard(mine["id"])

    asyncio.run(run())
