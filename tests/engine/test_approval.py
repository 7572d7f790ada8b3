"""engine.approval: where a saved plan differs from the plan of now in what git owns."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from reconciler.engine.approval import moved_since, unapproved
from reconciler.engine.changes import Action, Change, EnvironmentPlan
from reconciler.engine.live import LiveState
from reconciler.engine.plan import build_environment_plan
from reconciler.repo.manifest import Manifest
from reconciler.run.fetch import read_live
from tests.support.factories import environment, insight, manifest, markdown, wire
from tests.support.fake_api import FakeAPI

DAU = wire(insight("dau"))
GROWTH = [insight("dau"), markdown("goals")]


def update(tiles: list[dict[str, object]], **fields: object) -> Change:
    after = {"name": "Growth", "tiles": tiles}
    return Change(Action.UPDATE, "Growth", "dash_1", after=after, **fields)  # type: ignore[arg-type]


def test_the_same_plan_is_approved_whatever_live_owns() -> None:
    kept = {**DAU, "color": "red"}  # unmodeled content is live's, not git's
    saved = EnvironmentPlan("test", "p", changes=[update([DAU])])
    fresh = EnvironmentPlan("test", "p", changes=[update([kept])])
    assert unapproved(saved, fresh) == []


def test_other_content_another_id_and_other_changes_are_each_named() -> None:
    other = {**DAU, "insight": {**DAU["insight"], "visualization": "VISUALIZATION_BAR"}}
    fresh = EnvironmentPlan("test", "p", changes=[update([DAU])])
    assert unapproved(replace(fresh, changes=[update([other])]), fresh) == [
        "update 'Growth' writes other content than the repository renders now"]
    assert unapproved(replace(fresh, changes=[replace(update([DAU]), id="dash_2")]), fresh)
    created = Change(Action.CREATE, "Evil", None, after={"name": "Evil", "tiles": []})
    assert unapproved(replace(fresh, changes=[update([DAU]), created]), fresh) == [
        "create 'Evil' is not what the repository renders now"]
    assert unapproved(replace(fresh, changes=[]), fresh) == [
        "the repository now also has update 'Growth'"]


# -- moved_since: live state of the fresh plan's read vs the saved plan's fingerprints -------


def read(api: FakeAPI) -> LiveState:
    return asyncio.run(read_live(api))


def plan(api: FakeAPI, manifests: list[Manifest]) -> EnvironmentPlan:
    return build_environment_plan(environment(), manifests, [], read(api))


def test_moved_since_sees_an_edit_to_unmodeled_content() -> None:
    api = FakeAPI()
    dau = wire(insight("dau"))
    dau["insight"]["title"] = "Daily users"
    dashboard_id = api.put("Growth", [dau])
    env_plan = plan(api, [manifest("Growth", insight("dau", w=8))])
    assert moved_since(env_plan, read(api)) == []
    api.dashboards[dashboard_id]["tiles"][0]["insight"]["title"] = "Weekly users"
    assert moved_since(env_plan, read(api)) == ["Growth"]
    api.dashboards[dashboard_id]["tiles"][0]["insight"]["title"] = "Daily users"
    api.dashboards[dashboard_id]["updatedAt"] = "2027-01-01T00:00:00Z"
    assert moved_since(env_plan, read(api)) == []  # a timestamp is not a move


def test_moved_since_sees_a_name_created_and_a_dashboard_deleted_meanwhile() -> None:
    api = FakeAPI()
    dashboard_id = api.put("Growth", [wire(insight("dau"))])
    env_plan = plan(api, [manifest("Growth", insight("dau", w=8)), manifest("New", *GROWTH)])
    assert moved_since(env_plan, read(api)) == []
    api.put("New")  # another writer created it after the plan was made
    del api.dashboards[dashboard_id]  # and deleted the one the plan updates
    assert sorted(moved_since(env_plan, read(api))) == ["Growth", "New"]
