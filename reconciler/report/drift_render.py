"""Drift reports as JSON (SPEC §3), text and markdown."""

from __future__ import annotations

from reconciler.documents import drift_document
from reconciler.engine.drift import DriftReport, EnvironmentDrift, Status
from reconciler.report import fleets
from reconciler.report.plan_text import show
from reconciler.report.style import paint


def render_drift_json(report: DriftReport) -> str:
    return drift_document(report).dump()


def _detail_lines(env: EnvironmentDrift) -> list[str]:
    lines: list[str] = []
    for entry in env.drifted:
        lines.append(f"~ \"{entry.dashboard}\" ({entry.id}) differs live")
        if entry.renamed:
            lines.append(f"    ~ renamed live: \"{entry.dashboard}\" -> \"{entry.live_name}\"")
        lines += [f"    + tile {tile} (only live)" for tile in entry.tiles.added]
        for tile, fields in entry.tiles.changed.items():
            lines.append(f"    ~ tile {tile}")
            lines += [f"        {f.path}: git {show(f.old)} -> live {show(f.new)}" for f in fields]
        lines += [f"    - tile {tile} (only git)" for tile in entry.tiles.removed]
    lines += [f"- \"{name}\" is in git but missing live" for name in env.missing]
    lines += [f"+ \"{name}\" is live but declared nowhere (unmanaged)" for name in env.unmanaged]
    lines += [f"! error: {error}" for error in env.errors]
    return lines


def environment_drift_text(env: EnvironmentDrift, *, color: bool = False) -> str:
    symbol = {Status.IN_SYNC: "+", Status.DRIFTED: "~", Status.ERROR: "!"}[env.status]
    head = paint(f"Environment {env.name} (project {env.project}): {env.status.value}", symbol,
                 color=color)
    return "\n".join([head, *(f"  {line}" for line in _detail_lines(env))])


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
        f"<!-- dashctl:drift env={env.name} -->",
        f"### dashctl drift: `{env.name}` (project `{env.project}`): {badge[env.status]}",
        "",
        "| Drifted | Missing live | Unmanaged | Errors |",
        "|---:|---:|---:|---:|",
        f"| {len(env.drifted)} | {len(env.missing)} | {len(env.unmanaged)} | {len(env.errors)} |",
        "",
    ]
    details = _detail_lines(env)
    if details:
        lines += ["```diff", *(line.replace("```", "'''") for line in details), "```", ""]
    return "\n".join(lines)


def render_drift_markdown(report: DriftReport) -> str:
    shown, summary = _shown(report)
    return "\n".join([environment_drift_markdown(env) for env in shown]
                     + [f"_{line}_\n" for line in summary])
