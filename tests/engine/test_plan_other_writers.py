"""The plan with other writers: unmodeled content kept and reported, formerNames never deleted."""

from __future__ import annotations

from typing import Any

from reconciler.engine.changes import Action, Plan
from reconciler.engine.drift import Status, environment_drift
from reconciler.engine.live import LiveState
from reconciler.engine.plan import build_environment_plan
from tests.support.factories import FUNNEL, environment, insight, live, manifest, markdown, wire


def titled(tile: dict[str, Any], title: str = "Daily users") -> dict[str, Any]:
    edited = wire(tile)
    edited["insight"] = {**edited["insight"], "title": title}
    edited["color"] = "blue"
    return edited


def state(*dashboards: dict[str, Any]) -> LiveState:
    return LiveState(summaries=[{"id": d["id"], "name": d["name"]} for d in dashboards],
                     dashboards={d["id"]: d for d in dashboards})


def test_only_unmodeled_differences_are_no_change_and_no_drift() -> None:
    live_state = state(live("1", "Growth", titled(insight("dau")), wire(markdown("goals")),
                            FUNNEL))
    plan = build_environment_plan(environment(), [manifest("Growth", insight("dau"),
                                                           markdown("goals"))], [], live_state)
    assert plan.changes == [] and plan.unchanged == 1 and plan.errors == []
    assert Plan([plan]).exit_code == 0
    assert environment_drift(plan).status is Status.IN_SYNC


def test_an_update_sends_the_merged_tiles_and_lists_what_is_kept() -> None:
    live_state = state(live("1", "Growth", titled(insight("dau")), wire(markdown("goals")),
                            FUNNEL))
    plan = build_environment_plan(
        environment(), [manifest("Growth", insight("dau"), markdown("goals", "# New"))], [],
        live_state)
    (change,) = plan.changes
    assert change.action is Action.UPDATE and list(change.tiles.changed) == ["goals"]
    assert change.tiles.removed == []  # the funnel is not git's to remove
    assert change.kept == {"dau": ["color", "insight.title"], "funnel": ["*"]}
    assert change.after is not None
    sent = {tile["id"]: tile for tile in change.after["tiles"]}
    assert sent["dau"] == titled(insight("dau"))
    assert sent["funnel"] == FUNNEL
    assert sent["goals"]["markdown"] == {"content": "# New"}
    assert change.before is not None
    assert [t["id"] for t in change.before["tiles"]] == ["dau", "goals", "funnel"]


def test_a_rename_alone_keeps_nothing_to_report() -> None:
    live_state = state(live("1", "Old", titled(insight("dau"))))
    plan = build_environment_plan(
        environment(), [manifest("New", insight("dau"), formerNames=["Old"])], [], live_state)
    (change,) = plan.changes
    assert change.rename is not None and not change.tiles and change.kept == {}


def test_overlapping_a_kept_tile_is_an_error_of_that_dashboard_only() -> None:
    live_state = state(live("1", "Growth", wire(insight("dau")), FUNNEL),
                       live("2", "Other", wire(insight("x"))))
    manifests = [manifest("Growth", insight("dau"), insight("new", y=19)),
                 manifest("Other", insight("x", w=8))]
    plan = build_environment_plan(environment(), manifests, [], live_state)
    assert [(c.dashboard, c.action) for c in plan.changes] == [("Other", Action.UPDATE)]
    (error,) = plan.errors
    assert error.dashboard == "Growth" and "overlaps tile funnel" in error.message
    assert Plan([plan]).exit_code == 1


def test_warnings_name_what_an_upsert_cannot_keep() -> None:
    live_state = state(live("1", "Growth", titled(insight("t"))))
    plan = build_environment_plan(environment(), [manifest("Growth", markdown("t"))], [],
                                  live_state)
    (change,) = plan.changes
    assert change.kept == {"t": ["color"]}
    assert [(w.dashboard, "insight.title" in w.message) for w in plan.warnings] == [
        ("Growth", True)]
    assert Plan([plan]).exit_code == 2  # warnings never change the exit code


def test_former_name_dashboard_is_never_pruned() -> None:
    # "Growth KPIs" was made empty in the UI; "Growth" is the original with its history
    live_state = state(live("1", "Growth", wire(insight("dau"))), live("2", "Growth KPIs"),
                       live("3", "Stray"))
    env = environment(prune=True)
    manifests = [manifest("Growth KPIs", insight("dau"), formerNames=["Growth"])]
    plan = build_environment_plan(env, manifests, [], live_state)
    (update,) = [c for c in plan.changes if c.action is Action.UPDATE]
    assert update.id == "2"  # paired by its current name
    assert [c.dashboard for c in plan.deletes] == ["Stray"]
    (warning,) = plan.warnings
    assert warning.dashboard == "Growth"
    assert warning.message == (
        "left alone: 'Growth' (1) is in formerNames of 'Growth KPIs'; delete it in the UI, "
        "or drop it from formerNames")
    assert plan.unmanaged == ["Stray"]
    assert environment_drift(plan).unmanaged == ["Stray"]


def test_former_name_dashboard_is_left_alone_without_prune_too() -> None:
    live_state = state(live("1", "Growth"), live("2", "Growth KPIs"))
    plan = build_environment_plan(environment(), [manifest("Growth KPIs", formerNames=["Growth"])],
                                  [], live_state)
    assert plan.changes == [] and plan.unmanaged == []
    assert [w.dashboard for w in plan.warnings] == ["Growth"]
    assert Plan([plan]).exit_code == 0


def test_deleting_a_dashboard_records_its_unmodeled_tiles() -> None:
    live_state = state(live("1", "Keep", wire(insight("a"))), live("2", "Gone", FUNNEL))
    plan = build_environment_plan(environment(prune=True), [manifest("Keep", insight("a"))], [],
                                  live_state)
    (delete,) = plan.deletes
    assert delete.tiles.removed == ["funnel"] and delete.kept == {}
    assert delete.before is not None and delete.before["tiles"] == [FUNNEL]
