"""The plan / apply / drift / restore commands: I/O wiring around the pure engine.

Each `run_*` function is what one CLI command calls; it returns the exit code.
Results go to stdout, progress to stderr.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.api import DashboardsClient, client_for
from reconciler.engine.apply import BACKUP_KIND, ApplyResult, apply_environment, moved_since
from reconciler.engine.drift import DriftReport, EnvironmentDrift, build_environment_drift
from reconciler.engine.normalize import canonical_dashboard
from reconciler.engine.plan import EnvironmentPlan, Plan, PlanError, build_environment_plan
from reconciler.engine.saved import plan_from_json
from reconciler.errors import ConfigError, DashctlError, NotFound
from reconciler.live import read_live
from reconciler.repo.loader import load_manifests, load_repo, select_environments
from reconciler.repo.models import Environment, Repo
from reconciler.report.drift_render import (
    environment_drift_json,
    environment_drift_markdown,
    render_drift_json,
    render_drift_markdown,
    render_drift_text,
)
from reconciler.report.plan_json import plan_json, render_plan_json
from reconciler.report.plan_markdown import environment_markdown, render_plan_markdown
from reconciler.report.plan_text import render_plan_text

T = TypeVar("T")


def progress(message: str) -> None:
    click.echo(message, err=True)


async def with_client(
    repo: Repo, environment: Environment, work: Callable[[DashboardsClient], Awaitable[T]]
) -> T:
    async with client_for(repo, environment) as client:
        return await work(client)


async def plan_environment(repo: Repo, environment: Environment) -> EnvironmentPlan:
    """Plan one environment; a failure to read it becomes an error of its own plan.

    (Parsing the manifests in a thread while fetching was measured slower: both
    are CPU-bound under one GIL.)
    """
    manifests, problems = load_manifests(repo, environment)
    try:
        live = await with_client(repo, environment, lambda c: read_live(c, environment.ignore))
    except DashctlError as error:
        return EnvironmentPlan(environment.name, environment.project_id,
                               errors=[PlanError(None, str(error))])
    return build_environment_plan(environment, manifests, problems, live)


async def plan_all(repo: Repo, environments: list[Environment]) -> Plan:
    """Plan the environments concurrently; one failure does not hide the others."""
    return Plan(list(await asyncio.gather(*(plan_environment(repo, e) for e in environments))))


def make_plan(root: Path, env: str) -> Plan:
    repo = load_repo(root)
    return asyncio.run(plan_all(repo, select_environments(repo, env)))


def run_plan(root: Path, *, env: str, fmt: str, out: Path | None, color: bool) -> int:
    plan = make_plan(root, env)
    if fmt == "json":
        click.echo(render_plan_json(plan), nl=False)
    elif fmt == "markdown":
        click.echo(render_plan_markdown(plan), nl=False)
    else:
        click.echo(render_plan_text(plan, color=color), nl=False)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(plan_json(plan, saved=True), indent=2) + "\n", "utf-8")
        progress(f"plan saved to {out}")
    return plan.exit_code


def plan_markdown_by_environment(root: Path, env: str) -> tuple[dict[str, str], int]:
    """{environment: markdown section with its marker}, and the plan's exit code."""
    plan = make_plan(root, env)
    return {e.name: environment_markdown(e) for e in plan.environments}, plan.exit_code


def load_saved_plan(path: Path, repo: Repo, env: str) -> Plan:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: cannot read saved plan ({error})") from None
    plan = plan_from_json(data, source=str(path))
    wanted = {e.name for e in select_environments(repo, env)}
    for item in plan.environments:
        known = repo.environments.get(item.name)
        if known is None:
            raise ConfigError(f"{path}: environment {item.name!r} is not in environments.yaml")
        if known.project_id != item.project:
            raise ConfigError(f"{path}: environment {item.name!r} now points at another project")
    return Plan([item for item in plan.environments if item.name in wanted])


def confirm(plan: Plan, *, auto_approve: bool, color: bool) -> bool:
    """Show the plan and ask on a terminal; never ask on a non-interactive stdin."""
    click.echo(render_plan_text(plan, color=color), nl=False)
    if auto_approve:
        return True
    return click.confirm("Apply these changes?", default=False, err=True)


def report_apply(results: list[ApplyResult]) -> int:
    failed = False
    for result in results:
        done = len(result.outcomes) - len(result.failed)
        click.echo(f"{result.environment}: {done} change(s) applied, {len(result.failed)} failed")
        for outcome in result.failed:
            failed = True
            click.echo(f"  ! {outcome.change.action.value} {outcome.change.dashboard!r}: "
                       f"{outcome.error}")
        if result.skipped_deletes:
            names = ", ".join(repr(name) for name in result.skipped_deletes)
            click.echo(f"  skipped {len(result.skipped_deletes)} delete(s) "
                       f"({result.skip_reason}): {names}")
    return 1 if failed else 0


def run_apply(
    root: Path,
    *,
    env: str,
    plan_file: Path | None,
    auto_approve: bool,
    allow_delete: bool,
    backup_dir: Path | None,
    parallelism: int,
    color: bool,
) -> int:
    if not auto_approve and not sys.stdin.isatty():
        raise ConfigError("refusing to apply without --auto-approve: stdin is not a terminal")
    repo = load_repo(root)
    if plan_file is not None:
        plan = load_saved_plan(plan_file, repo, env)
        moved = asyncio.run(_moved(repo, plan))
        if moved:
            raise DashctlError("live state moved since the plan was made; nothing applied. "
                               f"Moved: {', '.join(sorted(set(moved)))}. Plan again.")
    else:
        plan = asyncio.run(plan_all(repo, select_environments(repo, env)))
    refusals = [f"{e.name}: {e.refusal}" for e in plan.environments if e.refusal]
    if refusals:
        raise DashctlError("apply refused, nothing written: " + "; ".join(refusals))
    if not any(e.changes for e in plan.environments):
        click.echo(render_plan_text(plan, color=color), nl=False)
        click.echo("Nothing to apply.")
        return 1 if plan.exit_code == 1 else 0
    if not confirm(plan, auto_approve=auto_approve, color=color):
        click.echo("Apply cancelled.", err=True)
        return 1
    results = asyncio.run(_apply(repo, plan, allow_delete, backup_dir, parallelism))
    code = report_apply(results)
    return 1 if code or plan.exit_code == 1 else 0


async def _moved(repo: Repo, plan: Plan) -> list[str]:
    async def one(item: EnvironmentPlan) -> list[str]:
        environment = repo.environments[item.name]
        return await with_client(repo, environment, lambda c: moved_since(c, item))

    return [name for names in await asyncio.gather(*map(one, plan.environments)) for name in names]


async def _apply(
    repo: Repo, plan: Plan, allow_delete: bool, backup_dir: Path | None, parallelism: int
) -> list[ApplyResult]:
    show = progress if sys.stderr.isatty() else (lambda _: None)

    async def one(item: EnvironmentPlan) -> ApplyResult:
        environment = repo.environments[item.name]
        if not item.changes:
            return ApplyResult(item.name)
        return await with_client(repo, environment, lambda c: apply_environment(
            c, item, allow_delete=allow_delete, parallelism=parallelism,
            backup_dir=backup_dir, progress=show))

    return list(await asyncio.gather(*map(one, plan.environments)))


async def drift_environment(repo: Repo, environment: Environment) -> EnvironmentDrift:
    manifests, problems = load_manifests(repo, environment)
    try:
        live = await with_client(repo, environment, lambda c: read_live(c, environment.ignore))
    except DashctlError as error:
        return EnvironmentDrift(environment.name, environment.project_id, errors=[str(error)])
    return build_environment_drift(environment, manifests, problems, live)


async def _drift_all(repo: Repo, environments: list[Environment]) -> DriftReport:
    return DriftReport(list(await asyncio.gather(*(drift_environment(repo, e)
                                                   for e in environments))))


def run_drift(root: Path, *, env: str, fmt: str, report_dir: Path | None, color: bool) -> int:
    repo = load_repo(root)
    report = asyncio.run(_drift_all(repo, select_environments(repo, env)))
    if fmt == "json":
        click.echo(render_drift_json(report), nl=False)
    elif fmt == "markdown":
        click.echo(render_drift_markdown(report), nl=False)
    else:
        click.echo(render_drift_text(report, color=color), nl=False)
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        for item in report.environments:
            single = {"formatVersion": 1, "environments": [environment_drift_json(item)]}
            (report_dir / f"drift-{item.name}.json").write_text(
                json.dumps(single, indent=2, ensure_ascii=False) + "\n", "utf-8")
            (report_dir / f"drift-{item.name}.md").write_text(
                environment_drift_markdown(item), "utf-8")
        progress(f"drift reports written to {report_dir}")
    return report.exit_code


def read_backup(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: cannot read backup ({error})") from None
    if not isinstance(data, dict) or data.get("kind") != BACKUP_KIND:
        raise ConfigError(f"{path}: not a dashctl backup")
    return data


async def restore_one(client: DashboardsClient, backup: dict[str, Any]) -> str:
    """Put one dashboard back: same id if it still exists, else a new one by name."""
    wanted = canonical_dashboard(backup["dashboard"])
    dashboard_id = str(backup["dashboard"].get("id", ""))
    try:
        live = await client.get_dashboard(dashboard_id)
    except NotFound:
        created = await client.create_dashboard(wanted["name"])
        await client.upsert_tiles(str(created["id"]), wanted["tiles"])
        return f"recreated {wanted['name']!r} as {created['id']}"
    if canonical_dashboard(live) == wanted:
        return f"{wanted['name']!r} already matches the backup"
    if live.get("name") != wanted["name"]:
        await client.update_dashboard(dashboard_id, wanted["name"])
    await client.upsert_tiles(dashboard_id, wanted["tiles"])
    return f"restored {wanted['name']!r} ({dashboard_id})"


async def restore_in(repo: Repo, environment: Environment, backup: dict[str, Any]) -> str:
    async with client_for(repo, environment) as client:
        return await restore_one(client, backup)


def run_restore(root: Path, *, files: list[Path]) -> int:
    repo = load_repo(root)
    failed = False
    for path in files:
        try:
            backup = read_backup(path)
            environment = repo.environments.get(str(backup.get("environment")))
            if environment is None:
                raise ConfigError(f"{path}: environment {backup.get('environment')!r} is unknown")
            message = asyncio.run(restore_in(repo, environment, backup))
            click.echo(f"{path}: {message}")
        except DashctlError as error:
            failed = True
            click.echo(f"error: {error}", err=True)
    return 1 if failed else 0
