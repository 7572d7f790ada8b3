"""`dashctl plan`: read live state and print what apply would do (0 none, 2 changes, 1 error)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.commands import console
from reconciler.commands.options import Selected
from reconciler.commands.read import make_plan
from reconciler.documents import saved_plan
from reconciler.engine.plan import Plan
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


def save(plan: Plan, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(saved_plan(plan).dump(), "utf-8")


def run(options: PlanOptions) -> int:
    plan = make_plan(options)
    console.out(render(plan, options.fmt, color=options.color), nl=False)
    if options.out is not None:
        save(plan, options.out)
        console.note(f"plan saved to {options.out}")
    return plan.exit_code
