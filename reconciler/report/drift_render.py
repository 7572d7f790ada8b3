"""Drift reports as JSON (SPEC §3), text and markdown. Pure."""

from __future__ import annotations

from typing import Any

from reconciler.engine.drift import DriftReport, EnvironmentDrift, Status
from reconciler.report import fleets
from reconciler.report.fields import value_change
from reconciler.report.sanitize import (
    escape_controls,
    guard_text,
    json_text,
    md_code,
    md_fence,
    md_text,
    quoted,
)
from reconciler.report.style import paint
from reconciler.report.tiles import field_change

FORMAT_VERSION = 1


def drift_entry_json(env: EnvironmentDrift) -> dict[str, Any]:
    return {
        "name": env.name,
        "status": env.status.value,
        "drifted": [{"dashboard": d.dashboard, "id": d.id, "tiles": d.tiles.as_json(),
                     "renamed": d.renamed, "cause": d.cause} for d in env.drifted],
        "missing": env.missing,
        "unmanaged": env.unmanaged,
        "errors": env.errors,
    }


def drift_json(environments: list[EnvironmentDrift]) -> dict[str, Any]:
    return {"formatVersion": FORMAT_VERSION,
            "environments": [drift_entry_json(env) for env in environments]}


def render_drift_json(report: DriftReport) -> str:
    return json_text(drift_json(report.environments)) + "\n"


def environment_drift_json(env: EnvironmentDrift) -> str:
    """The drift JSON of one environment (a report file of `drift --report-dir`)."""
    return json_text(drift_json([env])) + "\n"


DRIFT_SIDES = ("git", "live")  # drift reads from git (old) to live (new)


CAUSES = {
    "git": "git changed, not applied yet",
    "outside": "edited outside git",
    "both": "changed in git and edited outside git",
    "unknown": "cause unknown (no applied record)",
}


def _field_lines(path: str, old: object, new: object) -> list[str]:
    if old is None and new is None:  # an outside edit: which field, not its values
        return [f"        {escape_controls(path)}"]
    head, diff = field_change(path, old, new, labels=DRIFT_SIDES, named=True)
    return [f"        {head}", *(f"          {line}" for line in diff)]


def _detail_lines(env: EnvironmentDrift) -> list[str]:
    lines: list[str] = []
    for entry in env.drifted:
        lines.append(f"~ {quoted(entry.dashboard)} ({escape_controls(entry.id)}) differs live: "
                     f"{CAUSES.get(entry.cause, entry.cause)}")
        if entry.renamed:
            head, diff = value_change("name", entry.dashboard, entry.live_name,
                                      labels=DRIFT_SIDES)
            if diff:
                lines += [f"    ~ renamed live: {head}", *(f"        {line}" for line in diff)]
            else:
                lines.append(f"    ~ renamed live: {quoted(entry.dashboard)} -> "
                             f"{quoted(entry.live_name)}")
        lines += [f"    + tile {escape_controls(tile)} (only live)" for tile in entry.tiles.added]
        for tile, fields in entry.tiles.changed.items():
            lines.append(f"    ~ tile {escape_controls(tile)}")
            for field in fields:
                lines += _field_lines(field.path, field.old, field.new)
        lines += [f"    - tile {escape_controls(tile)} (only git)" for tile in entry.tiles.removed]
    lines += [f"- {quoted(name)} is in git but missing live" for name in env.missing]
    lines += [f"+ {quoted(name)} is live but declared nowhere (unmanaged)"
              for name in env.unmanaged]
    lines += [f"! error: {escape_controls(error)}" for error in env.errors]
    return lines


def environment_drift_text(env: EnvironmentDrift, *, color: bool = False) -> str:
    symbol = {Status.IN_SYNC: "+", Status.DRIFTED: "~", Status.ERROR: "!"}[env.status]
    title = (f"Environment {escape_controls(env.name)} (project {escape_controls(env.project)}):"
             f" {env.status.value}")
    head = paint(title, symbol, color=color)
    return guard_text("\n".join([head, *(f"  {line}" for line in _detail_lines(env))]))


def _shown(report: DriftReport) -> tuple[list[EnvironmentDrift], list[str]]:
    """The environments to show (fleet members in sync fold into one line per fleet)."""
    shown, _ = fleets.split(report.environments, lambda e: e.fleet,
                            lambda e: e.status is Status.IN_SYNC)
    summary = fleets.summary_lines(report.environments, lambda e: e.fleet,
                                   lambda e: e.status.value.replace("_", " "))
    return shown, summary


def render_drift_text(report: DriftReport, *, color: bool = False) -> str:
    shown, summary = _shown(report)
    blocks = [environment_drift_text(env, color=color) for env in shown]
    return "\n\n".join(blocks + (["\n".join(summary)] if summary else [])) + "\n"


def environment_drift_markdown(env: EnvironmentDrift) -> str:
    badge = {Status.IN_SYNC: "in sync", Status.DRIFTED: "**drifted**", Status.ERROR: "**error**"}
    lines = [
        f"<!-- dashctl:drift env={escape_controls(env.name).replace('>', '&gt;')} -->",
        "",  # an HTML block ends at a blank line
        f"### dashctl drift: {md_code(env.name)} (project {md_code(env.project)}):"
        f" {badge[env.status]}",
        "",
        "| Drifted | Missing live | Unmanaged | Errors |",
        "|---:|---:|---:|---:|",
        f"| {len(env.drifted)} | {len(env.missing)} | {len(env.unmanaged)} | {len(env.errors)} |",
        "",
    ]
    details = _detail_lines(env)
    text = "\n".join(lines)
    if details:
        text += "\n" + md_fence(details, "diff")
    return guard_text(text)


def render_drift_markdown(report: DriftReport) -> str:
    shown, summary = _shown(report)
    return "\n".join([environment_drift_markdown(env) for env in shown]
                     + [f"_{md_text(line)}_\n" for line in summary])
