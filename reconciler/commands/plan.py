"""`dashctl plan`: read live state and print what apply would do (0 none, 2 changes, 1 error)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.commands import console
from reconciler.commands.options import Selected, open_run
from reconciler.documents import write_saved_plan
from reconciler.engine.changes import Plan
from reconciler.report.plan_json import render_plan_json
from reconciler.report.plan_markdown import render_plan_markdown
from reconciler.report.plan_text import render_plan_text


@dataclass(frozen=True, kw_only=True)
class PlanOptions(Selected):
    fmt: str = "text"
    out: Path | None = None


def render(plan: Plan, fmt: str, *, color: bool) -> str:
    if fmt == "json":
        return render_plan_json(plan)
    if fmt == "markdown":
        return render_plan_markdown(plan)
    return render_plan_text(plan, color=color)


def run(options: PlanOptions) -> int:
    with console.Progress() as progress:
        plan = open_run(options, progress.update, console.note).plan()
    console.out(render(plan, options.fmt, color=options.color), nl=False)
    if options.out is not None:
        write_saved_plan(plan, options.out)
        console.note(f"plan saved to {options.out}")
    return plan.exit_code
