"""Carrying out a plan through the Dashboards API: the writes of `engine.apply`'s decisions.

Creates and updates run in parallel (bounded by ``parallelism``), deletes
last. With a ``backup`` hook, the live JSON of every dashboard is handed to it
BEFORE the dashboard is touched. Each dashboard's failure is recorded and the
others carry on. A Delete answered ``not_found`` is done (another writer
deleted it first).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from functools import partial

from reconciler.engine.apply import (
    ApplyResult,
    ChangeOutcome,
    by_action,
    moved,
    skipped_delete_reason,
    tiles_for_kept,
)
from reconciler.engine.creates import Resolution, resolve_created
from reconciler.engine.normalize import live_form
from reconciler.engine.plan import Action, Change, EnvironmentPlan
from reconciler.engine.ports import DashboardsAPI, WireDashboard, WireSummary
from reconciler.errors import DashctlError, NotFound

Progress = Callable[[str], None]
# called with a change and the live dashboard as it is just before the change touches it
BackupHook = Callable[[Change, WireDashboard], None]
Step = Callable[[], Awaitable[str | None]]  # one write step of a change; a note, or None


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
    tiles = list(change.after["tiles"])
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
    try:
        merged = tiles_for_kept(tiles, kept)
    except ValueError as error:
        raise DashctlError(f"{change.dashboard!r} ({resolution.keep}): {error}") from None
    if merged is not None:
        await client.upsert_tiles(resolution.keep, merged)
    return (f"created at the same time by another writer: kept {resolution.keep} "
            f"(created first), deleted this run's {resolution.delete}")


async def apply_environment(
    client: DashboardsAPI,
    env: EnvironmentPlan,
    *,
    allow_delete: bool,
    parallelism: int = 8,
    backup: BackupHook | None = None,
    progress: Progress = lambda _: None,
) -> ApplyResult:
    """Carry out one environment's plan; never raises for a single dashboard's failure."""
    result = ApplyResult(env.name)
    gate = asyncio.Semaphore(parallelism)

    async def attempt(change: Change, step: Step, *, last: bool = True) -> ChangeOutcome:
        async with gate:
            try:
                note = await step()
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

    creates = by_action(env, Action.CREATE)
    async with asyncio.TaskGroup() as group:  # updates go on while creates are resolved
        updated = [group.create_task(attempt(change, partial(write, change)))
                   for change in by_action(env, Action.UPDATE)]
        bare = await asyncio.gather(
            *(attempt(change, partial(create, change), last=False) for change in creates))
        result.outcomes += [outcome for outcome in bare if outcome.error]
        if created:
            result.outcomes += await finish_creates(client, creates, created, attempt)
    result.outcomes += [task.result() for task in updated]
    reason = skipped_delete_reason(env, allow_delete=allow_delete)
    if reason is None:
        result.outcomes += await asyncio.gather(*(
            attempt(change, partial(write, change)) for change in env.deletes))
    else:
        result.skip_reason = reason
        result.skipped_deletes = [change.dashboard for change in env.deletes]
    return result


async def finish_creates(
    client: DashboardsAPI, creates: list[Change], created: dict[str, str],
    attempt: Callable[[Change, Step], Awaitable[ChangeOutcome]],
) -> list[ChangeOutcome]:
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
    names = {str(item["name"]) for item in await client.list_dashboards()}
    found = [change.dashboard for change in by_action(env, Action.CREATE)
             if change.dashboard in names]

    async def check(change: Change) -> str | None:
        assert change.id is not None
        try:
            live: WireDashboard | None = await client.get_dashboard(change.id)
        except NotFound:
            live = None
        return change.dashboard if moved(change, live) else None

    checks = [check(change) for change in env.changes if change.id is not None]
    return found + [name for name in await asyncio.gather(*checks) if name]
