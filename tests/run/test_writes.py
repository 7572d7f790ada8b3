"""run.writes against an in-memory DashboardsAPI (the fake is test code; the writes are tested)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from reconciler.engine.apply import ApplyResult
from reconciler.engine.changes import Change, EnvironmentPlan
from reconciler.engine.plan import build_environment_plan
from reconciler.engine.ports import WireDashboard
from reconciler.engine.records import Record, Records
from reconciler.repo.config import Environment
from reconciler.repo.manifest import Manifest
from reconciler.run.fetch import read_live
from reconciler.run.writes import apply_environment
from tests.support.factories import FUNNEL, environment, insight, manifest, markdown, wire
from tests.support.fake_api import FakeAPI


def plan(api: FakeAPI, manifests: list[Manifest], env: Environment | None = None
         ) -> EnvironmentPlan:
    live = asyncio.run(read_live(api))
    return build_environment_plan(env or environment(), manifests, [], live)


def apply(api: FakeAPI, env_plan: EnvironmentPlan, **options: Any) -> ApplyResult:
    return asyncio.run(apply_environment(api, env_plan, allow_delete=True, **options))


GROWTH = [insight("dau"), markdown("goals")]


def test_no_op_plan_makes_zero_writes() -> None:
    api = FakeAPI()
    api.put("Growth", [wire(tile) for tile in GROWTH])
    result = apply(api, plan(api, [manifest("Growth", *GROWTH)]))
    assert result.outcomes == [] and api.writes == 0


def test_create_writes_tiles_and_a_second_plan_is_empty() -> None:
    api = FakeAPI()
    result = apply(api, plan(api, [manifest("Growth", *GROWTH), manifest("Empty")]))
    assert result.failed == [] and len(result.outcomes) == 2
    assert api.calls["Create"] == 2 and api.calls["Upsert"] == 1  # no upsert of zero tiles
    assert api.calls["List"] == 2  # the plan's, and the one after the creates
    assert plan(api, [manifest("Growth", *GROWTH), manifest("Empty")]).changes == []


def test_update_sends_back_what_other_writers_set() -> None:
    api = FakeAPI()
    dau = wire(insight("dau"))
    dau["insight"]["title"] = "Daily users"
    dau["color"] = "blue"
    dashboard_id = api.put("Growth", [dau, wire(markdown("goals")), FUNNEL])
    changed = [insight("dau", w=8), markdown("goals", "# New")]
    env_plan = plan(api, [manifest("Growth", *changed)])
    (change,) = env_plan.changes
    assert change.kept == {"dau": ["color", "insight.title"], "funnel": ["*"]}
    assert apply(api, env_plan).failed == []
    tiles = {tile["id"]: tile for tile in api.dashboards[dashboard_id]["tiles"]}
    assert tiles["funnel"] == FUNNEL
    assert tiles["dau"]["insight"]["title"] == "Daily users" and tiles["dau"]["color"] == "blue"
    assert tiles["dau"]["position"]["w"] == 8
    assert plan(api, [manifest("Growth", *changed)]).changes == []


def test_a_create_that_lost_to_an_earlier_one_deletes_its_own_and_writes_to_the_winner() -> None:
    api = FakeAPI()
    env_plan = plan(api, [manifest("Growth", *GROWTH)])
    winner: list[str] = []

    def other_apply_first(fake: FakeAPI, name: str) -> None:
        winner.append(fake.put(name, [FUNNEL]))  # created first, holding a tile of its own

    api.before_create = other_apply_first
    result = apply(api, env_plan)
    assert result.failed == []
    (outcome,) = result.outcomes
    assert outcome.note is not None and f"kept {winner[0]}" in outcome.note
    (growth,) = api.named("Growth")
    assert growth["id"] == winner[0]
    assert {tile["id"] for tile in growth["tiles"]} == {"dau", "goals", "funnel"}
    assert api.calls["Delete"] == 1


def test_a_create_that_won_deletes_nothing_of_the_other_writer() -> None:
    api = FakeAPI()
    env_plan = plan(api, [manifest("Growth", *GROWTH)])
    later: list[str] = []
    api.after_create = lambda fake, name: later.append(fake.put(name))
    result = apply(api, env_plan)
    assert result.failed == [] and result.outcomes[0].note is None
    assert len(api.named("Growth")) == 2  # the later one is its creator's to delete
    assert api.calls["Delete"] == 0
    assert api.dashboards[later[0]]["tiles"] == []


def test_two_applies_at_once_leave_one_dashboard_per_name() -> None:
    api = FakeAPI()
    names = [f"Board {index}" for index in range(10)]
    manifests = [manifest(name, *GROWTH) for name in names]
    first, second = plan(api, manifests), plan(api, manifests)

    async def both() -> list[ApplyResult]:
        return list(await asyncio.gather(
            apply_environment(api, first, allow_delete=False, parallelism=3),
            apply_environment(api, second, allow_delete=False, parallelism=4)))

    results = asyncio.run(both())
    assert all(result.failed == [] for result in results)
    assert sorted(d["name"] for d in api.dashboards.values()) == sorted(names)
    assert api.calls["Create"] == 20 and api.calls["Delete"] == 10
    assert plan(api, manifests).changes == []


def test_a_delete_answered_not_found_is_done() -> None:
    api = FakeAPI()
    api.put("Keep", [wire(insight("a"))])
    api.put("Stray")
    env_plan = plan(api, [manifest("Keep", insight("a"))], environment(prune=True))
    api.before_delete = lambda fake, dashboard_id: (
        fake.dashboards.pop(dashboard_id), None)[1]
    result = apply(api, env_plan)
    assert len(result.outcomes) == 1 and result.failed == []
    assert [d["name"] for d in api.dashboards.values()] == ["Keep"]


def test_a_failed_list_after_creates_is_reported_and_tiles_still_written() -> None:
    api = FakeAPI()
    env_plan = plan(api, [manifest("Growth", *GROWTH)])
    api.fail_list_after_create = True
    result = apply(api, env_plan)
    (failed,) = result.failed
    assert failed.error is not None and "concurrent create" in failed.error
    (growth,) = api.named("Growth")
    assert len(growth["tiles"]) == 2


def test_backup_gets_the_raw_live_dashboard_before_it_is_touched() -> None:
    api = FakeAPI()
    dashboard_id = api.put("Growth", [wire(insight("dau")), FUNNEL])
    seen: list[WireDashboard] = []

    def backup(change: Change, live: WireDashboard) -> None:
        seen.append(live)

    apply(api, plan(api, [manifest("Growth", insight("dau", w=8))]), backup=backup)
    assert [d["id"] for d in seen] == [dashboard_id]
    assert seen[0]["tiles"] == [wire(insight("dau")), FUNNEL]


def test_a_failed_upsert_is_that_dashboards_failure_and_the_others_are_done() -> None:
    api = FakeAPI()
    ids = {name: api.put(name, [wire(insight("dau"))]) for name in ("A", "B", "C")}
    manifests = [manifest(name, insight("dau", w=8)) for name in ids]
    api.refuse["Upsert"] = {ids["B"]}
    result = apply(api, plan(api, manifests))
    (failed,) = result.failed
    assert failed.change.dashboard == "B" and failed.error is not None
    assert "unavailable" in failed.error
    assert len(result.outcomes) == 3
    widths = {d["name"]: d["tiles"][0]["position"]["w"] for d in api.dashboards.values()}
    assert widths == {"A": 8, "B": 6, "C": 8}
    api.refuse.clear()
    assert [c.dashboard for c in plan(api, manifests).changes] == ["B"]  # only B is left


def test_a_failed_create_is_that_dashboards_failure_and_the_others_are_created() -> None:
    api = FakeAPI()
    manifests = [manifest(name, *GROWTH) for name in ("A", "B", "C")]
    api.refuse["Create"] = {"B"}
    result = apply(api, plan(api, manifests))
    assert [(o.change.dashboard, o.error is not None) for o in result.failed] == [("B", True)]
    assert sorted((d["name"], len(d["tiles"])) for d in api.dashboards.values()) == [
        ("A", 2), ("C", 2)]


@pytest.mark.parametrize(("prune", "allow_delete", "problems", "reason"), [
    (False, True, 0, "prune is off"),
    (True, False, 0, "no --allow-delete"),
    (True, True, 1, "manifests have problems"),
])
def test_deletes_are_skipped_unless_prune_allow_delete_and_clean_manifests(
        prune: bool, allow_delete: bool, problems: int, reason: str) -> None:
    api = FakeAPI()
    api.put("Keep", [wire(insight("a"))])
    api.put("Stray")
    env_plan = plan(api, [manifest("Keep", insight("a", w=8))], environment(prune=True))
    assert [c.dashboard for c in env_plan.deletes] == ["Stray"]
    env_plan = replace(env_plan, prune=prune, problems=problems)
    result = asyncio.run(apply_environment(api, env_plan, allow_delete=allow_delete))
    assert (result.skip_reason, result.skipped_deletes) == (reason, ["Stray"])
    assert api.calls["Delete"] == 0 and len(api.dashboards) == 2
    assert [o.change.dashboard for o in result.outcomes] == ["Keep"]  # the update still ran


def test_backup_sees_every_update_and_delete_before_it_and_no_create() -> None:
    api = FakeAPI()
    kept = api.put("Keep", [wire(insight("a"))])
    stray = api.put("Stray", [FUNNEL])
    env_plan = plan(api, [manifest("Keep", insight("a", w=8)), manifest("New", *GROWTH)],
                    environment(prune=True))
    seen: dict[str, WireDashboard] = {}

    def backup(change: Change, live: WireDashboard) -> None:
        assert live["id"] in api.dashboards  # not yet touched
        seen[change.dashboard] = live

    assert apply(api, env_plan, backup=backup).failed == []
    assert sorted(seen) == ["Keep", "Stray"]
    assert seen["Keep"]["id"] == kept and seen["Keep"]["tiles"] == [wire(insight("a"))]
    assert seen["Stray"]["id"] == stray and seen["Stray"]["tiles"] == [FUNNEL]
    assert stray not in api.dashboards


def test_a_rename_alone_is_one_update_and_no_upsert() -> None:
    api = FakeAPI()
    dashboard_id = api.put("Old", [wire(tile) for tile in GROWTH])
    env_plan = plan(api, [manifest("New", *GROWTH, formerNames=["Old"])])
    assert apply(api, env_plan).failed == []
    assert (api.calls["Update"], api.calls["Upsert"], api.writes) == (1, 0, 1)
    assert api.dashboards[dashboard_id]["name"] == "New"


# -- re-read before write (SPEC §7): an edit made while someone reads the plan --------------


def recorded_plan(api: FakeAPI, dashboard_id: str, manifests: list[Manifest],
                  env: Environment | None = None) -> EnvironmentPlan:
    """The plan with a record of Growth as GROWTH was applied."""
    live = asyncio.run(read_live(api))
    record = Record(dashboard_id, "Growth", "local", [wire(t) for t in GROWTH], None, None)
    return build_environment_plan(env or environment(), manifests, [], live,
                                  Records({dashboard_id: record}))


def test_an_edit_between_the_plan_and_the_write_is_merged_not_reverted() -> None:
    api = FakeAPI()
    dashboard_id = api.put("Growth", [wire(tile) for tile in GROWTH])
    env_plan = recorded_plan(api, dashboard_id, [manifest("Growth", insight("dau"),
                                                          markdown("goals", "# Q4"))])
    api.dashboards[dashboard_id]["tiles"][0]["insight"]["visualization"] = "VISUALIZATION_BAR"

    result = apply(api, env_plan)

    assert not result.failed
    tiles = {tile["id"]: tile for tile in api.dashboards[dashboard_id]["tiles"]}
    assert tiles["dau"]["insight"]["visualization"] == "VISUALIZATION_BAR"  # the UI's edit
    assert tiles["goals"]["markdown"]["content"] == "# Q4"  # git's change
    assert api.calls["Get"] == 2 and api.calls["Upsert"] == 1  # the plan's read, one re-read


def test_an_edit_between_the_plan_and_the_write_that_clashes_is_a_conflict() -> None:
    api = FakeAPI()
    dashboard_id = api.put("Growth", [wire(tile) for tile in GROWTH])
    env_plan = recorded_plan(api, dashboard_id, [manifest("Growth", insight("dau"),
                                                          markdown("goals", "# Q4"))])
    api.dashboards[dashboard_id]["tiles"][1]["markdown"]["content"] = "# Ours"

    result = apply(api, env_plan)

    (failed,) = result.failed
    assert failed.error is not None and "conflict" in failed.error
    assert api.dashboards[dashboard_id]["tiles"][1]["markdown"]["content"] == "# Ours"
    assert api.calls["Upsert"] == 0


def test_a_delete_of_a_dashboard_edited_since_the_plan_is_refused() -> None:
    api = FakeAPI()
    api.put("Growth", [wire(tile) for tile in GROWTH])
    stray = api.put("Stray", [wire(insight("x"))])
    env_plan = plan(api, [manifest("Growth", *GROWTH)], environment(prune=True))
    api.dashboards[stray]["tiles"][0]["insight"]["visualization"] = "VISUALIZATION_BAR"

    result = apply(api, env_plan)

    (failed,) = result.failed
    assert failed.change.dashboard == "Stray" and "not deleted" in str(failed.error)
    assert stray in api.dashboards
