"""Convergence under injected faults, on the real emulator: many seeds in-process, a few
over HTTP on 127.0.0.1 (tests/support/faults.py).

Every run creates, renames, upserts and deletes a few dashboards through a
server that fails 30 % of requests (503 / 429 / dropped connection) and/or
commits half of all Creates before answering 503; it must end with exactly
the dashboards asked for, one per name.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest

from reconciler.api import DashboardsClient
from reconciler.errors import RetryableError
from tests.api.conftest import FAST_RETRIES, ClientFactory
from tests.support.factories import wire_insight, wire_markdown
from tests.support.faults import sweep

NAMES = [f"Dashboard {n}" for n in range(5)]


async def converge(client: DashboardsClient) -> None:
    """Create five dashboards, give each tiles, rename one and delete one."""

    async def build(name: str) -> None:
        created = await client.create_dashboard(name)
        await client.upsert_tiles(created["id"], [wire_insight("a"), wire_markdown(name, x=6)])
        if name == NAMES[0]:
            await client.update_dashboard(created["id"], "Renamed")
        if name == NAMES[1]:
            await client.delete_dashboard(created["id"])

    await asyncio.gather(*(build(name) for name in NAMES))


async def final_state(client: DashboardsClient) -> dict[str, list[str]]:
    """Name -> tile ids of every dashboard left (asserting one per name)."""
    listed = await client.list_dashboards(page_size=2)
    counts = Counter(d["name"] for d in listed)
    assert all(n == 1 for n in counts.values()), f"duplicates: {counts}"
    state = {}
    for summary in listed:
        dashboard = await client.get_dashboard(summary["id"])
        state[dashboard["name"]] = sorted(t["id"] for t in dashboard["tiles"])
    return state


EXPECTED = {"Renamed": ["Dashboard 0", "a"]} | {name: sorted(["a", name]) for name in NAMES[2:]}


@pytest.mark.parametrize(("mode", "seed"), sweep(in_process=60))
def test_converges_under_a_30_percent_fault_rate(make_client: ClientFactory, seed: int) -> None:
    async def run() -> None:
        async with make_client(fault_rate=0.3, seed=seed, **FAST_RETRIES) as client:
            await converge(client)
            assert await final_state(client) == EXPECTED
            assert client.attempts > sum(client.calls.values())  # faults did happen

    asyncio.run(run())


@pytest.mark.parametrize(("mode", "seed"), sweep(in_process=30, http=2, first=100))
def test_ambiguous_creates_never_duplicate(make_client: ClientFactory, seed: int) -> None:
    async def run() -> None:
        options = {"ambiguous_create_rate": 0.5, "fault_rate": 0.2, "seed": seed}
        async with make_client(**options, **FAST_RETRIES) as client:
            names = [f"Board {n:02d}" for n in range(12)]
            created = await asyncio.gather(*(client.create_dashboard(n) for n in names))
            assert sorted(d["name"] for d in created) == names
            listed = await client.list_dashboards()
            assert sorted(d["name"] for d in listed) == names
            assert {d["id"] for d in created} == {d["id"] for d in listed}
            assert client.calls["List"] > 1  # adoption lookups did happen

    asyncio.run(run())


def test_attempts_are_bounded_then_the_error_surfaces(make_client: ClientFactory) -> None:
    async def run() -> None:
        async with make_client(fault_rate=1.0, seed=3, max_attempts=3, backoff_cap=0.001) as client:
            with pytest.raises(RetryableError):
                await client.get_dashboard("dash_x")
            assert client.attempts == 3

    asyncio.run(run())


def test_retries_are_logged_without_the_token(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dashctl.api")

    async def run() -> str:
        async with make_client(
            fault_rate=0.5, ambiguous_create_rate=0.5, seed=9, **FAST_RETRIES
        ) as client:
            await converge(client)
            return str(client._token)

    token = asyncio.run(run())
    assert "retrying" in caplog.text
    assert token not in caplog.text
