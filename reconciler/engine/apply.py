"""Apply a Plan through the client: the one engine module that does I/O.

Creates and tile upserts run in parallel (bounded by ``parallelism``), renames
go through Update, deletes run last. Each dashboard's failure is recorded and
the others carry on. With a backup folder, the live JSON of every dashboard
is written BEFORE it is touched. A no-op plan makes zero write calls.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.api import DashboardsClient
from reconciler.engine.normalize import fingerprint
from reconciler.engine.plan import Action, Change, EnvironmentPlan
from reconciler.errors import DashctlError, NotFound

BACKUP_KIND = "dashctl.backup"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    change: Change
    error: str | None = None


@dataclass
class ApplyResult:
    environment: str
    outcomes: list[Outcome] = field(default_factory=list)
    skipped_deletes: list[str] = field(default_factory=list)
    skip_reason: str = ""

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.error]


def backup_document(env: EnvironmentPlan, change: Change, live: dict[str, Any]) -> dict[str, Any]:
    return {
        "formatVersion": 1,
        "kind": BACKUP_KIND,
        "environment": env.name,
        "project": env.project,
        "action": change.action.value,
        "takenAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "dashboard": live,
    }


def backup_path(folder: Path, env_name: str, dashboard_id: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", dashboard_id)
    return folder / f"{env_name}-{safe}-{stamp}.json"


async def write_backup(
    client: DashboardsClient, env: EnvironmentPlan, change: Change, folder: Path
) -> None:
    """Save the live dashboard as it is now, before the change touches it."""
    assert change.id is not None
    live = await client.get_dashboard(change.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = backup_path(folder, env.name, change.id)
    path.write_text(json.dumps(backup_document(env, change, live), indent=2) + "\n", "utf-8")


async def execute(client: DashboardsClient, change: Change) -> None:
    """The write calls of one change, and no others."""
    if change.action is Action.CREATE:
        assert change.after is not None
        created = await client.create_dashboard(change.dashboard)
        if change.after["tiles"]:
            await client.upsert_tiles(str(created["id"]), list(change.after["tiles"]))
        return
    assert change.id is not None
    if change.action is Action.DELETE:
        await client.delete_dashboard(change.id)
        return
    if change.rename:
        await client.update_dashboard(change.id, change.dashboard)
    if change.tiles:
        assert change.after is not None
        await client.upsert_tiles(change.id, list(change.after["tiles"]))


async def apply_environment(
    client: DashboardsClient,
    env: EnvironmentPlan,
    *,
    allow_delete: bool,
    parallelism: int = 8,
    backup_dir: Path | None = None,
    progress: Progress = lambda _: None,
) -> ApplyResult:
    """Carry out one environment's plan; never raises for a single dashboard's failure."""
    result = ApplyResult(env.name)
    gate = asyncio.Semaphore(parallelism)

    async def run(change: Change) -> Outcome:
        async with gate:
            try:
                if backup_dir is not None and change.id is not None:
                    await write_backup(client, env, change, backup_dir)
                await execute(client, change)
            except DashctlError as error:
                progress(f"{env.name}: {change.action.value} {change.dashboard!r} failed: {error}")
                return Outcome(change, str(error))
            progress(f"{env.name}: {change.action.value}d {change.dashboard!r}")
            return Outcome(change)

    writes = [change for change in env.changes if change.action is not Action.DELETE]
    result.outcomes += await asyncio.gather(*(run(change) for change in writes))
    deletes = env.deletes
    if deletes and not (allow_delete and env.prune):
        result.skip_reason = "prune is off" if not env.prune else "no --allow-delete"
    elif deletes and env.problems:
        result.skip_reason = "manifests have problems"
    elif deletes:
        result.outcomes += await asyncio.gather(*(run(change) for change in deletes))
        deletes = []
    result.skipped_deletes = [change.dashboard for change in deletes]
    return result


async def moved_since(client: DashboardsClient, env: EnvironmentPlan) -> list[str]:
    """Dashboards of a saved plan whose live state changed since it was made."""
    summaries = await client.list_dashboards()
    names = {str(item["name"]) for item in summaries}
    moved = [
        change.dashboard
        for change in env.changes
        if change.action is Action.CREATE and change.dashboard in names
    ]
    targets = [change for change in env.changes if change.id is not None]

    async def check(change: Change) -> str | None:
        assert change.id is not None
        try:
            live = await client.get_dashboard(change.id)
        except NotFound:
            return change.dashboard
        return None if fingerprint(live) == change.fingerprint else change.dashboard

    checks: list[Awaitable[str | None]] = [check(change) for change in targets]
    moved += [name for name in await asyncio.gather(*checks) if name]
    return moved
