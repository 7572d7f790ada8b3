"""Drift: a pure view of the Plan, read from the live side.

Drift needs no pairing or diff of its own: a managed dashboard that differs
from git is an update of the plan, one that is missing live is a create, and
the plan lists the unmanaged ones. Outside edits (SPEC §7) are drift too,
whatever apply does about them: one kept or in conflict is a drifted dashboard
(cause "outside", or "both"), one deleted outside is missing. Each drifted
dashboard says why (``cause``): git changed since the last apply, an outside
edit, both, or unknown (no record). An environment is ``drifted`` when a
managed dashboard differs or is missing, or when it has unmanaged dashboards
and ``prune: true`` (the next apply would delete them); unmanaged dashboards
of an environment without prune are listed but leave it ``in_sync``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from reconciler.engine.changes import Action, EnvironmentPlan, ErrorKind, Plan, PlanError
from reconciler.engine.diff import FieldChange, TileChanges
from reconciler.engine.outside import OutsideEdit
from reconciler.engine.threeway import Resolution


class Status(StrEnum):
    IN_SYNC = "in_sync"
    DRIFTED = "drifted"
    ERROR = "error"


@dataclass(frozen=True)
class DriftedDashboard:
    """A managed dashboard whose live form differs from git.

    ``tiles.added`` are tiles live has and git lacks; ``removed`` are tiles git
    has and live lacks; ``changed`` fields read old = git, new = live.
    """

    dashboard: str
    id: str
    tiles: TileChanges
    renamed: bool
    live_name: str
    cause: str = "unknown"  # "git", "outside", "both" or "unknown" (SPEC §7)


@dataclass(frozen=True)
class EnvironmentDrift:
    name: str
    project: str
    drifted: list[DriftedDashboard] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unmanaged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    prune: bool = False
    fleet: str | None = None

    @property
    def status(self) -> Status:
        if self.errors:
            return Status.ERROR
        pruned = bool(self.unmanaged) and self.prune
        return Status.DRIFTED if self.drifted or self.missing or pruned else Status.IN_SYNC


@dataclass(frozen=True)
class DriftReport:
    environments: list[EnvironmentDrift]

    @property
    def exit_code(self) -> int:
        """0 in sync, 2 drift, 1 error."""
        statuses = {env.status for env in self.environments}
        if Status.ERROR in statuses:
            return 1
        return 2 if Status.DRIFTED in statuses else 0


def live_side(changes: TileChanges) -> TileChanges:
    """Turn a git -> live diff into one read from the live side."""
    return TileChanges(
        added=changes.removed,
        changed={
            tile: [FieldChange(f.path, f.new, f.old) for f in fields]
            for tile, fields in changes.changed.items()
        },
        removed=changes.added,
    )


def error_text(error: PlanError) -> str:
    return f"{error.dashboard}: {error.message}" if error.dashboard else error.message


def outside_drift(edit: OutsideEdit) -> DriftedDashboard:
    """A dashboard edited outside git that the plan leaves as it is (kept, or in conflict)."""
    changed = {tile: [FieldChange(path, None, None) for path in fields]
               for tile, fields in edit.changed.items()}
    tiles = TileChanges(added=edit.added, changed=changed, removed=edit.removed)
    cause = "both" if edit.resolution is Resolution.CONFLICT else "outside"
    return DriftedDashboard(edit.dashboard, edit.id, tiles, edit.renamed, edit.dashboard, cause)


def environment_drift(env: EnvironmentPlan) -> EnvironmentDrift:
    """The drift of one environment, from its plan. Pure."""
    drifted = [
        DriftedDashboard(
            change.dashboard, str(change.id), live_side(change.tiles), change.rename is not None,
            change.rename.old if change.rename else change.dashboard, change.cause or "unknown",
        )
        for change in env.changes
        if change.action is Action.UPDATE
    ]
    written = {change.id for change in env.changes}
    left = [edit for edit in env.outside_edits
            if not edit.deleted and edit.id not in written
            and edit.resolution in (Resolution.KEPT, Resolution.CONFLICT)]
    drifted += [outside_drift(edit) for edit in left]
    missing = [c.dashboard for c in env.changes if c.action is Action.CREATE]
    missing += [edit.dashboard for edit in env.outside_edits
                if edit.deleted and edit.resolution is not Resolution.REVERTED]
    return EnvironmentDrift(
        name=env.name,
        project=env.project,
        drifted=sorted(drifted, key=lambda entry: entry.dashboard),
        missing=sorted(missing),
        unmanaged=sorted(env.unmanaged),
        # a refused delete is the plan's concern, not drift; a conflict is drift (cause both)
        errors=[error_text(e) for e in env.errors
                if e.kind not in (ErrorKind.REFUSAL, ErrorKind.CONFLICT)],
        prune=env.prune,
        fleet=env.fleet,
    )


def drift_report(plan: Plan) -> DriftReport:
    return DriftReport([environment_drift(env) for env in plan.environments])
