"""What apply did, one line per dashboard (as Terraform does), or as JSON for tools. Pure.

    staging: created "Growth KPIs" (dash_1)
    staging: updated "Retention" (dash_2)
    staging: renamed "Growth" -> "Growth KPIs" (dash_3)
    staging: deleted "Stray" (dash_4)
    staging: failed to update "Ops" (dash_5): environment staging at https://...: ...
    staging: skipped delete of "Old" (prune is off)
    Apply staging: 1 created, 1 updated, 1 renamed, 1 deleted, 1 failed, 1 skipped.
"""

from __future__ import annotations

from typing import Any

from reconciler.engine.apply import ApplyResult, ChangeOutcome
from reconciler.engine.changes import Action, Change, EnvironmentPlan
from reconciler.report.sanitize import escape_controls, guard_text, json_text, quoted

VERBS = {Action.CREATE: "create", Action.UPDATE: "update", Action.DELETE: "delete"}
DONE = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "deleted"}


def outcome_word(outcome: ChangeOutcome) -> str:
    """What became of one change: created, updated, renamed, deleted, unchanged or failed."""
    change = outcome.change
    if outcome.error:
        return "failed"
    if change.action is Action.UPDATE and change.rename and not change.tiles:
        return "renamed"
    return DONE[change.action]


def _subject(change: Change, dashboard_id: str | None) -> str:
    where = f" ({escape_controls(dashboard_id)})" if dashboard_id else ""
    if change.rename and change.action is Action.UPDATE:
        return f"{quoted(change.rename.old)} -> {quoted(change.rename.new)}{where}"
    return f"{quoted(change.dashboard)}{where}"


def outcome_line(name: str, outcome: ChangeOutcome) -> str:
    change = outcome.change
    dashboard_id = outcome.id or change.id
    word = outcome_word(outcome)
    if outcome.error:
        return (f"{name}: failed to {VERBS[change.action]} {_subject(change, dashboard_id)}: "
                f"{escape_controls(outcome.error)}")
    line = f"{name}: {word} {_subject(change, dashboard_id)}"
    return line + (f": {escape_controls(outcome.note)}" if outcome.note else "")


def environment_lines(result: ApplyResult) -> list[str]:
    name = escape_controls(result.environment)
    if result.failure:
        return [f"{name}: not applied: {escape_controls(result.failure)}"]
    lines = [outcome_line(name, outcome) for outcome in result.outcomes]
    lines += [f"{name}: skipped delete of {quoted(dashboard)} ({result.skip_reason})"
              for dashboard in result.skipped_deletes]
    lines += [f"{name}: removed {quoted(dashboard)}, made by an apply that lost track of it"
              for dashboard in result.leftovers]
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome_word(outcome)] = counts.get(outcome_word(outcome), 0) + 1
    if result.skipped_deletes:
        counts["skipped"] = len(result.skipped_deletes)
    order = ["created", "updated", "renamed", "deleted", "failed", "skipped"]
    said = ", ".join(f"{counts[word]} {word}" for word in order if counts.get(word))
    lines.append(f"Apply {name}: {said or 'nothing written'}.")
    return lines


def render_apply_text(results: list[ApplyResult]) -> str:
    return guard_text("\n".join(line for result in results
                                for line in environment_lines(result)) + "\n")


def render_apply_json(plans: list[EnvironmentPlan], results: list[ApplyResult]) -> str:
    """``apply --format json``: what was written, per dashboard, per environment."""
    environments = []
    for plan, result in zip(plans, results, strict=True):
        written: list[dict[str, Any]] = [{
            "action": outcome.change.action.value,
            "dashboard": outcome.change.dashboard,
            "id": outcome.id or outcome.change.id,
            "result": outcome_word(outcome),
            "error": outcome.error,
        } for outcome in result.outcomes]
        written += [{"action": "delete", "dashboard": dashboard, "id": None,
                     "result": "skipped", "error": result.skip_reason}
                    for dashboard in result.skipped_deletes]
        environments.append({"name": plan.name, "project": plan.project,
                             "failure": result.failure, "dashboards": written,
                             "leftoversRemoved": result.leftovers})
    return json_text({"formatVersion": 1, "environments": environments}) + "\n"
