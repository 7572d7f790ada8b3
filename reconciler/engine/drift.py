"""Drift: the same pairing and diff as the plan, reported from the live side. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from reconciler.engine.diff import FieldChange, TileChanges, diff_tiles
from reconciler.engine.normalize import canonical_tiles
from reconciler.engine.pair import pair
from reconciler.engine.plan import LiveState, desired_payload
from reconciler.repo.models import Environment, Manifest, Problem


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

    @property
    def status(self) -> Status:
        if self.errors:
            return Status.ERROR
        return Status.DRIFTED if self.drifted or self.missing or self.unmanaged else Status.IN_SYNC


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


def build_environment_drift(
    environment: Environment,
    manifests: Sequence[Manifest],
    problems: Sequence[Problem],
    live: LiveState,
) -> EnvironmentDrift:
    """Compare one environment's live dashboards with git."""
    pairing = pair(manifests, live.summaries, environment.ignore)
    errors = [str(problem) for problem in problems]
    errors += [f"{error.dashboard}: {error.message}" for error in pairing.errors]
    drifted: list[DriftedDashboard] = []
    for item in pairing.matched:
        assert item.desired is not None and item.live is not None
        live_id = str(item.live["id"])
        dashboard = live.dashboards.get(live_id)
        if dashboard is None:
            errors.append(f"{item.key}: cannot read live dashboard {live_id}: "
                          f"{live.errors.get(live_id, 'not fetched')}")
            continue
        desired = canonical_tiles(desired_payload(item.desired)["tiles"])
        changes = diff_tiles(desired, canonical_tiles(dashboard.get("tiles") or []))
        live_name = str(dashboard.get("name", item.live["name"]))
        renamed = live_name != item.key
        if changes or renamed:
            drifted.append(DriftedDashboard(item.key, live_id, live_side(changes), renamed,
                                            live_name))
    return EnvironmentDrift(
        name=environment.name,
        project=environment.project_id,
        drifted=sorted(drifted, key=lambda entry: entry.dashboard),
        missing=sorted(pair_.key for pair_ in pairing.unmatched_desired),
        unmanaged=sorted(pair_.key for pair_ in pairing.unmanaged),
        errors=errors,
    )
