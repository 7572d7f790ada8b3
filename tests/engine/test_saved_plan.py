"""Saved plans: `plan --out` then `apply --plan` reads back the very Plan that was written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.documents import read_saved_plan, saved_plan
from reconciler.engine.live import LiveState
from reconciler.engine.plan import Action, Plan, build_environment_plan
from reconciler.errors import ConfigError
from tests.support.factories import FUNNEL, environment, insight, live, manifest, markdown, wire


def sample() -> Plan:
    dau = wire(insight("dau"))
    dau["insight"]["title"] = "Daily users"
    dashboards = [live("1", "Growth", dau, wire(markdown("goals")), FUNNEL),
                  live("2", "Old", wire(insight("x"))), live("3", "Growth v0")]
    state = LiveState(summaries=[{"id": d["id"], "name": d["name"]} for d in dashboards],
                      dashboards={d["id"]: d for d in dashboards})
    manifests = [manifest("Growth", insight("dau", w=8), markdown("goals", "# Q4"),
                          formerNames=["Growth v0"]),
                 manifest("New", insight("a"))]
    env = environment(name="staging", project="proj", prune=True)
    return Plan([build_environment_plan(env, manifests, [], state)])


def test_round_trip_gives_the_same_plan(tmp_path: Path) -> None:
    plan = sample()
    env = plan.environments[0]
    assert [c.action for c in env.changes] == [Action.CREATE, Action.UPDATE, Action.DELETE]
    update = env.changes[1]
    assert update.kept == {"dau": ["insight.title"], "funnel": ["*"]}
    assert update.tiles.changed["dau"][0].path == "position.w"
    assert env.warnings and env.warnings[0].dashboard == "Growth v0"
    path = tmp_path / "plan.json"
    path.write_text(saved_plan(plan).dump(), "utf-8")
    assert read_saved_plan(path) == plan


def test_a_saved_plan_from_before_kept_and_warnings_still_reads(tmp_path: Path) -> None:
    data = json.loads(saved_plan(sample()).dump())
    for env in data["environments"]:
        del env["warnings"]
        for change in env["changes"]:
            del change["kept"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), "utf-8")
    read = read_saved_plan(path)
    assert read.environments[0].warnings == []
    assert all(change.kept == {} for change in read.environments[0].changes)


def test_a_malformed_kept_is_a_clean_error(tmp_path: Path) -> None:
    data = json.loads(saved_plan(sample()).dump())
    data["environments"][0]["changes"][1]["kept"] = {"dau": "insight.title"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match=r"malformed saved plan \(environments\.0\.changes\.1"):
        read_saved_plan(path)
