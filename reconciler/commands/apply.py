"""`dashctl apply`: make live dashboards match git, or carry out exactly a saved plan."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from reconciler.commands import console
from reconciler.commands.options import Selected, open_run
from reconciler.documents import Backup, read_saved_plan
from reconciler.engine.apply import ApplyResult
from reconciler.engine.approval import moved_since, unapproved
from reconciler.engine.changes import Change, EnvironmentPlan, Plan
from reconciler.engine.plan import saved_plan_refusals
from reconciler.engine.ports import WireDashboard
from reconciler.engine.threeway import Policy
from reconciler.errors import ConfigError, PlanRefused
from reconciler.report.apply_render import render_apply_json, render_apply_text
from reconciler.report.plan_text import render_plan_text
from reconciler.report.sanitize import safe_line
from reconciler.run import Run

SETTLE_S = 2.0  # how long apply waits before reading a doubled name again


@dataclass(frozen=True, kw_only=True)
class ApplyOptions(Selected):
    plan_file: Path | None = None
    auto_approve: bool = False
    allow_delete: bool = False
    overwrite_outside_edits: bool = False
    fmt: str = "text"
    backup_dir: Path | None = None


def backup_path(folder: Path, environment: str, dashboard_id: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{environment}-{dashboard_id}")
    return folder / f"{safe}-{stamp}.json"


def backup_writer(folder: Path, env: EnvironmentPlan) -> Callable[[Change, WireDashboard], None]:
    """Write the live JSON of a dashboard before the change touches it."""

    def write(change: Change, live: WireDashboard) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        document = Backup(
            environment=env.name, project=env.project, action=change.action.value,
            taken_at=datetime.now(UTC).isoformat(timespec="seconds"), dashboard=live,
        )
        backup_path(folder, env.name, str(change.id)).write_text(document.dump(), "utf-8")

    return write


def load_saved(session: Run, path: Path) -> Plan:
    """The saved plan's environments (those --env selects), checked against today's config
    and live state: refused whole if either moved since it was made."""
    plan = read_saved_plan(path)
    repo = session.repo
    reasons: list[str] = []
    for item in plan.environments:
        environment = repo.environments.get(item.name)
        if environment is None:
            raise ConfigError(f"{path}: environment {item.name!r} is not in environments.yaml")
        reasons += [f"{item.name}: {why}" for why in saved_plan_refusals(item, environment)]
    if reasons:
        raise PlanRefused("the saved plan no longer fits the configuration; nothing applied: "
                          + "; ".join(reasons) + ". Plan again.")
    wanted = {e.name for e in session.environments}
    plan = Plan([item for item in plan.environments if item.name in wanted])
    session.environments = [e for e in session.environments
                            if e.name in {item.name for item in plan.environments}]
    states = session.read()
    live = {state.environment.name: state.live for state in states if state.live is not None}
    unread = [f"{state.environment.name}: {state.error}" for state in states
              if state.live is None]
    if unread:
        raise PlanRefused("live state could not be read; nothing applied: " + "; ".join(unread))
    moved = [name for item in plan.environments for name in moved_since(item, live[item.name])]
    if moved:
        raise PlanRefused("live state moved since the plan was made; nothing applied. "
                          f"Moved: {', '.join(sorted(set(moved)))}. Plan again.")
    # a saved plan is an approval: what is applied is planned anew, from the same read
    fresh = session.plan_of(states)
    now = {item.name: item for item in fresh.environments}
    reasons = [f"{item.name}: {why}" for item in plan.environments
               for why in unapproved(item, now[item.name])]
    if reasons:
        raise PlanRefused("the saved plan is not what the repository renders now (edited by "
                          "hand, or from another repository or commit); nothing applied: "
                          + "; ".join(reasons) + ". Plan again.")
    return fresh


def fresh_plan(session: Run) -> Plan:
    """The plan of now; read once more after a moment when a name matches several dashboards
    (another apply may be resolving the creates it doubled with ours: SPEC §4)."""
    plan = session.plan()
    if any(env.ambiguous for env in plan.environments):
        console.note(f"names matching several live dashboards; reading again in "
                     f"{SETTLE_S:g} s in case a concurrent apply is resolving them")
        time.sleep(SETTLE_S)
        plan = session.plan()
    return plan


def named_environments(session: Run, options: ApplyOptions) -> None:
    """Refuse an apply that names no environment of a repository with several (SPEC §8):
    one `apply` must never write to production because nobody said otherwise."""
    if options.plan_file is not None or options.envs:
        return
    names = list(session.repo.environments)
    if len(names) > 1:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise ConfigError(f"this repository has {len(names)} environments ({shown}): name the "
                          f"ones to apply, e.g. --env {names[0]}, or --env all for every one")


def confirmed(plan: Plan) -> bool:
    """The terminal's yes to writing to the environments (and projects) that have changes."""
    targets = ", ".join(f"{env.name} (project {env.project})" for env in plan.environments
                        if env.changes or env.leftovers)
    return click.confirm(safe_line(f"Apply these changes to {targets}?"), default=False,
                         err=True)


def run(options: ApplyOptions) -> int:
    if not options.auto_approve and not sys.stdin.isatty():
        raise ConfigError("refusing to apply without --auto-approve: stdin is not a terminal")
    with console.Progress() as progress:
        session = open_run(options, progress.update, console.note)
        named_environments(session, options)
        if options.overwrite_outside_edits:
            session.policy = Policy.OVERWRITE
        if options.plan_file is not None:
            plan = load_saved(session, options.plan_file)
        else:
            plan = fresh_plan(session)
    refusals = [f"{e.name}: {e.refusal}" for e in plan.environments if e.refusal]
    if refusals:
        raise PlanRefused("apply refused, nothing written: " + "; ".join(refusals))
    shown = render_plan_text(plan, color=options.color)
    if options.fmt == "json":  # stdout holds the JSON alone: the plan goes to stderr
        console.note(shown.rstrip("\n"))
    else:
        console.out(shown, nl=False)
    if not any(e.changes or e.leftovers for e in plan.environments):
        recorded = sum(len(e.refresh) for e in plan.environments)
        results = session.apply(plan, allow_delete=False) if recorded else [
            ApplyResult(env.name) for env in plan.environments]
        finish(options, plan, results, "Nothing to apply.")
        if recorded:  # already as git says: recorded with no API write (SPEC §7)
            console.note(f"recorded {recorded} dashboard(s) that already matched git")
        return 1 if plan.exit_code == 1 else 0
    if not options.auto_approve and not confirmed(plan):
        console.note("Apply cancelled.")
        return 1
    folder = options.backup_dir
    with console.Progress() as progress:
        session.progress = progress.update
        results = session.apply(
            plan, allow_delete=options.allow_delete,
            backup=lambda env: backup_writer(folder, env) if folder else None)
    finish(options, plan, results)
    failed = any(result.failure or result.failed for result in results)
    return 1 if failed or plan.exit_code == 1 else 0


def finish(options: ApplyOptions, plan: Plan, results: list[ApplyResult],
           nothing: str | None = None) -> None:
    """What apply did: one line per dashboard, or the JSON of it."""
    if options.fmt == "json":
        console.out(render_apply_json(plan.environments, results), nl=False)
    elif nothing is not None:
        console.out(nothing)
    else:
        console.out(render_apply_text(results), nl=False)
