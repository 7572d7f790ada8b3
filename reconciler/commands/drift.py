"""`dashctl drift`: compare live state with git, per environment (0 in sync, 2 drift, 1 error)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.commands import console
from reconciler.commands.options import Selected, open_run
from reconciler.engine.drift import DriftReport, drift_report
from reconciler.report.drift_render import (
    environment_drift_json,
    environment_drift_markdown,
    render_drift_json,
    render_drift_markdown,
    render_drift_text,
)


@dataclass(frozen=True, kw_only=True)
class DriftOptions(Selected):
    fmt: str = "text"
    report_dir: Path | None = None


def report_name(environment: str) -> str:
    """`drift-<env>`; a fleet member's `/` becomes `__`."""
    return "drift-" + environment.replace("/", "__")


def write_reports(report: DriftReport, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for item in report.environments:
        name = report_name(item.name)
        (folder / f"{name}.json").write_text(environment_drift_json(item), "utf-8")
        (folder / f"{name}.md").write_text(environment_drift_markdown(item), "utf-8")


def run(options: DriftOptions) -> int:
    with console.Progress() as progress:
        report = drift_report(open_run(options, progress.update).plan())
    if options.fmt == "json":
        console.out(render_drift_json(report), nl=False)
    elif options.fmt == "markdown":
        console.out(render_drift_markdown(report), nl=False)
    else:
        console.out(render_drift_text(report, color=options.color), nl=False)
    if options.report_dir is not None:
        write_reports(report, options.report_dir)
        console.note(f"drift reports written to {options.report_dir}")
    return report.exit_code
