"""Apply a Plan through the client: the one engine module that does I/O.

Creates and updates run in parallel (bounded by ``parallelism``), renames go
through Update, deletes run last. Each dashboard's failure is recorded and the
others carry on. With a ``backup`` hook, it is handed the live JSON of every
dashboard BEFORE the dashboard is touched. A no-op plan makes zero write calls.

No duplicates without locks (SPEC §4): creates go first, bare; then the
environment is listed once more, and each name this run created that now has
several dashboards keeps the earliest (`creates.resolve_created`): this run's
own dashboard, if it lost, is deleted, and the tiles are written to the one
kept, merged with whatever is on it that dashctl does not model. A Delete
answered ``not_found`` is done (another writer deleted it first).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from reconciler.engine.creates import Resolution, resolve_created
from reconciler.engine.diff import diff_tiles
from reconciler.engine.merge import merge_tiles
from reconciler.engine.normalize import canonical_tiles, fingerprint, live_form
from reconciler.engine.plan import Action, Change, EnvironmentPlan
from reconciler.engine.ports import DashboardsAPI, WireDashboard, WireObject, WireSummary
from reconciler.errors import DashctlError, NotFound

Progress = Callable[[str], None]
Attempt = Callable[..., Awaitable["ChangeOutcome"]]  # runs one step of a change, recording it
# called with a change and the live dashboard as it is just before the change touches it
Backup = Callable[[Change, WireDashboard], None]


@dataclass(frozen=True)
class ChangeOutcome:
    change: Change
    error: str | None = None
    note: str | None = None  # e.g. which dashboard a doubled create kept


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


async def delete(client: DashboardsAPI, dashboard_id: str) -> None:
    """Delete a dashboard; one already gone (``not_found``) counts as deleted."""
    with contextlib.suppress(NotFound):
        await client.delete_dashboard(dashboard_id)


async def execute(client: DashboardsAPI, change: Change) -> None:
    """The write calls of one update or delete, and no others."""
    assert change.action is not Action.CREATE and change.id is not None
    if change.action is Action.DELETE:
        await delete(client, change.id)
        return
    if change.rename:
        await client.update_dashboard(change.id, change.dashboard)
    if change.tiles:
        assert change.after is not None
        await client.upsert_tiles(change.id, list(change.after["tiles"]))


async def finish_create(client: DashboardsAPI, change: Change, created_id: str,
                        summaries: list[WireSummary] | None) -> str | None:
    """Resolve a doubled name, then write the tiles of a create; a note when it lost."""
    assert change.after is not None
    tiles: list[WireObject] = list(change.after["tiles"])
    if summaries is None:
        resolution = Resolution(created_id)
    else:
        resolution = resolve_created(change.dashboard, created_id, summaries)
    if not resolution.lost:
        if tiles:
            await client.upsert_tiles(created_id, tiles)
        return None
    assert resolution.delete is not None
    await delete(client, resolution.delete)
    kept = live_form(await client.get_dashboard(resolution.keep))
    merged = merge_tiles(tiles, kept)
    if merged.problems:
        raise DashctlError(f"{change.dashboard!r} ({resolution.keep}): "
                           + "; ".join(merged.problems))
    if diff_tiles(canonical_tiles(tiles), canonical_tiles(kept["tiles"])):
        await client.upsert_tiles(resolution.keep, merged.tiles)
    return (f"created at the same time by another writer: kept {resolution.keep} "
            f"(created first), deleted this run's {resolution.delete}")


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

    async def attempt(change: Change, work: Callable[[], Awaitable[str | None]], *,
                      last: bool = True) -> ChangeOutcome:
        async with gate:
            try:
                note = await work()
            except DashctlError as error:
                progress(f"{env.name}: {change.action.value} {change.dashboard!r} failed: {error}")
                return ChangeOutcome(change, str(error))
        if last:
            progress(f"{env.name}: {change.action.value}d {change.dashboard!r}")
        return ChangeOutcome(change, note=note)

    async def write(change: Change) -> str | None:
        if backup is not None and change.id is not None:
            backup(change, await client.get_dashboard(change.id))
        await execute(client, change)
        return None

    created: dict[str, str] = {}  # name -> id of the dashboard this run created

    async def create(change: Change) -> str | None:
        created[change.dashboard] = str((await client.create_dashboard(change.dashboard))["id"])
        return None

    creates = [change for change in env.changes if change.action is Action.CREATE]
    updates = [change for change in env.changes if change.action is Action.UPDATE]
    async with asyncio.TaskGroup() as group:  # updates go on while creates are resolved
        updated = [group.create_task(attempt(change, partial(write, change)))
                   for change in updates]
        bare = await asyncio.gather(
            *(attempt(change, partial(create, change), last=False) for change in creates))
        result.outcomes += [outcome for outcome in bare if outcome.error]
        if created:
            result.outcomes += await finish_creates(client, creates, created, attempt)
    result.outcomes += [task.result() for task in updated]
    deletes = env.deletes
    if deletes and not (allow_delete and env.prune):
        result.skip_reason = "prune is off" if not env.prune else "no --allow-delete"
    elif deletes and env.problems:
        result.skip_reason = "manifests have problems"
    elif deletes:
        result.outcomes += await asyncio.gather(*(
            attempt(change, partial(write, change)) for change in deletes))
        deletes = []
    result.skipped_deletes = [change.dashboard for change in deletes]
    return result


async def finish_creates(client: DashboardsAPI, creates: list[Change], created: dict[str, str],
                         attempt: Attempt) -> list[ChangeOutcome]:
    """List once more, then resolve and write every dashboard this run created."""
    summaries: list[WireSummary] | None
    try:
        summaries = await client.list_dashboards()
        unchecked = None
    except DashctlError as error:
        summaries, unchecked = None, str(error)

    async def finish(change: Change) -> str | None:
        note = await finish_create(client, change, created[change.dashboard], summaries)
        if unchecked is not None:
            raise DashctlError(f"created, but the List that checks for a concurrent create of "
                               f"the same name failed: {unchecked}")
        return note

    return list(await asyncio.gather(*(
        attempt(change, partial(finish, change))
        for change in creates if change.dashboard in created)))


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
