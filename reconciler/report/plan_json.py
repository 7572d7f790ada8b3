"""The plan as JSON (SPEC §3, formatVersion 1), and the saved-plan superset."""

from __future__ import annotations

from typing import Any

from reconciler.engine.plan import Change, EnvironmentPlan, Plan
from reconciler.engine.saved import FORMAT_VERSION, SAVED_KIND
from reconciler.report.sanitize import json_text


def change_json(change: Change, *, saved: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": change.action.value,
        "dashboard": change.dashboard,
        "id": change.id,
        "rename": {"from": change.rename.old, "to": change.rename.new} if change.rename else None,
        "tiles": change.tiles.as_json(),
    }
    if saved:
        data |= {"before": change.before, "after": change.after, "fingerprint": change.fingerprint}
    return data


def environment_json(env: EnvironmentPlan, *, saved: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": env.name,
        "project": env.project,
        "summary": env.summary,
        "changes": [change_json(change, saved=saved) for change in env.changes],
        "errors": [{"dashboard": e.dashboard, "message": e.message} for e in env.errors],
    }
    if saved:
        data |= {"unmanaged": env.unmanaged, "unchanged": env.unchanged,
                 "liveCount": env.live_count, "prune": env.prune,
                 "refusal": env.refusal, "problems": env.problems}
    return data


def plan_json(plan: Plan, *, saved: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"formatVersion": FORMAT_VERSION}
    if saved:
        data["kind"] = SAVED_KIND
    data["environments"] = [environment_json(env, saved=saved) for env in plan.environments]
    return data


def render_plan_json(plan: Plan) -> str:
    return json_text(plan_json(plan)) + "\n"
