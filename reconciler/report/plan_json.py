"""The plan as JSON for CI and tools (SPEC §3, formatVersion 1): a view of the Plan. Pure."""

from __future__ import annotations

from typing import Any

from reconciler.engine.changes import Change, EnvironmentPlan, Plan
from reconciler.engine.outside import OutsideEdit
from reconciler.report.sanitize import json_text

FORMAT_VERSION = 1


def change_json(change: Change) -> dict[str, Any]:
    rename = change.rename
    return {
        "action": change.action.value,
        "dashboard": change.dashboard,
        "id": change.id,
        "rename": {"from": rename.old, "to": rename.new} if rename else None,
        "tiles": change.tiles.as_json(),
        # tile id -> dotted paths of the unmodeled fields apply sends back; ["*"]: a whole tile
        "kept": {tile: list(paths) for tile, paths in change.kept.items()},
    }


def outside_edit_json(edit: OutsideEdit) -> dict[str, Any]:
    return {
        "dashboard": edit.dashboard,
        "id": edit.id,
        "updatedAt": edit.updated_at,
        "renamed": edit.renamed,
        "deleted": edit.deleted,
        "tiles": edit.tiles,
        "resolution": edit.resolution.value,
        "conflicts": [{"tile": c.tile, "field": c.field} for c in edit.conflicts],
    }


def environment_json(env: EnvironmentPlan) -> dict[str, Any]:
    return {
        "name": env.name,
        "project": env.project,
        "summary": env.summary,
        "changes": [change_json(change) for change in env.changes],
        "errors": [{"dashboard": e.dashboard, "message": e.message} for e in env.errors],
        "warnings": [{"dashboard": w.dashboard, "message": w.message} for w in env.warnings],
        "outsideEdits": [outside_edit_json(edit) for edit in env.outside_edits],
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    return {"formatVersion": FORMAT_VERSION,
            "environments": [environment_json(env) for env in plan.environments]}


def render_plan_json(plan: Plan) -> str:
    document = plan_json(plan)
    return json_text(document) + "\n"
