"""Drift: a pure view of the Plan, read from the live side.

Drift needs no pairing or diff of its own: a managed dashboard that differs
from git is an update of the plan, one that is missing live is a create, and
the plan lists the unmanaged ones. An environment is ``drifted`` when a
managed dashboard differs or is missing, or when it has unmanaged dashboards
and ``prune: true`` (the next apply would delete them); unmanaged dashboards
of an environment without prune are listed but leave it ``in_sync``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from reconciler.engine.changes import Action, EnvironmentPlan, ErrorKind, Plan, PlanError
from reconciler.engine.diff import FieldChange, TileChanges


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


def environment_drift(env: EnvironmentPlan) -> EnvironmentDrift:
    """The drift of one environment, from its plan. Pure."""
    drifted = [
        DriftedDashboard(
            change.dashboard, str(change.id), live_side(change.tiles), change.rename is not None,
            change.rename.old if change.rename else change.dashboard,
        )
        for change in env.changes
        if change.action is Action.UPDATE
    ]
    return EnvironmentDrift(
        name=env.name,
        project=env.project,
        drifted=sorted(drifted, key=lambda entry: entry.dashboard),
        missing=sorted(c.dashboard for c in env.changes if c.action is Action.CREATE),
        unmanaged=sorted(env.unmanaged),
        # a refused delete is the plan's concern, not drift
        errors=[error_text(e) for e in env.errors if e.kind is not ErrorKind.REFUSAL],
        prune=env.prune,
        fleet=env.fleet,
    )


def drift_report(plan: Plan) -> DriftReport:
    return DriftReport([environment_drift(env) for env in plan.environments])
