"""What carrying out a plan means, decided purely; `reconciler.run.writes` does the writes.

Creates and updates run in parallel, renames go through Update, deletes run
last, and only with ``--allow-delete`` on an environment with ``prune: true``
whose manifests have no problem (`skipped_delete_reason`). Each dashboard's
failure is its own outcome; the others carry on. A no-op plan writes nothing.

No duplicates without locks (SPEC §4): after its creates an apply lists the
environment once more; for each name it created that now has several
dashboards, every apply keeps the one created first (`creates.resolve_created`),
deletes its own if it lost, and writes its tiles to the one kept, merged with
what is on it that dashctl does not model (`tiles_for_kept`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.engine.diff import diff_tiles
from reconciler.engine.merge import merge_tiles
from reconciler.engine.normalize import canonical_tiles, fingerprint
from reconciler.engine.plan import Action, Change, EnvironmentPlan
from reconciler.engine.ports import WireObject


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


def by_action(env: EnvironmentPlan, action: Action) -> list[Change]:
    return [change for change in env.changes if change.action is action]


def skipped_delete_reason(env: EnvironmentPlan, *, allow_delete: bool) -> str | None:
    """Why apply leaves the plan's deletes undone, or None when it makes them."""
    if not env.deletes:
        return None
    if not env.prune:
        return "prune is off"
    if not allow_delete:
        return "no --allow-delete"
    if env.problems:
        return "manifests have problems"
    return None


def tiles_for_kept(tiles: Sequence[WireObject], kept: Mapping[str, Any]) -> list[Any] | None:
    """What to write to the dashboard another writer created first under our name.

    ``tiles``: this apply's wire tiles; ``kept``: the live form of the dashboard
    kept. None when it already holds them. A ValueError names what stands in the
    way (a kept tile of a type dashctl does not model on the same spot or id).
    """
    merged = merge_tiles(tiles, kept)
    if merged.problems:
        raise ValueError("; ".join(merged.problems))
    if not diff_tiles(canonical_tiles(tiles), canonical_tiles(kept["tiles"])):
        return None
    return merged.tiles


def moved(change: Change, live: Mapping[str, Any] | None) -> bool:
    """Whether a dashboard a saved plan touches changed live since the plan was made."""
    return live is None or fingerprint(live) != change.fingerprint
