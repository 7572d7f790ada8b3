"""Carrying out a plan through the Dashboards API: the writes of `engine.apply`'s decisions.

Creates and updates run in parallel (bounded by ``parallelism``), deletes
last. Each dashboard an update or a delete touches is read again right before
it is written (SPEC §7): if it moved since the plan, the change is merged again
with live as it is now (`engine.apply.rework`), so an edit made in the UI while
someone read the plan is kept, or is a conflict for that dashboard, never lost.
With a ``backup`` hook, the live JSON read is handed to it BEFORE the dashboard
is touched. Each dashboard's failure is recorded and the others carry on. A
Delete answered ``not_found`` is done (another writer deleted it first).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from reconciler.engine.apply import (
    ApplyResult,
    ChangeOutcome,
    Conflicted,
    by_action,
    moved,
    rework,
    skipped_delete_reason,
    tiles_for_kept,
)
from reconciler.engine.changes import Action, Change, EnvironmentPlan
from reconciler.engine.creates import Resolution, resolve_created
from reconciler.engine.normalize import live_form
from reconciler.engine.ports import DashboardsAPI, WireDashboard, WireSummary
from reconciler.errors import DashctlError, NotFound

Progress = Callable[[str], None]
# called with a change and the live dashboard as it is just before the change touches it
BackupHook = Callable[[Change, WireDashboard], None]


@dataclass(frozen=True)
class Done:
    """What one change's writes left live: the dashboard's id and ``updatedAt``, a note."""

    id: str | None = None
    updated_at: str | None = None
    note: str | None = None


Step = Callable[[], Awaitable[Done]]  # the writes of one change


def _done(answer: WireDashboard | None, dashboard_id: str | None, note: str | None = None
          ) -> Done:
    updated = answer.get("updatedAt") if answer is not None else None
    return Done(dashboard_id, str(updated) if updated else None, note)


async def delete(client: DashboardsAPI, dashboard_id: str) -> None:
    """Delete a dashboard; one already gone (``not_found``) counts as deleted."""
    with contextlib.suppress(NotFound):
        await client.delete_dashboard(dashboard_id)


async def execute(client: DashboardsAPI, change: Change) -> WireDashboard | None:
    """The write calls of one update or delete, and no others; the last answer."""
    assert change.action is not Action.CREATE and change.id is not None
    if change.action is Action.DELETE:
        await delete(client, change.id)
        return None
    answer = None
    if change.rename:
        assert change.after is not None
        answer = await client.update_dashboard(change.id, str(change.after["name"]))
    if change.tiles:
        assert change.after is not None
        answer = await client.upsert_tiles(change.id, list(change.after["tiles"]))
    return answer


async def reread(client: DashboardsAPI, change: Change, env: EnvironmentPlan,
                 backup: BackupHook | None) -> tuple[Change | None, WireDashboard | None]:
    """The change to write after reading its dashboard again (None: nothing left to write),
    and the dashboard as read (None: it is gone)."""
    assert change.id is not None
    try:
        live = await client.get_dashboard(change.id)
    except NotFound:
        if change.action is Action.DELETE:
            return None, None
        raise DashctlError("deleted outside since the plan; not created again "
                           "(plan again)") from None
    if moved(change, live):
        try:
            change = rework(change, live, env.policy)  # type: ignore[assignment]
        except Conflicted as error:
            raise DashctlError(f"changed live since the plan: {error}") from None
    if change is not None and backup is not None:
        backup(change, live)
    return change, live


async def finish_create(client: DashboardsAPI, change: Change, created_id: str,
                        summaries: list[WireSummary] | None) -> Done:
    """Resolve a doubled name, then write the tiles of a create; a note when it lost."""
    assert change.after is not None
    tiles = list(change.after["tiles"])
    if summaries is None:
        resolution = Resolution(created_id)
    else:
        resolution = resolve_created(change.dashboard, created_id, summaries)
    if not resolution.lost:
        answer = await client.upsert_tiles(created_id, tiles) if tiles else None
        return _done(answer, created_id)
    assert resolution.delete is not None
    await delete(client, resolution.delete)
    kept = await client.get_dashboard(resolution.keep)
    try:
        merged = tiles_for_kept(tiles, live_form(kept))
    except ValueError as error:
        raise DashctlError(f"{change.dashboard!r} ({resolution.keep}): {error}") from None
    answer = await client.upsert_tiles(resolution.keep, merged) if merged is not None else kept
    return _done(answer, resolution.keep,
                 f"created at the same time by another writer: kept {resolution.keep} "
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
                done = await step()
            except DashctlError as error:
                progress(f"{env.name}: {change.action.value} {change.dashboard!r} failed: {error}")
                return ChangeOutcome(change, str(error))
        if last:
            progress(f"{env.name}: {change.action.value}d {change.dashboard!r}")
        return ChangeOutcome(change, note=done.note, id=done.id, updated_at=done.updated_at)

    async def write(planned: Change) -> Done:
        change, live = await reread(client, planned, env, backup)
        if change is None:  # gone already (a delete), or live came to say what git says
            return _done(live, planned.id, "nothing left to write: live moved to it")
        return _done(await execute(client, change) or live, planned.id)

    created: dict[str, str] = {}  # name -> id of the dashboard this run created

    async def create(change: Change) -> Done:
        created[change.dashboard] = str((await client.create_dashboard(change.dashboard))["id"])
        return Done(created[change.dashboard])

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

    async def finish(change: Change) -> Done:
        done = await finish_create(client, change, created[change.dashboard], summaries)
        if unchecked is not None:
            raise DashctlError(f"created, but the List that checks for a concurrent create of "
                               f"the same name failed: {unchecked}")
        return done

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
