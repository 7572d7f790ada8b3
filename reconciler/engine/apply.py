"""Apply a Plan through the client: the one engine module that does I/O.

Creates and tile upserts run in parallel (bounded by ``parallelism``), renames
go through Update, deletes run last. Each dashboard's failure is recorded and
the others carry on. With a ``backup`` hook, it is handed the live JSON of
every dashboard BEFORE the dashboard is touched. A no-op plan makes zero write calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from reconciler.engine.normalize import fingerprint
from reconciler.engine.plan import Action, Change, EnvironmentPlan
from reconciler.engine.ports import DashboardsAPI, WireDashboard
from reconciler.errors import DashctlError, NotFound

Progress = Callable[[str], None]
# called with a change and the live dashboard as it is just before the change touches it
Backup = Callable[[Change, WireDashboard], None]


@dataclass(frozen=True)
class ChangeOutcome:
    change: Change
    error: str | None = None


@dataclass
class ApplyResult:
    environment: str
    outcomes: list[ChangeOutcome] = field(default_factory=list)
    skipped_deletes: list[str] = field(default_factory=list)
    skip_reason: str = ""
    failure: str | None = None  # the environment could not be applied at all

    @property
    def failed(self) -> list[ChangeOutcome]:
        return [outcome for outcome in self.outcomes if outcome.error]


async def execute(client: DashboardsAPI, change: Change) -> None:
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
    client: DashboardsAPI,
    env: EnvironmentPlan,
    *,
    allow_delete: bool,
    parallelism: int = 8,
    backup: Backup | None = None,
    progress: Progress = lambda _: None,
) -> ApplyResult:
    """Carry out one environment's plan; never raises for a single dashboard's failure."""
    result = ApplyResult(env.name)
    gate = asyncio.Semaphore(parallelism)

    async def run(change: Change) -> ChangeOutcome:
        async with gate:
            try:
                if backup is not None and change.id is not None:
                    backup(change, await client.get_dashboard(change.id))
                await execute(client, change)
            except DashctlError as error:
                progress(f"{env.name}: {change.action.value} {change.dashboard!r} failed: {error}")
                return ChangeOutcome(change, str(error))
            progress(f"{env.name}: {change.action.value}d {change.dashboard!r}")
            return ChangeOutcome(change)

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


async def moved_since(client: DashboardsAPI, env: EnvironmentPlan) -> list[str]:
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
