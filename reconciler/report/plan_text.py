"""The plan as Terraform-like text: `+ create`, `~ update`, `- delete`, old -> new.

Names, ids and messages are escaped (no control character reaches the
terminal) and no line can pass for a GitHub workflow command
(`reconciler.report.sanitize`); long and multi-line strings are line diffs
(`reconciler.report.fields`).
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.engine.plan import Action, Change, EnvironmentPlan, Plan
from reconciler.engine.unmodeled import WHOLE
from reconciler.report import fleets
from reconciler.report.fields import value_change
from reconciler.report.sanitize import escape_controls, guard_text, quoted
from reconciler.report.style import paint

SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}
PLAN_SIDES = ("live", "git")  # a plan reads from live (old) to git (new)


def _rename_lines(old: str, new: str, indent: str) -> list[str]:
    head, diff = value_change("name", old, new, labels=PLAN_SIDES)
    if diff:
        return [f"{indent}~ {head}", *(f"{indent}    {line}" for line in diff)]
    return [f"{indent}~ name: {quoted(old)} -> {quoted(new)}"]


def kept_text(kept: Mapping[str, list[str]]) -> str:
    """``dau (insight.query.filters), funnel (whole tile)``: what apply sends back."""
    return ", ".join(
        f"{tile} ({'whole tile' if paths == [WHOLE] else ', '.join(paths)})"
        for tile, paths in kept.items()
    )


def warning_text(dashboard: str | None, message: str) -> str:
    subject = f"\"{dashboard}\": " if dashboard else ""
    return f"warning: {subject}{message}"


def change_lines(change: Change, *, color: bool) -> list[str]:
    symbol = SYMBOLS[change.action]
    where = f" ({escape_controls(change.id)})" if change.id else ""
    lines = [paint(f"  {symbol} {change.action.value} {quoted(change.dashboard)}{where}", symbol,
                   color=color)]
    if change.rename:
        lines += [paint(line, "~", color=color)
                  for line in _rename_lines(change.rename.old, change.rename.new, "      ")]
    if change.action is Action.DELETE:
        return lines
    lines += [paint(f"      + tile {escape_controls(tile)}", "+", color=color)
              for tile in change.tiles.added]
    for tile, fields in change.tiles.changed.items():
        lines.append(paint(f"      ~ tile {escape_controls(tile)}", "~", color=color))
        for field in fields:
            head, diff = value_change(field.path, field.old, field.new, labels=PLAN_SIDES)
            lines.append(f"          {head}")
            lines += [f"            {line}" for line in diff]
    lines += [paint(f"      - tile {escape_controls(tile)}", "-", color=color)
              for tile in change.tiles.removed]
    if change.kept:
        lines.append(f"      = kept: {escape_controls(kept_text(change.kept))}")
    return lines


def environment_text(env: EnvironmentPlan, *, color: bool) -> str:
    title = f"Environment {escape_controls(env.name)} (project {escape_controls(env.project)})"
    lines = [paint(title, "bold", color=color)]
    for change in env.changes:
        lines += change_lines(change, color=color)
    if env.unmanaged and not env.prune:
        names = ", ".join(quoted(name) for name in env.unmanaged)
        lines.append(f"  unmanaged (left alone): {names}")
    for error in env.errors:
        subject = f"{quoted(error.dashboard)}: " if error.dashboard else ""
        message = escape_controls(error.message)
        lines.append(paint(f"  ! error: {subject}{message}", "!", color=color))
    lines += [paint(f"  ? {escape_controls(warning_text(w.dashboard, w.message))}", "~",
                    color=color)
              for w in env.warnings]
    s = env.summary
    lines.append(
        f"Plan: {s['create']} to create, {s['update']} to update, {s['delete']} to delete, "
        f"{s['unchanged']} unchanged."
        + (f" {len(env.errors)} error(s)." if env.errors else "")
    )
    return "\n".join(lines)


def member_state(env: EnvironmentPlan) -> str:
    return "failed" if env.errors else "changed" if env.changes else "in sync"


def render_plan_text(plan: Plan, *, color: bool = False) -> str:
    if not plan.environments:
        return "No environments selected.\n"
    shown, _ = fleets.split(plan.environments, lambda e: e.fleet, lambda e: member_state(e) ==
                            "in sync")
    blocks = [environment_text(env, color=color) for env in shown]
    summary = fleets.summary_lines(plan.environments, lambda e: e.fleet, member_state)
    return guard_text("\n\n".join(blocks + (["\n".join(summary)] if summary else [])) + "\n")
