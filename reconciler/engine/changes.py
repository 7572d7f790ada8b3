"""The Plan's types: what apply would do, per dashboard and per environment.

    Plan                 every selected environment's EnvironmentPlan
    EnvironmentPlan      its changes, errors, warnings, outside edits and records to write
    Change               one dashboard's create, update or delete: before and after
    PlanError            an error of the plan, with its kind (renderers decide by it)

Values only: `engine.plan` builds them (pure), renderers show them, `documents`
saves them as they are, `run.writes` carries them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.engine.diff import TileChanges
from reconciler.engine.outside import OutsideEdit
from reconciler.engine.threeway import Policy


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
    """One dashboard's change. ``after`` is exactly what apply sends.

    ``dashboard`` is git's name (``after["name"]`` the name live gets: git's, or
    the one an outside rename kept). ``git`` is git's version of the dashboard
    (what apply records once it is applied, SPEC §7) and ``base`` the version
    recorded at the last apply: with them apply merges again when live moved
    between the plan and the write. ``cause`` says why it differs (drift).
    """

    action: Action
    dashboard: str
    id: str | None
    rename: Rename | None = None
    tiles: TileChanges = field(default_factory=TileChanges)
    before: Mapping[str, Any] | None = None  # live dashboard: name, canonical + unmodeled tiles
    after: Mapping[str, Any] | None = None  # {"name", "tiles": [wire tiles, merged]}
    fingerprint: str | None = None  # of the live dashboard as planned
    kept: Mapping[str, list[str]] = field(default_factory=dict)  # tile id -> unmodeled paths
    git: Mapping[str, Any] | None = None  # {"name", "tiles"}: git's version (creates, updates)
    base: Mapping[str, Any] | None = None  # {"name", "tiles"}: the record's version, if any
    cause: str | None = None  # "git", "outside", "both" or "unknown" (updates)

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
    CONFLICT = "conflict"  # git and an outside edit changed the same thing (SPEC §7)
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
class Recorded:
    """A dashboard that already matches git, whose record apply writes without an API call."""

    id: str
    name: str
    tiles: list[Any]
    updated_at: str | None


@dataclass(frozen=True)
class Leftover:
    """A dashboard an earlier apply made and lost track of (`engine.pending`): apply removes it."""

    id: str
    name: str


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
    policy: Policy = Policy.MERGE  # what apply does with outside edits (SPEC §7)
    outside_edits: list[OutsideEdit] = field(default_factory=list)
    recorded: bool = False  # the environment's records were read (the root is in git)
    refresh: list[Recorded] = field(default_factory=list)  # records to write, no API write
    leftovers: list[Leftover] = field(default_factory=list)  # removed by apply (SPEC §4)

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
