from __future__ import annotations

from reconciler.engine.changes import Action, Plan
from reconciler.engine.drift import Status, environment_drift
from reconciler.engine.live import LiveState
from reconciler.engine.plan import build_environment_plan
from tests.support.factories import environment, insight, live, manifest, markdown, wire


def state(*dashboards: dict) -> LiveState:
    return LiveState(
        summaries=[{"id": d["id"], "name": d["name"]} for d in dashboards],
        dashboards={d["id"]: d for d in dashboards},
    )


def test_in_sync_environment_plans_nothing() -> None:
    live_state = state(live("1", "A", wire(insight("dau")), wire(markdown("goals"))))
    plan = build_environment_plan(environment(), [manifest("A", insight("dau"),
                                                           markdown("goals"))], [], live_state)
    assert plan.changes == [] and plan.unchanged == 1
    assert Plan([plan]).exit_code == 0


def test_create_update_rename_and_unmanaged() -> None:
    manifests = [
        manifest("New", insight("a")),
        manifest("Renamed", insight("b", w=8), formerNames=["Old"]),
    ]
    live_state = state(live("1", "Old", wire(insight("b"))), live("2", "Other"))
    plan = build_environment_plan(environment(), manifests, [], live_state)
    create, update = plan.changes
    assert create.action is Action.CREATE and create.tiles.added == ["a"]
    assert update.action is Action.UPDATE and update.id == "1"
    assert update.rename is not None and (update.rename.old, update.rename.new) == ("Old",
                                                                                   "Renamed")
    assert list(update.tiles.changed) == ["b"]
    assert plan.unmanaged == ["Other"]
    assert plan.summary == {"create": 1, "update": 1, "delete": 0, "unchanged": 0}
    assert Plan([plan]).exit_code == 2


def test_prune_plans_deletes_and_refuses_emptying_the_environment() -> None:
    live_state = state(live("1", "A"), live("2", "B"))
    env = environment(prune=True)
    plan = build_environment_plan(env, [manifest("A")], [], live_state)
    assert [(c.action, c.dashboard) for c in plan.changes] == [(Action.DELETE, "B")]
    assert plan.refusal is None
    empty = build_environment_plan(env, [], [], live_state)
    assert empty.refusal is not None and "every dashboard" in empty.refusal
    assert Plan([empty]).exit_code == 1


def test_max_deletes_refuses() -> None:
    live_state = state(live("1", "A"), live("2", "B"), live("3", "C"))
    plan = build_environment_plan(environment(prune=True, max_deletes=1), [manifest("A")], [],
                                  live_state)
    assert plan.refusal is not None and "max_deletes" in plan.refusal


def test_ambiguous_dashboard_is_an_error_and_the_rest_is_planned() -> None:
    live_state = state(live("1", "A"), live("2", "A"), live("3", "B", wire(insight("x"))))
    plan = build_environment_plan(environment(prune=True), [manifest("A"), manifest("B")], [],
                                  live_state)
    assert [e.dashboard for e in plan.errors] == ["A"]
    assert [c.action for c in plan.changes] == [Action.UPDATE]


def test_drift_reads_from_the_live_side() -> None:
    live_state = state(
        live("1", "A", wire(insight("dau", w=8)), wire(markdown("extra", x=0, y=10))),
        live("2", "UI made"),
    )
    manifests = [manifest("A", insight("dau"), markdown("goals")), manifest("Gone")]
    drift = environment_drift(build_environment_plan(environment(), manifests, [], live_state))
    assert drift.status is Status.DRIFTED
    (entry,) = drift.drifted
    assert entry.tiles.added == ["extra"] and entry.tiles.removed == ["goals"]
    (field,) = entry.tiles.changed["dau"]
    assert (field.path, field.old, field.new) == ("position.w", 6, 8)
    assert drift.missing == ["Gone"] and drift.unmanaged == ["UI made"]
