"""The plan as Terraform-like text: `+ create`, `~ update`, `- delete`, old -> new.

Names, ids and messages are escaped (no control character reaches the
terminal) and no line can pass for a GitHub workflow command
(`reconciler.report.sanitize`); long and multi-line strings are line diffs
(`reconciler.report.fields`).

What a reviewer needs from it (SPEC §8): each new tile with its kind and main
fields, and enum values, in the manifest's spelling (`reconciler.report.tiles`);
the unmodeled fields apply keeps as one short line per dashboard (they are not
changes; JSON's ``kept`` names them); each delete with when apply carries it
out; and, after an error, a summary that says the plan is incomplete.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.engine.changes import Action, Change, EnvironmentPlan, ErrorKind, Plan
from reconciler.engine.unmodeled import WHOLE
from reconciler.report import fleets, outside
from reconciler.report.fields import value_change
from reconciler.report.sanitize import escape_controls, guard_text, quoted
from reconciler.report.style import paint
from reconciler.report.tiles import added_tile, field_change

SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}
PLAN_SIDES = ("live", "git")  # a plan reads from live (old) to git (new)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _rename_lines(old: str, new: str, indent: str) -> list[str]:
    head, diff = value_change("name", old, new, labels=PLAN_SIDES)
    if diff:
        return [f"{indent}~ {head}", *(f"{indent}    {line}" for line in diff)]
    return [f"{indent}~ name: {quoted(old)} -> {quoted(new)}"]


def kept_summary(kept: Mapping[str, list[str]]) -> str:
    """``kept from live: 3 fields on 1 tile, 1 whole tile``: what apply sends back.

    One short line per dashboard: the unmodeled fields and tiles apply keeps are
    server bookkeeping, not changes; JSON's ``kept`` names every tile and path.
    """
    whole = sum(1 for paths in kept.values() if paths == [WHOLE])
    fields = [len(paths) for paths in kept.values() if paths != [WHOLE]]
    parts = [f"{plural(sum(fields), 'field')} on {plural(len(fields), 'tile')}"] if fields else []
    parts += [plural(whole, "whole tile")] if whole else []
    return "kept from live: " + ", ".join(parts)


def delete_note(env: EnvironmentPlan) -> str:
    """When apply carries out a delete of this plan (it skips it otherwise)."""
    if env.problems:
        return "apply skips it while the manifests have problems"
    return "apply deletes it only with --allow-delete"


def planned_nothing(env: EnvironmentPlan) -> bool:
    return not env.changes and not env.unchanged


def live_unread(env: EnvironmentPlan) -> bool:
    """True when an error says the environment's live state was not read."""
    return any(error.dashboard is None and error.kind is ErrorKind.LIVE for error in env.errors)


def status_text(env: EnvironmentPlan) -> str | None:
    """What the errors of an environment mean for its plan; None without errors."""
    if not env.errors:
        return None
    count = plural(len(env.errors), "error")
    if planned_nothing(env):
        cause = "live state could not be read" if live_unread(env) else "nothing could be planned"
        return f"Plan incomplete: {cause} ({count})."
    if env.refusal and len(env.errors) == 1:
        return f"{count}: apply refuses this plan whole."
    if env.refusal:
        return f"{count}; the plan is incomplete, and apply refuses it whole."
    return f"{count}; the plan is incomplete."


def summary_text(env: EnvironmentPlan) -> str:
    """The last line of an environment: the counts, and what its errors mean."""
    s = env.summary
    counts = (f"Plan: {s['create']} to create, {s['update']} to update, {s['delete']} to delete, "
              f"{s['unchanged']} unchanged.")
    status = status_text(env)
    if status is None:
        return counts
    return status if planned_nothing(env) else f"{counts} {status}"


def warning_text(dashboard: str | None, message: str) -> str:
    subject = f"\"{dashboard}\": " if dashboard else ""
    return f"warning: {subject}{message}"


def change_lines(change: Change, env: EnvironmentPlan, *, color: bool) -> list[str]:
    symbol = SYMBOLS[change.action]
    where = f" ({escape_controls(change.id)})" if change.id else ""
    note = f" ({delete_note(env)})" if change.action is Action.DELETE else ""
    lines = [paint(f"  {symbol} {change.action.value} {quoted(change.dashboard)}{where}{note}",
                   symbol, color=color)]
    if change.rename:
        lines += [paint(line, "~", color=color)
                  for line in _rename_lines(change.rename.old, change.rename.new, "      ")]
    if change.action is Action.DELETE:
        return lines
    lines += [paint(f"      + {added_tile(tile, change.after)}", "+", color=color)
              for tile in change.tiles.added]
    for tile, fields in change.tiles.changed.items():
        lines.append(paint(f"      ~ tile {escape_controls(tile)}", "~", color=color))
        for field in fields:
            head, diff = field_change(field.path, field.old, field.new, labels=PLAN_SIDES)
            lines.append(f"          {head}")
            lines += [f"            {line}" for line in diff]
    lines += [paint(f"      - tile {escape_controls(tile)}", "-", color=color)
              for tile in change.tiles.removed]
    if change.kept:
        lines.append(f"      = {kept_summary(change.kept)}")
    return lines


def environment_text(env: EnvironmentPlan, *, color: bool) -> str:
    title = f"Environment {escape_controls(env.name)} (project {escape_controls(env.project)})"
    lines = [paint(title, "bold", color=color), *outside_lines(env)]
    for change in env.changes:
        lines += change_lines(change, env, color=color)
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
    lines.append(summary_text(env))
    return "\n".join(lines)


def outside_lines(env: EnvironmentPlan) -> list[str]:
    """The dashboards edited outside git since the last apply, and what apply does."""
    if not env.outside_edits:
        return []
    lines = [f"  {outside.HEADING}:"]
    for edit in env.outside_edits:
        where = f"{escape_controls(edit.id)}{outside.when(edit, escape_controls)}"
        lines.append(f"    {quoted(edit.dashboard)} ({where}): "
                     f"{outside.what_happened(edit, escape_controls)}")
        lines.append(f"        -> {outside.what_apply_does(edit, escape_controls)}")
    return lines


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
