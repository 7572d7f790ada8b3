"""The Plan: typed changes per dashboard, per environment.

`build_environment_plan` is a purely computational function with no side
effects: it takes the manifests of one environment and the live state read
from the API, pairs them, normalizes both sides and diffs them. What other
writers own (unmodeled fields and tiles) is never a change: an update's
``after`` carries it back (see `merge`), and ``kept`` says what it carries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.engine.diff import TileChanges, diff_tiles
from reconciler.engine.live import LiveState
from reconciler.engine.merge import merge_tiles
from reconciler.engine.normalize import canonical_tiles
from reconciler.engine.pair import LiveSummary, is_ignored, pair
from reconciler.engine.ports import Desired
from reconciler.repo.config import Environment
from reconciler.repo.manifest import Manifest
from reconciler.repo.problem import Problem


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class Rename:
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    """One dashboard's change. ``after`` is exactly what apply sends."""

    action: Action
    dashboard: str
    id: str | None
    rename: Rename | None = None
    tiles: TileChanges = field(default_factory=TileChanges)
    before: Mapping[str, Any] | None = None  # live dashboard: name, canonical + unmodeled tiles
    after: Mapping[str, Any] | None = None  # {"name", "tiles": [wire tiles, merged]}
    fingerprint: str | None = None  # of the live dashboard as planned
    kept: Mapping[str, list[str]] = field(default_factory=dict)  # tile id -> unmodeled paths

    @property
    def upserts_tiles(self) -> bool:
        return (self.action is Action.CREATE and bool(self.after and self.after["tiles"])) or (
            self.action is Action.UPDATE and bool(self.tiles)
        )


class ErrorKind(StrEnum):
    """What an error of a plan is about (renderers and apply decide by it, never by words)."""

    PROBLEM = "problem"  # the repository: a manifest, environments.yaml, a stray folder
    LIVE = "live"  # live state could not be read (the environment, or one dashboard)
    AMBIGUOUS = "ambiguous"  # several live dashboards match one manifest
    PAIRING = "pairing"  # a pinned id that does not exist
    DASHBOARD = "dashboard"  # the dashboard cannot be written as planned (a kept tile in the way)
    REFUSAL = "refusal"  # a safety rule refuses the whole apply of the environment


@dataclass(frozen=True)
class PlanError:
    dashboard: str | None
    message: str
    kind: ErrorKind = ErrorKind.DASHBOARD


@dataclass(frozen=True)
class PlanWarning:
    """Something the plan leaves alone or cannot keep; never changes the exit code."""

    dashboard: str | None
    message: str


@dataclass(frozen=True)
class EnvironmentPlan:
    name: str
    project: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unmanaged: list[str] = field(default_factory=list)
    errors: list[PlanError] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    prune: bool = False
    live_count: int = 0  # live dashboards seen, not counting ignored ones
    refusal: str | None = None  # a safety rule refuses the whole apply (also in errors)
    problems: int = 0  # manifest problems: deletes are never applied while there are any
    url: str = ""  # the server planned against, without credentials (saved plans check it)
    fleet: str | None = None  # the fleet of a member

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action is action)

    @property
    def summary(self) -> dict[str, int]:
        counts = {action.value: self.count(action) for action in Action}
        return counts | {"unchanged": self.unchanged}

    @property
    def deletes(self) -> list[Change]:
        return [change for change in self.changes if change.action is Action.DELETE]

    @property
    def ambiguous(self) -> list[str]:
        """Manifests that several live dashboards match (perhaps only while a concurrent
        apply resolves the creates it doubled: SPEC §4)."""
        return [str(e.dashboard) for e in self.errors if e.kind is ErrorKind.AMBIGUOUS]


@dataclass(frozen=True)
class Plan:
    environments: list[EnvironmentPlan]

    @property
    def exit_code(self) -> int:
        """0 no changes, 2 changes, 1 error (an error outranks changes)."""
        if any(env.errors for env in self.environments):
            return 1
        return 2 if any(env.changes for env in self.environments) else 0


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


def plan_update(manifest: Manifest, live: Mapping[str, Any]) -> Planned:
    """The change that turns ``live`` (a live form) into ``manifest``; no change when equal."""
    desired = desired_payload(manifest)
    live_tiles = {tile["id"]: tile for tile in live.get("tiles") or []}  # canonical already
    tiles = diff_tiles(canonical_tiles(desired["tiles"]), live_tiles)
    live_name = str(live.get("name", ""))
    rename = Rename(live_name, manifest.name) if live_name != desired["name"] else None
    if not tiles and rename is None:
        return Planned()
    merged = merge_tiles(desired["tiles"], live)
    if tiles and merged.problems:
        return Planned(errors=merged.problems)
    after = {"name": desired["name"], "tiles": desired["tiles"] if merged.problems
             else merged.tiles}
    change = Change(
        Action.UPDATE, desired["name"], str(live["id"]), rename, tiles,
        before=live_before(live), after=after, fingerprint=live.get("fingerprint"),
        kept=merged.kept if tiles else {},
    )
    return Planned(change, warnings=merged.warnings if tiles else [])


def plan_create(manifest: Manifest) -> Change:
    after = desired_payload(manifest)
    added = [tile["id"] for tile in after["tiles"]]
    return Change(Action.CREATE, after["name"], None, tiles=TileChanges(added=added), after=after)


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
) -> EnvironmentPlan:
    """Pair, normalize, diff: what apply would do in one environment. Pure."""
    pairing = pair(manifests, live.summaries, environment.ignore)
    errors = [PlanError(None, str(problem), ErrorKind.PROBLEM) for problem in problems]
    errors += [PlanError(error.dashboard, error.message,
                         ErrorKind.AMBIGUOUS if error.ambiguous else ErrorKind.PAIRING)
               for error in pairing.errors]
    changes: list[Change] = []
    warnings: list[PlanWarning] = []
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
            planned = plan_update(item.desired, dashboard)
            errors += [PlanError(item.key, message) for message in planned.errors]
            warnings += [PlanWarning(item.key, message) for message in planned.warnings]
            unchanged += planned.change is None and not planned.errors
            changes += [planned.change] if planned.change else []
        elif item.desired is not None:
            changes.append(plan_create(item.desired))
    unmanaged, left_alone = former_name_warnings(
        manifests, [pair_.live for pair_ in pairing.unmanaged if pair_.live is not None])
    if environment.seeded:  # a seeded member reports and deletes nothing it did not create
        unmanaged, left_alone = [], []
    warnings = left_alone + warnings
    if environment.prune and not environment.seeded:
        changes += [plan_delete(item, live.dashboards.get(str(item["id"]))) for item in unmanaged]
    visible = sum(1 for item in live.summaries if not is_ignored(item["name"], environment.ignore))
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
    )


@dataclass(frozen=True)
class EnvironmentState:
    """Desired and live state of one environment, as a run read them; ``error`` says why
    live state could not be read (then ``live`` is None)."""

    environment: Environment
    manifests: list[Manifest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    live: LiveState | None = None
    error: str | None = None


def plan_environment(state: EnvironmentState) -> EnvironmentPlan:
    """The plan of one environment as read. Pure."""
    environment = state.environment
    if state.live is None:
        errors = [PlanError(None, str(problem), ErrorKind.PROBLEM) for problem in state.problems]
        errors.append(PlanError(None, state.error or "live state was not read", ErrorKind.LIVE))
        return EnvironmentPlan(environment.name, environment.project_id, errors=errors,
                               prune=environment.prune, problems=len(state.problems),
                               url=environment.public_url, fleet=environment.fleet)
    return build_environment_plan(environment, state.manifests, state.problems, state.live)


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
