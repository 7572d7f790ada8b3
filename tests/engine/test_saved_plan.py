"""Saved plans: `plan --out` then `apply --plan` reads back the very Plan that was written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.documents import dump_saved_plan, read_saved_plan
from reconciler.engine.changes import Action, Plan
from reconciler.engine.live import LiveState
from reconciler.engine.plan import build_environment_plan, saved_plan_refusals
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
    path.write_text(dump_saved_plan(plan), "utf-8")
    assert read_saved_plan(path) == plan


def test_a_saved_plan_from_before_kept_and_warnings_still_reads(tmp_path: Path) -> None:
    data = json.loads(dump_saved_plan(sample()))
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
    data = json.loads(dump_saved_plan(sample()))
    data["environments"][0]["changes"][1]["kept"] = {"dau": "insight.title"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match=r"malformed saved plan \(environments\.0\.changes\.1"):
        read_saved_plan(path)


# -- what today's configuration refuses of a saved plan ---------------------------------------

STAGING: dict[str, Any] = {"name": "staging", "project": "proj", "prune": True}


def test_a_saved_plan_under_the_configuration_it_was_made_with_is_not_refused() -> None:
    (env,) = sample().environments
    assert saved_plan_refusals(env, environment(**STAGING)) == []


@pytest.mark.parametrize(("today", "reason"), [
    ({"url": "sqlite:elsewhere.db"}, "the environment's url or project changed since"),
    ({"project": "proj_other"}, "the environment's url or project changed since"),
    ({"prune": False}, "it deletes 1 dashboard(s) but prune is now off"),
    ({"max_deletes": 0}, "it deletes 1 dashboard(s), more than max_deletes (0) now allows"),
    ({"ignore": ["Gr*"]}, "it touches dashboards that ignore now covers: 'Growth'"),
    ({"ignore": ["Old", "New"]}, "ignore now covers: 'New', 'Old'"),
], ids=["url", "project", "prune", "max_deletes", "ignore", "ignore-create-and-delete"])
def test_each_change_of_configuration_is_a_refusal(today: dict[str, Any], reason: str) -> None:
    (env,) = sample().environments
    (refusal,) = saved_plan_refusals(env, environment(**{**STAGING, **today}))
    assert reason in refusal


def test_ignore_covering_the_old_name_of_a_rename_is_a_refusal() -> None:
    state = LiveState(summaries=[{"id": "1", "name": "Legacy"}],
                      dashboards={"1": live("1", "Legacy", wire(insight("dau")))})
    env = build_environment_plan(environment(), [manifest("Current", insight("dau"),
                                                          formerNames=["Legacy"])], [], state)
    (change,) = env.changes
    assert change.rename is not None
    assert saved_plan_refusals(env, environment(ignore=["Leg*"])) == [
        "it touches dashboards that ignore now covers: 'Legacy'"]


def test_every_reason_is_given_at_once() -> None:
    (env,) = sample().environments
    today = environment(name="staging", project="proj_other", max_deletes=0, ignore=["New"])
    assert len(saved_plan_refusals(env, today)) == 4  # project, prune, max_deletes, ignore


# -- what is not a saved plan --------------------------------------------------------------

@pytest.mark.parametrize(("content", "message"), [
    ("{oops", r"cannot read saved plan \("),
    ('{"kind": "dashctl.drift", "formatVersion": 1}', r"not a saved dashctl plan \(write one"),
    ('["dashctl.plan"]', r"not a saved dashctl plan"),
    ('{"kind": "dashctl.plan", "formatVersion": 3, "environments": []}',
     r"unsupported plan formatVersion 3"),
    ('{"kind": "dashctl.plan", "formatVersion": 2}', r"malformed saved plan \(environments"),
], ids=["not-json", "other-kind", "not-a-mapping", "newer-version", "no-environments"])
def test_what_is_not_a_saved_plan_is_one_clean_error(tmp_path: Path, content: str,
                                                      message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content, "utf-8")
    with pytest.raises(ConfigError, match=f"^{path}: {message}"):
        read_saved_plan(path)
