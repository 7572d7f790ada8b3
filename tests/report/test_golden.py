"""Golden tests of the plan and drift renderings (UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from reconciler.engine.changes import Plan
from reconciler.engine.drift import DriftReport, environment_drift
from reconciler.engine.live import LiveState
from reconciler.engine.plan import EnvironmentState, build_environment_plan, plan_environment
from reconciler.report.drift_render import (
    render_drift_json,
    render_drift_markdown,
    render_drift_text,
)
from reconciler.report.plan_json import render_plan_json
from reconciler.report.plan_markdown import environment_markdown, render_plan_markdown
from reconciler.report.plan_text import render_plan_text
from tests.support.factories import (
    environment,
    insight,
    live,
    manifest,
    markdown,
    ui_edited,
    wire,
)

GOLDEN = Path(__file__).parent / "golden"
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def sample_live() -> LiveState:
    dashboards = [
        live("dash_1", "Growth", ui_edited(insight("dau")), wire(markdown("goals"))),
        live("dash_2", "Retention", wire(insight("ret", events="signup"))),
        live("dash_3", "Old board", wire(insight("x"))),
    ]
    return LiveState(summaries=[{"id": d["id"], "name": d["name"]} for d in dashboards],
                     dashboards={d["id"]: d for d in dashboards})


def sample_manifests() -> list:
    return [
        manifest("Growth KPIs", insight("dau", w=8), markdown("goals", "# Q4 goals", x=8, y=0),
                 insight("wau", y=4), formerNames=["Growth"]),
        manifest("Retention", insight("ret", events="signup", viz="bar")),
        manifest("Activation Funnel", insight("funnel", events="signup_completed"),
                 markdown("notes", "# How to read this funnel\nStep by step.\n")),
    ]


def sample_plan() -> Plan:
    """staging: a create, an update with kept fields and a move, an update of a field
    (no layout change), a delete; production: live state could not be read."""
    env = environment(name="staging", project="proj_staging", prune=True)
    unread = EnvironmentState(environment(name="production", project="proj_prod"),
                              sample_manifests(), live=None,
                              error="List: unauthenticated: invalid token")
    return Plan([build_environment_plan(env, sample_manifests(), [], sample_live()),
                 plan_environment(unread)])


def sample_drift() -> DriftReport:
    env = environment(name="production", project="proj_prod")
    plan = build_environment_plan(env, sample_manifests(), [], sample_live())
    return DriftReport([environment_drift(plan)])


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, "utf-8")
    assert text == path.read_text("utf-8")


@pytest.mark.parametrize("color", [False, True])
def test_plan_text(color: bool) -> None:
    check(f"plan{'-color' if color else ''}.txt", render_plan_text(sample_plan(), color=color))


def test_plan_markdown() -> None:
    check("plan.md", render_plan_markdown(sample_plan()))


def test_plan_json_matches_golden_and_schema() -> None:
    text = render_plan_json(sample_plan())
    check("plan.json", text)
    schema = json.loads((SCHEMAS / "plan.schema.json").read_text())
    jsonschema.validate(json.loads(text), schema)


def test_drift_renderings() -> None:
    report = sample_drift()
    check("drift.txt", render_drift_text(report))
    check("drift.md", render_drift_markdown(report))
    schema = json.loads((SCHEMAS / "drift.schema.json").read_text())
    jsonschema.validate(json.loads(render_drift_json(report)), schema)
    check("drift.json", render_drift_json(report))


def test_markdown_is_capped_and_keeps_the_summary() -> None:
    many = [manifest(f"Board {i:03}", *(insight(f"t{j}", y=j * 4) for j in range(20)))
            for i in range(200)]
    env = environment(name="big", project="p")
    plan = build_environment_plan(env, many, [], LiveState())
    text = environment_markdown(plan, cap=65_000)
    assert len(text) <= 65_000
    assert text.startswith("<!-- dashctl:plan env=big -->")
    assert "| 200 | 0 | 0 | 0 | 0 |" in text
    assert "cut to fit" in text
