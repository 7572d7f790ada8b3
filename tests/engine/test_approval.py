"""engine.approval: where a saved plan differs from the plan of now in what git owns."""

from __future__ import annotations

from dataclasses import replace

from reconciler.engine.approval import unapproved
from reconciler.engine.changes import Action, Change, EnvironmentPlan
from tests.support.factories import insight, wire

DAU = wire(insight("dau"))


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
