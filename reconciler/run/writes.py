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
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
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
from reconciler.engine.creates import resolve_created
from reconciler.engine.normalize import live_form
from reconciler.engine.pending import pending_name, run_token
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


async def make(client: DashboardsAPI, change: Change, pending: str) -> Done:
    """Create a dashboard under its pending name, write its tiles, then give it its name.

    A lost answer to the Create is looked up by the pending name, which only this run
    uses (the client's adoption after an ambiguous Create). If a later step fails, the
    dashboard is deleted again (or left to a later apply, as a leftover, if even that
    fails): never an empty or half-made dashboard under the real name.
    """
    assert change.after is not None
    made = str((await client.create_dashboard(pending))["id"])
    try:
        tiles = list(change.after["tiles"])
        if tiles:
            await client.upsert_tiles(made, tiles)
        answer = await client.update_dashboard(made, change.dashboard)
    except DashctlError:
        with contextlib.suppress(DashctlError):
            await delete(client, made)
        raise
    return _done(answer, made)


async def settle_create(client: DashboardsAPI, change: Change, made: Done,
                        summaries: list[WireSummary], token: str) -> Done:
    """After every create of the run, given a fresh List: keep ours, or, when another apply
    made the same name first, delete ours and write our tiles to the one kept (merged with
    what is on it that dashctl does not model); delete this run's own debris either way."""
    assert change.after is not None and made.id is not None
    resolution = resolve_created(change.dashboard, made.id, summaries, token=token,
                                 now=datetime.now(UTC))
    for extra in resolution.debris:
        await delete(client, extra)
    if not resolution.lost:
        return made
    assert resolution.delete is not None
    await delete(client, resolution.delete)
    kept = await client.get_dashboard(resolution.keep)
    try:
        merged = tiles_for_kept(list(change.after["tiles"]), live_form(kept))
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
    explain: Callable[[Change, DashctlError], str] = lambda _, error: str(error),
) -> ApplyResult:
    """Carry out one environment's plan; never raises for a single dashboard's failure
    (``explain`` words it: where, doing what, what to check)."""
    result = ApplyResult(env.name)
    gate = asyncio.Semaphore(parallelism)

    async def attempt(change: Change, step: Step, *, last: bool = True) -> ChangeOutcome:
        async with gate:
            try:
                done = await step()
            except DashctlError as error:
                progress(f"{env.name}: {change.action.value} {change.dashboard!r} failed: {error}")
                return ChangeOutcome(change, explain(change, error))
        if last:
            progress(f"{env.name}: {change.action.value}d {change.dashboard!r}")
        return ChangeOutcome(change, note=done.note, id=done.id, updated_at=done.updated_at)

    async def write(planned: Change) -> Done:
        change, live = await reread(client, planned, env, backup)
        if change is None:  # gone already (a delete), or live came to say what git says
            return _done(live, planned.id, "nothing left to write: live moved to it")
        return _done(await execute(client, change) or live, planned.id)

    token = run_token(datetime.now(UTC), secrets.token_hex(4))
    creates = by_action(env, Action.CREATE)
    async with asyncio.TaskGroup() as group:  # updates go on while creates are resolved
        updated = [group.create_task(attempt(change, partial(write, change)))
                   for change in by_action(env, Action.UPDATE)]
        made = await asyncio.gather(*(
            attempt(change, partial(make, client, change, pending_name(change.dashboard,
                                                                        token, index)),
                    last=False)
            for index, change in enumerate(creates)))
        result.outcomes += [outcome for outcome in made if outcome.error]
        done = [outcome for outcome in made if not outcome.error]
        if done:
            result.outcomes += await settle_creates(client, done, token, attempt)
    result.outcomes += [task.result() for task in updated]
    reason = skipped_delete_reason(env, allow_delete=allow_delete)
    if reason is None:
        result.outcomes += await asyncio.gather(*(
            attempt(change, partial(write, change)) for change in env.deletes))
    else:
        result.skip_reason = reason
        result.skipped_deletes = [change.dashboard for change in env.deletes]
    for leftover in env.leftovers:  # debris of earlier applies: dashctl's own, never a person's
        with contextlib.suppress(DashctlError):
            await delete(client, leftover.id)
            result.leftovers.append(leftover.name)
    return result


async def settle_creates(
    client: DashboardsAPI, made: list[ChangeOutcome], token: str,
    attempt: Callable[[Change, Step], Awaitable[ChangeOutcome]],
) -> list[ChangeOutcome]:
    """List once more, then settle every dashboard this run created (`settle_create`)."""
    try:
        summaries = await client.list_dashboards()
    except DashctlError as error:
        unchecked = str(error)

        async def unsettled() -> Done:
            raise DashctlError(f"created, but the List that checks for a concurrent create of "
                               f"the same name failed: {unchecked}")

        return list(await asyncio.gather(*(attempt(outcome.change, unsettled)
                                           for outcome in made)))

    def settle(outcome: ChangeOutcome) -> Step:
        done = Done(outcome.id, outcome.updated_at)
        return partial(settle_create, client, outcome.change, done, summaries, token)

    return list(await asyncio.gather(*(attempt(outcome.change, settle(outcome))
                                       for outcome in made)))
