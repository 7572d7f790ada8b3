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
from dataclasses import dataclass, field, replace
from typing import Any

from reconciler.engine.changes import Action, Change, EnvironmentPlan
from reconciler.engine.diff import diff_tiles
from reconciler.engine.merge import merge_tiles
from reconciler.engine.normalize import canonical_tiles, fingerprint, live_form
from reconciler.engine.outside import merge_managed
from reconciler.engine.plan import conflict_message, plan_update
from reconciler.engine.ports import WireDashboard, WireObject
from reconciler.engine.records import Record, RecordUpdate
from reconciler.engine.threeway import Policy


@dataclass(frozen=True)
class ChangeOutcome:
    """What became of one change: an error, or done (the dashboard's id and the
    ``updatedAt`` live answered, for its record), with a note."""

    change: Change
    error: str | None = None
    note: str | None = None  # e.g. which dashboard a doubled create kept
    id: str | None = None
    updated_at: str | None = None


@dataclass
class ApplyResult:
    environment: str
    outcomes: list[ChangeOutcome] = field(default_factory=list)
    skipped_deletes: list[str] = field(default_factory=list)
    skip_reason: str = ""
    failure: str | None = None  # the environment could not be applied at all
    leftovers: list[str] = field(default_factory=list)  # earlier applies' debris, removed

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
    """Whether a dashboard a change touches changed live since the plan was made."""
    return live is None or fingerprint(live) != change.fingerprint


class Conflicted(ValueError):
    """A dashboard cannot be written as planned: it moved live, and git and the outside
    edit now clash (or a delete's dashboard was edited since the plan)."""


def rework(change: Change, live: WireDashboard, policy: Policy) -> Change | None:
    """The change to write now that live moved since the plan (re-read before write, SPEC
    §7): merged again with live as it is now; None when nothing is left to write.

    Raises `Conflicted` for a delete of a dashboard edited since the plan, and for a
    merge that now clashes.
    """
    assert change.id is not None
    if change.action is Action.DELETE:
        raise Conflicted("it was edited since the plan; not deleted (plan again)")
    form = {**live_form(live), "id": change.id, "fingerprint": fingerprint(live)}
    git = change.git or change.after or {"name": change.dashboard, "tiles": []}
    base = None if change.base is None else Record(
        change.id, str(change.base["name"]), "", list(change.base["tiles"]), None, None)
    merged = merge_managed(base, str(git["name"]), list(git["tiles"]), form, policy)
    if merged.tiles is None:
        raise Conflicted(conflict_message(merged.edit))
    planned = plan_update(change.dashboard, {"name": merged.name, "tiles": merged.tiles}, form)
    if planned.errors:
        raise Conflicted("; ".join(planned.errors))
    if planned.change is None:
        return None
    return replace(planned.change, git=change.git, base=change.base, cause=change.cause)


def records_after(env: EnvironmentPlan, result: ApplyResult, project: str,
                  commit: str | None) -> RecordUpdate:
    """What an apply records of one environment (SPEC §7): git's version of each dashboard it
    made match git, and of those that already did; a deleted dashboard loses its record; a
    failed or conflicting one keeps its record as it was."""
    records: dict[str, Record] = {}
    dropped: set[str] = set()
    for outcome in result.outcomes:
        change = outcome.change
        if outcome.error or outcome.id is None:
            continue
        if change.action is Action.DELETE:
            dropped.add(outcome.id)
        elif change.git is not None:
            git = change.git
            records[outcome.id] = Record(outcome.id, str(git["name"]), project,
                                         list(git["tiles"]), outcome.updated_at, commit)
    for item in env.refresh:
        records.setdefault(item.id, Record(item.id, item.name, project, item.tiles,
                                           item.updated_at, commit))
    return RecordUpdate(project, list(records.values()), frozenset(dropped - set(records)))
