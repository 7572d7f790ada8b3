"""Pending names (engine.pending): a dashboard an apply is still making says so, and one it
lost track of is recognisable by any later apply, which removes it; a person's never."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from reconciler.engine.creates import resolve_created
from reconciler.engine.pending import (
    GRACE,
    is_leftover,
    pending,
    pending_name,
    real_name,
    run_token,
)
from reconciler.engine.plan import build_environment_plan
from reconciler.engine.ports import WireSummary
from reconciler.run.fetch import read_live
from reconciler.run.writes import apply_environment
from tests.support.factories import environment, insight, manifest
from tests.support.fake_api import FakeAPI

NOW = datetime(2026, 12, 6, 23, 15, tzinfo=UTC)
TOKEN = run_token(NOW, "1a2b3c4d")


def test_a_pending_name_round_trips_and_fits_the_api_limit() -> None:
    name = pending_name("Growth KPIs", TOKEN, 3)
    assert name == "Growth KPIs [dashctl-pending 20261206T231500Z-1a2b3c4d-3]"
    marker = pending(name)
    assert marker is not None and (marker.token, marker.started, marker.index) == (TOKEN, NOW, 3)
    assert real_name(name) == "Growth KPIs"
    long = pending_name("x" * 1000, TOKEN, 0)
    assert len(long) == 1000 and pending(long) is not None
    for person in ("Growth KPIs", "Growth [dashctl-pending soon]", "[dashctl-pending 2026]"):
        assert pending(person) is None and real_name(person) == person


def test_only_a_pending_dashboard_older_than_the_grace_is_a_leftover() -> None:
    name = pending_name("Growth", TOKEN, 0)
    assert not is_leftover(name, NOW + GRACE)
    assert is_leftover(name, NOW + GRACE + timedelta(seconds=1))
    assert not is_leftover("Growth", NOW + timedelta(days=9))


def summary(dashboard_id: str, name: str, minute: int) -> WireSummary:
    return {"id": dashboard_id, "name": name, "createdAt": f"2026-12-06T23:{minute:02d}:00Z"}


def test_another_apply_still_making_the_name_first_wins_and_our_debris_goes() -> None:
    theirs = summary("d1", pending_name("Growth", run_token(NOW, "ffffffff"), 0), 15)
    ours = summary("d2", "Growth", 16)
    retried = summary("d3", pending_name("Growth", TOKEN, 0), 17)  # a lost answer, retried
    resolution = resolve_created("Growth", "d2", [theirs, ours, retried], token=TOKEN, now=NOW)
    assert (resolution.keep, resolution.delete, resolution.debris) == ("d1", "d2", ("d3",))


def test_a_leftover_never_wins_a_name() -> None:
    old = summary("d1", pending_name("Growth", run_token(NOW - 2 * GRACE, "eeeeeeee"), 0), 0)
    ours = summary("d2", "Growth", 16)
    resolution = resolve_created("Growth", "d2", [old, ours], token=TOKEN, now=NOW)
    assert (resolution.keep, resolution.delete) == ("d2", None)


def test_apply_removes_leftovers_and_leaves_what_another_apply_is_making() -> None:
    api = FakeAPI()
    api.put("Growth", [])
    old = api.put(pending_name("Board", run_token(datetime.now(UTC) - 2 * GRACE, "eeeeeeee"), 0))
    recent = api.put(pending_name("Other", run_token(datetime.now(UTC), "dddddddd"), 0))
    live = asyncio.run(read_live(api))
    env_plan = build_environment_plan(environment(prune=True), [manifest("Growth")], [], live,
                                      now=datetime.now(UTC))
    assert env_plan.changes == [] and env_plan.unmanaged == []  # never someone's unmanaged
    assert [item.id for item in env_plan.leftovers] == [old]
    assert [w.dashboard for w in env_plan.warnings] == [api.dashboards[old]["name"]]
    result = asyncio.run(apply_environment(api, env_plan, allow_delete=False))
    assert len(result.leftovers) == 1 and real_name(result.leftovers[0]) == "Board"
    assert old not in api.dashboards and recent in api.dashboards


def test_a_create_is_made_under_its_pending_name_then_named() -> None:
    api = FakeAPI()
    names: list[str] = []
    api.after_create = lambda fake, _: names.extend(d["name"] for d in fake.dashboards.values())
    live = asyncio.run(read_live(api))
    env_plan = build_environment_plan(environment(), [manifest("Growth", insight("dau"))], [],
                                      live)
    result = asyncio.run(apply_environment(api, env_plan, allow_delete=False))
    assert not result.failed
    assert [pending(name) is not None for name in names] == [True]
    assert [(d["name"], len(d["tiles"])) for d in api.dashboards.values()] == [("Growth", 1)]
    assert (api.calls["Create"], api.calls["Upsert"], api.calls["Update"]) == (1, 1, 1)
