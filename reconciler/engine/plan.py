"""Planning: what apply would do in one environment (the types are in `engine.changes`).

`build_environment_plan` is a purely computational function with no side
effects: it takes the manifests of one environment and the live state read
from the API, pairs them, normalizes both sides and diffs them. What other
writers own (unmodeled fields and tiles) is never a change: an update's
``after`` carries it back (see `merge`), and ``kept`` says what it carries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from reconciler.engine.changes import (
    Action,
    Change,
    EnvironmentPlan,
    ErrorKind,
    Leftover,
    PlanError,
    PlanWarning,
    Recorded,
    Rename,
)
from reconciler.engine.diff import TileChanges, diff_tiles
from reconciler.engine.live import LiveState
from reconciler.engine.merge import merge_tiles
from reconciler.engine.normalize import canonical_tiles
from reconciler.engine.outside import (
    OutsideEdit,
    cause,
    merge_managed,
    record_version,
    version,
)
from reconciler.engine.pair import LiveSummary, is_ignored, pair
from reconciler.engine.pending import is_leftover, pending
from reconciler.engine.ports import Desired
from reconciler.engine.records import Record, Records
from reconciler.engine.threeway import Policy, Resolution
from reconciler.repo.config import Environment
from reconciler.repo.manifest import Manifest
from reconciler.repo.problem import Problem


def delete_refusal(environment: Environment, deletes: int, live_count: int) -> str | None:
    """Why a plan with this many deletes must be refused whole, or None."""
    if environment.max_deletes is not None and deletes > environment.max_deletes:
        return (
            f"would delete {deletes} dashboards, more than max_deletes "
            f"({environment.max_deletes}); nothing will be applied"
        )
    if deletes and deletes >= live_count:
        return (
            f"would delete every dashboard of the environment ({deletes}); refusing — "
            "is the manifest folder empty or the environment mis-pointed?"
        )
    return None


def desired_payload(manifest: Manifest) -> Desired:
    return {"name": manifest.name, "tiles": manifest.wire_tiles}


@dataclass(frozen=True)
class Planned:
    """What planning one paired dashboard gave: a change or none, its errors, its warnings."""

    change: Change | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def live_before(live: Mapping[str, Any]) -> dict[str, Any]:
    """A live form as a change's ``before``: name, canonical tiles and unmodeled tiles."""
    tiles = [*(live.get("tiles") or []), *(live.get("unmodeledTiles") or [])]
    return {"name": str(live.get("name", "")), "tiles": tiles}


def plan_update(dashboard: str, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Planned:
    """The change that turns ``live`` (a live form) into ``desired`` ({"name", "tiles"}: wire
    tiles of the modeled fields); no change when equal. ``dashboard``: git's name."""
    live_tiles = {tile["id"]: tile for tile in live.get("tiles") or []}  # canonical already
    tiles = diff_tiles(canonical_tiles(desired["tiles"]), live_tiles)
    live_name = str(live.get("name", ""))
    rename = Rename(live_name, desired["name"]) if live_name != desired["name"] else None
    if not tiles and rename is None:
        return Planned()
    merged = merge_tiles(desired["tiles"], live)
    if tiles and merged.problems:
        return Planned(errors=merged.problems)
    after = {"name": desired["name"], "tiles": desired["tiles"] if merged.problems
             else merged.tiles}
    change = Change(
        Action.UPDATE, dashboard, str(live["id"]), rename, tiles,
        before=live_before(live), after=after, fingerprint=live.get("fingerprint"),
        kept=merged.kept if tiles else {},
    )
    return Planned(change, warnings=merged.warnings if tiles else [])


def plan_managed(manifest: Manifest, live: Mapping[str, Any], record: Record | None,
                 policy: Policy, updated_at: str | None) -> tuple[Planned, OutsideEdit | None]:
    """The change of a manifest paired with its live dashboard (a live form), merged with
    the outside edits since ``record`` (SPEC §7), and the outside edit to report."""
    git = desired_payload(manifest)
    merged = merge_managed(record, manifest.name, git["tiles"], live, policy, updated_at)
    if merged.tiles is None:  # a conflict: nothing is written to the dashboard
        return Planned(errors=[conflict_message(merged.edit)]), merged.edit
    planned = plan_update(manifest.name, {"name": merged.name, "tiles": merged.tiles}, live)
    if planned.change is None:
        return planned, merged.edit
    base = {"name": record.name, "tiles": list(record.tiles)} if record is not None else None
    change = replace(planned.change, git=git, base=base,
                     cause=cause(record, manifest.name, git["tiles"], live))
    return replace(planned, change=change), merged.edit


def conflict_message(edit: OutsideEdit | None) -> str:
    """The error of a dashboard in conflict: what git and the outside edit both changed."""
    where = ", ".join(f"{c.tile}: {c.field}" if c.tile else c.field
                      for c in (edit.conflicts if edit else []))
    return (f"conflict: changed both in git and outside git since the last apply ({where}); "
            "nothing is written to it. Settle it in git (apply --overwrite-outside-edits) "
            "or keep the outside edit (dashctl pull)")


def plan_create(manifest: Manifest) -> Change:
    after = desired_payload(manifest)
    added = [tile["id"] for tile in after["tiles"]]
    return Change(Action.CREATE, after["name"], None, tiles=TileChanges(added=added), after=after,
                  git=after)


def plan_delete(live: LiveSummary, dashboard: Mapping[str, Any] | None) -> Change:
    before = live_before(dashboard) if dashboard else None
    tiles = [str(tile.get("id")) for tile in (before or {}).get("tiles") or []]
    return Change(
        Action.DELETE, str(live["name"]), str(live["id"]),
        tiles=TileChanges(removed=tiles),
        before=before,
        fingerprint=dashboard.get("fingerprint") if dashboard else None,
    )


def former_name_warnings(
    manifests: Sequence[Manifest], unmanaged: Sequence[LiveSummary]
) -> tuple[list[LiveSummary], list[PlanWarning]]:
    """Split off the unmanaged dashboards named in some manifest's ``formerNames``.

    Such a dashboard is the original of a rename whose new name already exists
    live (an empty board made in the UI, say): the manifest paired with that
    one, and this one may hold the history. It is never deleted, even with
    prune; the plan warns that it is left alone.
    """
    former = {old: m.name for m in manifests for old in m.former_names}
    others: list[LiveSummary] = []
    warnings: list[PlanWarning] = []
    for item in unmanaged:
        name = str(item["name"])
        if name in former:
            warnings.append(PlanWarning(name, (
                f"left alone: {name!r} ({item['id']}) is in formerNames of {former[name]!r}; "
                "delete it in the UI, or drop it from formerNames")))
        else:
            others.append(item)
    return others, warnings


def build_environment_plan(
    environment: Environment,
    manifests: Sequence[Manifest],
    problems: Sequence[Problem],
    live: LiveState,
    records: Records | None = None,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> EnvironmentPlan:
    """Pair, normalize, diff, merge: what apply would do in one environment. Pure.

    ``records``: what dashctl last applied (None: the repository keeps none, it
    is not in git); ``policy``: for outside edits, the environment's unless given;
    ``now``: the time, to tell the dashboards earlier applies left behind.
    """
    policy = policy if policy is not None else Policy(environment.outside_edits)
    by_id = records.by_id if records is not None else {}
    pairing = pair(manifests, live.summaries, environment.ignore, by_id)
    errors = [PlanError(None, str(problem), ErrorKind.PROBLEM) for problem in problems]
    errors += [PlanError(error.dashboard, error.message,
                         ErrorKind.AMBIGUOUS if error.ambiguous else ErrorKind.PAIRING)
               for error in pairing.errors]
    changes: list[Change] = []
    warnings = [PlanWarning(None, text) for text in (records.warnings if records else ())]
    outside: list[OutsideEdit] = []
    refresh: list[Recorded] = []
    unchanged = 0
    for item in pairing.pairs:
        if item.desired is not None and item.live is not None:
            if environment.seeded:  # the tenant owns a seeded dashboard once it exists
                unchanged += 1
                continue
            live_id = str(item.live["id"])
            dashboard = live.dashboards.get(live_id)
            if dashboard is None:
                reason = live.errors.get(live_id, "not fetched")
                message = f"cannot read live dashboard {live_id}: {reason}"
                errors.append(PlanError(item.key, message, ErrorKind.LIVE))
                continue
            updated = item.live.get("updatedAt")
            planned, edit = plan_managed(item.desired, dashboard, item.record, policy, updated)
            outside += [edit] if edit is not None else []
            kind = ErrorKind.CONFLICT if edit and edit.resolution is Resolution.CONFLICT else (
                ErrorKind.DASHBOARD)
            errors += [PlanError(item.key, message, kind) for message in planned.errors]
            warnings += [PlanWarning(item.key, message) for message in planned.warnings]
            unchanged += planned.change is None and not planned.errors
            changes += [planned.change] if planned.change else []
            if records is not None and planned.change is None and edit is None:
                refresh += stale_record(item.desired, live_id, item.record, updated)
        elif item.desired is not None and item.record is not None:  # deleted outside
            git = desired_payload(item.desired)
            merged = merge_managed(item.record, item.key, git["tiles"], None, policy)
            outside += [merged.edit] if merged.edit is not None else []
            if merged.edit is not None and merged.edit.resolution is Resolution.CONFLICT:
                errors.append(PlanError(item.key, conflict_message(merged.edit),
                                        ErrorKind.CONFLICT))
            elif merged.tiles is not None:  # overwrite: created again
                changes.append(replace(plan_create(item.desired), cause="outside"))
        elif item.desired is not None:
            changes.append(plan_create(item.desired))
    unmanaged, left_alone = former_name_warnings(
        manifests, [pair_.live for pair_ in pairing.unmanaged if pair_.live is not None])
    if environment.seeded:  # a seeded member reports and deletes nothing it did not create
        unmanaged, left_alone = [], []
    warnings = left_alone + warnings
    if environment.prune and not environment.seeded:
        changes += [plan_delete(item, live.dashboards.get(str(item["id"]))) for item in unmanaged]
    visible = sum(1 for item in live.summaries if not is_ignored(item["name"], environment.ignore)
                  and pending(item["name"]) is None)
    leftovers = [Leftover(str(item["id"]), str(item["name"])) for item in live.summaries
                 if now is not None and is_leftover(str(item["name"]), now)]
    warnings += [PlanWarning(item.name, "made by an apply that lost track of it: apply removes "
                             "it") for item in leftovers]
    deletes = sum(1 for change in changes if change.action is Action.DELETE)
    refusal = delete_refusal(environment, deletes, visible)
    if refusal:
        errors.append(PlanError(None, refusal, ErrorKind.REFUSAL))
    order = {Action.CREATE: 0, Action.UPDATE: 1, Action.DELETE: 2}
    changes.sort(key=lambda change: (order[change.action], change.dashboard))
    return EnvironmentPlan(
        name=environment.name,
        project=environment.project_id,
        changes=changes,
        unchanged=unchanged,
        unmanaged=sorted(str(item["name"]) for item in unmanaged),
        errors=errors,
        warnings=warnings,
        prune=environment.prune and not environment.seeded,
        live_count=visible,
        refusal=refusal,
        problems=len(problems),
        url=environment.public_url,
        fleet=environment.fleet,
        policy=policy,
        outside_edits=sorted(outside, key=lambda edit: edit.dashboard),
        recorded=records is not None,
        refresh=refresh,
        leftovers=leftovers,
    )


def stale_record(manifest: Manifest, live_id: str, record: Record | None,
                 updated_at: str | None) -> list[Recorded]:
    """A dashboard that matches git whose record is missing or of another version of git:
    apply records it (SPEC §7: existing environments get records on their next apply)."""
    tiles = manifest.wire_tiles
    if (record is not None and record.id == live_id
            and record_version(record) == version(manifest.name, tiles)):
        return []
    return [Recorded(live_id, manifest.name, list(tiles), updated_at)]


@dataclass(frozen=True)
class EnvironmentState:
    """Desired and live state of one environment, as a run read them; ``error`` says why
    live state could not be read (then ``live`` is None)."""

    environment: Environment
    manifests: list[Manifest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    live: LiveState | None = None
    error: str | None = None
    records: Records | None = None  # what dashctl last applied; None: not in git


def plan_environment(state: EnvironmentState, policy: Policy | None = None,
                     now: datetime | None = None) -> EnvironmentPlan:
    """The plan of one environment as read (``policy``: for outside edits, if not the
    environment's own; ``now``: the time, to tell leftovers of earlier applies). Pure."""
    environment = state.environment
    if state.live is None:
        errors = [PlanError(None, str(problem), ErrorKind.PROBLEM) for problem in state.problems]
        errors.append(PlanError(None, state.error or "live state was not read", ErrorKind.LIVE))
        return EnvironmentPlan(environment.name, environment.project_id, errors=errors,
                               prune=environment.prune, problems=len(state.problems),
                               url=environment.public_url, fleet=environment.fleet)
    return build_environment_plan(environment, state.manifests, state.problems, state.live,
                                  state.records, policy, now)


def saved_plan_refusals(env: EnvironmentPlan, environment: Environment) -> list[str]:
    """Why a saved plan of ``env`` must not be applied under today's ``environment``. Pure.

    The plan file is only a record: what it may do is decided by the
    configuration of now (prune, max_deletes, ignore, url and project).
    """
    reasons = []
    if env.url != environment.public_url or env.project != environment.project_id:
        reasons.append("the environment's url or project changed since the plan was made")
    deletes = env.deletes
    if deletes and not environment.prune:
        reasons.append(f"it deletes {len(deletes)} dashboard(s) but prune is now off")
    if environment.max_deletes is not None and len(deletes) > environment.max_deletes:
        reasons.append(f"it deletes {len(deletes)} dashboard(s), more than max_deletes "
                       f"({environment.max_deletes}) now allows")
    covered = sorted({
        name for change in env.changes
        for name in (change.dashboard, change.rename.old if change.rename else change.dashboard)
        if is_ignored(name, environment.ignore)
    })
    if covered:
        reasons.append("it touches dashboards that ignore now covers: "
                       + ", ".join(repr(name) for name in covered))
    return reasons
