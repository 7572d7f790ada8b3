"""Outside edits (SPEC §7): one managed dashboard's record, git and live, merged. Pure.

`merge_managed` lines up the three versions of a paired dashboard (the record
as applied last, the manifest now, the live form now), merges them
(`threeway.three_way`) under the environment's policy and says what the plan
does: the version apply makes live (its name and wire tiles, in git's order of
tiles), and the outside edit to report, if any. `cause` says why a dashboard
differs from git, for drift: git's change not applied yet, an outside edit,
both, or unknown (no record).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.engine.normalize import canonical_tile, canonical_tiles
from reconciler.engine.ports import WireObject
from reconciler.engine.records import Record
from reconciler.engine.threeway import Conflict, Policy, Resolution, ThreeWay, Version, three_way


@dataclass(frozen=True)
class OutsideEdit:
    """A managed dashboard edited outside git since the last apply, and what apply does.

    ``dashboard`` is git's name; ``updated_at`` live's (None when deleted outside);
    ``changed`` maps each tile changed outside to its fields.
    """

    dashboard: str
    id: str
    updated_at: str | None
    resolution: Resolution
    renamed: bool = False
    deleted: bool = False
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def tiles(self) -> dict[str, list[str]]:
        return {"added": self.added, "changed": list(self.changed), "removed": self.removed}


@dataclass(frozen=True)
class Merged:
    """What the merge of one managed dashboard asks of apply.

    ``name`` and ``tiles`` (wire form) are the version to make live: git's, with
    the outside edits kept; ``tiles`` is None when the dashboard stays absent
    (deleted outside) or is in conflict. ``edit`` is the outside edit to report.
    """

    name: str
    tiles: list[dict[str, Any]] | None
    edit: OutsideEdit | None


def version(name: str, tiles: Sequence[Mapping[str, Any]]) -> Version:
    return Version(name, canonical_tiles(tiles))


def record_version(record: Record) -> Version:
    return version(record.name, record.tiles)


def live_version(live: Mapping[str, Any]) -> Version:
    """The version of a live form (`normalize.live_form`): its name and modeled tiles."""
    tiles = {tile["id"]: tile for tile in live.get("tiles") or []}
    return Version(str(live.get("name", "")), tiles)


def _wire(desired: Version, order: Sequence[WireObject]) -> list[dict[str, Any]]:
    """The desired tiles in wire form: git's tiles in git's order, then the others by id."""
    first = [str(tile.get("id", "")) for tile in order if str(tile.get("id", "")) in desired.tiles]
    rest = sorted(set(desired.tiles) - set(first))
    return [dict(canonical_tile(desired.tiles[tile_id])) for tile_id in [*first, *rest]]


def merge_managed(record: Record | None, name: str, git_tiles: Sequence[WireObject],
                  live: Mapping[str, Any] | None, policy: Policy,
                  updated_at: str | None = None) -> Merged:
    """The version apply makes of a managed dashboard, and its outside edit, if any.

    ``live`` is the live form, None when the recorded dashboard is gone live;
    ``updated_at`` live's (from List). Without a record there is nothing to
    merge: git's version, no outside edit.
    """
    if record is None:
        return Merged(name, [dict(tile) for tile in git_tiles], None)
    git = version(name, git_tiles)
    current = live_version(live) if live is not None else None
    if current == git:  # in sync (the common case): no outside edit, whatever the record says
        return Merged(name, [dict(tile) for tile in git_tiles], None)
    result = three_way(record_version(record), git, current, policy=policy)
    edit = _edit(result, name, record.id, updated_at)
    if result.desired is None or result.resolution is Resolution.CONFLICT:
        return Merged(name, None, edit)
    if result.desired == git:
        return Merged(name, [dict(tile) for tile in git_tiles], edit)
    return Merged(result.desired.name, _wire(result.desired, git_tiles), edit)


def _edit(result: ThreeWay, name: str, dashboard_id: str,
          updated_at: str | None) -> OutsideEdit | None:
    if result.resolution is None:
        return None
    edits = result.edits
    return OutsideEdit(
        dashboard=name, id=dashboard_id, updated_at=updated_at,
        resolution=result.resolution, renamed=edits.renamed, deleted=edits.deleted,
        added=list(edits.added), changed={tile: list(fields) for tile, fields in
                                          edits.changed.items()},
        removed=list(edits.removed), conflicts=list(result.conflicts))


def cause(record: Record | None, name: str, git_tiles: Sequence[WireObject],
          live: Mapping[str, Any] | None) -> str:
    """Why a managed dashboard differs from git: "git", "outside", "both" or "unknown"."""
    if record is None:
        return "unknown"
    was = record_version(record)
    git_moved = version(name, git_tiles) != was
    live_moved = live is None or live_version(live) != was
    if git_moved and live_moved:
        return "both"
    return "git" if git_moved else "outside"
