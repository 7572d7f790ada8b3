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
from reconciler.engine.approval import unapproved
from reconciler.engine.changes import Change, EnvironmentPlan, Plan
from reconciler.engine.plan import saved_plan_refusals
from reconciler.engine.ports import WireDashboard
from reconciler.engine.threeway import Policy
from reconciler.errors import ConfigError, PlanRefused
from reconciler.report.plan_text import render_plan_text
from reconciler.run import Run

SETTLE_S = 2.0  # how long apply waits before reading a doubled name again


@dataclass(frozen=True, kw_only=True)
class ApplyOptions(Selected):
    plan_file: Path | None = None
    auto_approve: bool = False
    allow_delete: bool = False
    overwrite_outside_edits: bool = False
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
    moved = session.moved(plan)
    if moved:
        raise PlanRefused("live state moved since the plan was made; nothing applied. "
                          f"Moved: {', '.join(sorted(set(moved)))}. Plan again.")
    session.environments = [e for e in session.environments
                            if e.name in {item.name for item in plan.environments}]
    fresh = session.plan()  # a saved plan is an approval: what is applied is planned anew
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


def report(results: list[ApplyResult]) -> int:
    failed = False
    for result in results:
        if result.failure:
            failed = True
            console.line(f"{result.environment}: not applied: {result.failure}")
            continue
        done = len(result.outcomes) - len(result.failed)
        console.line(f"{result.environment}: {done} change(s) applied, "
                     f"{len(result.failed)} failed")
        for outcome in result.failed:
            failed = True
            console.line(f"  ! {outcome.change.action.value} "
                         f"{outcome.change.dashboard!r}: {outcome.error}")
        for outcome in result.outcomes:
            if outcome.note:
                console.line(f"  = {outcome.change.dashboard!r}: {outcome.note}")
        if result.leftovers:
            names = ", ".join(repr(name) for name in result.leftovers)
            console.line(f"  removed {len(result.leftovers)} dashboard(s) earlier applies made "
                         f"and lost track of: {names}")
        if result.skipped_deletes:
            names = ", ".join(repr(name) for name in result.skipped_deletes)
            console.line(f"  skipped {len(result.skipped_deletes)} delete(s) "
                         f"({result.skip_reason}): {names}")
    return 1 if failed else 0


def run(options: ApplyOptions) -> int:
    if not options.auto_approve and not sys.stdin.isatty():
        raise ConfigError("refusing to apply without --auto-approve: stdin is not a terminal")
    with console.Progress() as progress:
        session = open_run(options, progress.update, console.note)
        if options.overwrite_outside_edits:
            session.policy = Policy.OVERWRITE
        if options.plan_file is not None:
            plan = load_saved(session, options.plan_file)
        else:
            plan = fresh_plan(session)
    refusals = [f"{e.name}: {e.refusal}" for e in plan.environments if e.refusal]
    if refusals:
        raise PlanRefused("apply refused, nothing written: " + "; ".join(refusals))
    console.out(render_plan_text(plan, color=options.color), nl=False)
    if not any(e.changes for e in plan.environments):
        console.out("Nothing to apply.")
        recorded = sum(len(e.refresh) for e in plan.environments)
        if recorded:  # already as git says: recorded with no API write (SPEC §7)
            session.apply(plan, allow_delete=False)
            console.note(f"recorded {recorded} dashboard(s) that already matched git")
        return 1 if plan.exit_code == 1 else 0
    if not options.auto_approve and not click.confirm("Apply these changes?", default=False,
                                                      err=True):
        console.note("Apply cancelled.")
        return 1
    folder = options.backup_dir
    with console.Progress() as progress:
        session.progress = progress.update
        results = session.apply(
            plan, allow_delete=options.allow_delete,
            backup=lambda env: backup_writer(folder, env) if folder else None)
    code = report(results)
    return 1 if code or plan.exit_code == 1 else 0
