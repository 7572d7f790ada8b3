"""The plan as Terraform-like text: `+ create`, `~ update`, `- delete`, old -> new."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reconciler.engine.plan import Action, Change, EnvironmentPlan, Plan
from reconciler.engine.unmodeled import WHOLE
from reconciler.report.style import paint

SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}


def show(value: Any) -> str:
    """A field value as one short line."""
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


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
    where = f" ({change.id})" if change.id else ""
    lines = [paint(f"  {symbol} {change.action.value} \"{change.dashboard}\"{where}", symbol,
                   color=color)]
    if change.rename:
        lines.append(paint(f"      ~ name: \"{change.rename.old}\" -> \"{change.rename.new}\"", "~",
                           color=color))
    if change.action is Action.DELETE:
        return lines
    lines += [paint(f"      + tile {tile}", "+", color=color) for tile in change.tiles.added]
    for tile, fields in change.tiles.changed.items():
        lines.append(paint(f"      ~ tile {tile}", "~", color=color))
        lines += [f"          {f.path}: {show(f.old)} -> {show(f.new)}" for f in fields]
    lines += [paint(f"      - tile {tile}", "-", color=color) for tile in change.tiles.removed]
    if change.kept:
        lines.append(f"      = kept: {kept_text(change.kept)}")
    return lines


def environment_text(env: EnvironmentPlan, *, color: bool) -> str:
    lines = [paint(f"Environment {env.name} (project {env.project})", "bold", color=color)]
    for change in env.changes:
        lines += change_lines(change, color=color)
    if env.unmanaged and not env.prune:
        names = ", ".join(f'"{name}"' for name in env.unmanaged)
        lines.append(f"  unmanaged (left alone): {names}")
    for error in env.errors:
        subject = f"\"{error.dashboard}\": " if error.dashboard else ""
        lines.append(paint(f"  ! error: {subject}{error.message}", "!", color=color))
    lines += [paint(f"  ? {warning_text(w.dashboard, w.message)}", "~", color=color)
              for w in env.warnings]
    s = env.summary
    lines.append(
        f"Plan: {s['create']} to create, {s['update']} to update, {s['delete']} to delete, "
        f"{s['unchanged']} unchanged."
        + (f" {len(env.errors)} error(s)." if env.errors else "")
    )
    return "\n".join(lines)


def render_plan_text(plan: Plan, *, color: bool = False) -> str:
    if not plan.environments:
        return "No environments selected.\n"
    return "\n\n".join(environment_text(env, color=color) for env in plan.environments) + "\n"
