"""The three-way merge of SPEC §7: the record, git and live of one dashboard. Pure.

Three versions of a managed dashboard: the **record** (git's version as dashctl
last applied it: the common ancestor, like kubectl's last-applied), **git**
(the manifest now) and **live** (the server now). Field by field and tile by
tile (tiles by id), with the record as the ancestor:

- live as recorded: git's value (a change only git made is applied);
- git as recorded: live's value is kept and nothing is written for it;
- both changed to the same value: nothing to write;
- both changed to different values: a conflict, and nothing is written to the
  dashboard at all (a conflict is a state of the dashboard, not of a field).

The fields that count are the modeled ones (`FIELDS`, the dashboard's name,
each tile's presence), read from canonical tiles (`normalize.canonical_tile`):
unmodeled content is never an outside edit, and callers compare nothing but
canonical forms, so a server's quirks are never an edit either.

An **outside edit** is, as SPEC §7 defines it, a field whose live value
differs both from the record and from git now: a field that live changed to
git's own new value is no one's edit to report (nothing is written for it).

The merge is symmetric in git and live except where a side is missing: git
always exists (the merge is for dashboards git declares), live may not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, Final

Tile = Mapping[str, Any]  # one canonical tile (normalize.canonical_tile)

FIELDS: Final = ("position", "type", "insight.query", "insight.visualization",
                 "markdown.content")
_POSITION: Final = FIELDS.index("position")


class Policy(StrEnum):
    """The environment's `outside_edits` key."""

    MERGE = "merge"  # the table: outside edits are kept, clashes are conflicts
    OVERWRITE = "overwrite"  # git wins everything; outside edits are reverted


class Resolution(StrEnum):
    """What apply does about a dashboard's outside edits (None: there are none)."""

    KEPT = "kept"  # outside edits only: they stay, nothing is written for them
    MERGED = "merged"  # outside edits kept and git changes elsewhere: one write with both
    REVERTED = "reverted"  # policy overwrite: git's version is written over them
    CONFLICT = "conflict"  # git and live changed the same thing: nothing is written


@dataclass(frozen=True)
class Version:
    """One version of a dashboard: its name and its canonical tiles keyed by id."""

    name: str
    tiles: Mapping[str, Tile]


@dataclass(frozen=True)
class Conflict:
    """Git and live disagree on ``field`` of ``tile`` (None: the dashboard's name or existence).

    ``field`` is one of `FIELDS`, ``"tile"`` (presence), ``"name"`` or ``"dashboard"``.
    """

    tile: str | None
    field: str


@dataclass(frozen=True)
class OutsideEdits:
    """What changed live since the record that git does not say now (SPEC §7)."""

    renamed: bool = False
    deleted: bool = False
    added: tuple[str, ...] = ()  # tile ids live has that the record and git do not
    changed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # tile id -> FIELDS
    removed: tuple[str, ...] = ()  # tile ids the record has that live does not

    def __bool__(self) -> bool:
        return bool(self.renamed or self.deleted or self.added or self.changed or self.removed)


@dataclass(frozen=True)
class ThreeWay:
    """The outcome of the merge for one dashboard.

    ``desired`` is what apply makes live (None: the dashboard stays absent). In
    a conflict it is live itself, so ``write`` (desired differs from live) is
    False: nothing is written to a dashboard in conflict.
    """

    desired: Version | None
    edits: OutsideEdits
    resolution: Resolution | None
    conflicts: tuple[Conflict, ...]
    write: bool


class _Mark(Enum):
    ABSENT = "absent"  # the field (or tile) is not there
    CLASH = "clash"  # both sides changed it, to different values


ABSENT: Final = _Mark.ABSENT
CLASH: Final = _Mark.CLASH
Values = tuple[object, ...]  # a tile's FIELDS, in order


def _field(tile: Tile, path: str) -> object:
    node: object = tile
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return ABSENT
        node = node[part]
    return node


def _values(tile: Tile | None) -> Values | None:
    return None if tile is None else tuple(_field(tile, path) for path in FIELDS)


def _pick(record: object, git: object, live: object) -> object:
    """The table for one value: git's unless only live moved; CLASH when both moved apart."""
    if live in (record, git):
        return git
    if git == record:
        return live
    return CLASH


def _build(tile_id: str, values: Values) -> dict[str, Any]:
    """A canonical tile from merged field values (only when no single side has them all)."""
    tile: dict[str, Any] = {"id": tile_id}
    for path, value in zip(FIELDS, values, strict=True):
        if value is ABSENT:
            continue
        *parents, leaf = path.split(".")
        node = tile
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tile


def _overlap(one: object, other: object) -> bool:
    if not isinstance(one, Mapping) or not isinstance(other, Mapping):
        return False
    x, y, w, h = (one.get(key, 0) for key in "xywh")
    x2, y2, w2, h2 = (other.get(key, 0) for key in "xywh")
    return bool(x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h)


def _overlaps(positions: Mapping[str, object], git: Version, live: Version) -> set[Conflict]:
    """Pairs of merged tiles that overlap on the grid, where the merge made the overlap.

    A pair placed as git places both is git's own (validate refuses it), and a
    pair placed as live places both is the server's; neither is the merge's
    doing. Only a pair mixing the two can be new, so only those are looked at.
    """
    def off(side: Version) -> set[str]:
        return {tile_id for tile_id, position in positions.items()
                if tile_id not in side.tiles or _field(side.tiles[tile_id], "position") != position}

    off_git, off_live = off(git), off(live)
    found: set[Conflict] = set()
    if not off_live:
        return found
    for one in sorted(off_git):
        for other, position in positions.items():
            if other != one and (one in off_live or other in off_live) \
                    and _overlap(positions[one], position):
                found |= {Conflict(one, "position"), Conflict(other, "position")}
    return found


def outside_edits(record: Version, git: Version, live: Version | None) -> OutsideEdits:
    """The outside edits: live differs from the record and from git now."""
    if live is None:
        return OutsideEdits(deleted=True)
    added: list[str] = []
    removed: list[str] = []
    changed: dict[str, tuple[str, ...]] = {}
    for tile_id in sorted(record.tiles.keys() | live.tiles.keys()):
        was, now = _values(record.tiles.get(tile_id)), _values(live.tiles.get(tile_id))
        says = _values(git.tiles.get(tile_id))
        if was == now or now == says:
            continue
        if was is None:
            added.append(tile_id)
        elif now is None:
            removed.append(tile_id)
        else:  # a field is an edit where it differs from git's, or git dropped the tile
            fields = tuple(path for path, old, new, ours in zip(FIELDS, was, now, says or was,
                                                                 strict=True)
                           if new != old and (says is None or new != ours))
            if fields:
                changed[tile_id] = fields
    renamed = live.name not in (record.name, git.name)
    return OutsideEdits(renamed, False, tuple(added), changed, tuple(removed))


def _merge_tile(record: Tile | None, git: Tile | None, live: Tile | None
                ) -> tuple[Values | _Mark | None, list[str]]:
    """One tile's merged field values (None: absent), or CLASH on its presence; clashing fields."""
    was, says, now = _values(record), _values(git), _values(live)
    if now in (was, says):
        return says, []
    if says == was:
        return now, []
    if was is None or says is None or now is None:
        return CLASH, []  # added on both sides apart, or removed on one and changed on the other
    merged = tuple(_pick(*trio) for trio in zip(was, says, now, strict=True))
    return merged, [path for path, value in zip(FIELDS, merged, strict=True) if value is CLASH]


def _merge(record: Version, git: Version, live: Version) -> tuple[Version, list[Conflict]]:
    """Git's changes and live's together, and where they clash."""
    conflicts: list[Conflict] = []
    name = _pick(record.name, git.name, live.name)
    if name is CLASH:
        conflicts.append(Conflict(None, "name"))
    tiles: dict[str, Tile] = {}
    positions: dict[str, object] = {}
    for tile_id in sorted(record.tiles.keys() | git.tiles.keys() | live.tiles.keys()):
        git_tile, live_tile = git.tiles.get(tile_id), live.tiles.get(tile_id)
        merged, clashes = _merge_tile(record.tiles.get(tile_id), git_tile, live_tile)
        if isinstance(merged, _Mark):
            conflicts.append(Conflict(tile_id, "tile"))
            continue
        if merged is None:
            continue
        conflicts.extend(Conflict(tile_id, path) for path in clashes)
        if merged[_POSITION] is not CLASH:
            positions[tile_id] = merged[_POSITION]
        if git_tile is not None and merged == _values(git_tile):
            tiles[tile_id] = git_tile
        elif live_tile is not None and merged == _values(live_tile):
            tiles[tile_id] = live_tile
        else:
            tiles[tile_id] = _build(tile_id, merged)
    conflicts.extend(_overlaps(positions, git, live))
    return Version(name if isinstance(name, str) else live.name, tiles), conflicts


def _ordered(conflicts: list[Conflict]) -> tuple[Conflict, ...]:
    return tuple(sorted(set(conflicts), key=lambda c: (c.tile is not None, c.tile or "", c.field)))


def three_way(record: Version | None, git: Version, live: Version | None, *,
              policy: Policy = Policy.MERGE) -> ThreeWay:
    """Merge git's version of a dashboard with live's, the record as the common ancestor.

    Without a record there is no merge: git's version is what apply writes and
    nothing is an outside edit. Under `Policy.OVERWRITE` git's version is what
    apply writes, and the outside edits it reverts are still reported.
    """
    if record is None:
        return ThreeWay(git, OutsideEdits(), None, (), git != live)
    edits = outside_edits(record, git, live)
    if policy is Policy.OVERWRITE:
        return ThreeWay(git, edits, Resolution.REVERTED if edits else None, (), git != live)
    if live is None:  # deleted outside: not created again, unless git moved on since
        conflicts = () if git == record else (Conflict(None, "dashboard"),)
        return ThreeWay(None, edits, Resolution.CONFLICT if conflicts else Resolution.KEPT,
                        conflicts, False)
    if not edits:  # live as recorded or as git says: no merge to do (the common case)
        return ThreeWay(git, edits, None, (), git != live)
    desired, found = _merge(record, git, live)
    if found:
        return ThreeWay(live, edits, Resolution.CONFLICT, _ordered(found), False)
    write = desired != live
    return ThreeWay(desired, edits, Resolution.MERGED if write else Resolution.KEPT, (), write)


def adopt(record: Version, git: Version, live: Version) -> Version:
    """What `pull` writes of a recorded dashboard (SPEC §7): live's value wherever live
    changed since the record, git's own changes not applied yet everywhere else, and
    live's where both changed (that is what pull is for)."""
    name = live.name if live.name != record.name else git.name
    tiles: dict[str, Tile] = {}
    for tile_id in sorted(record.tiles.keys() | git.tiles.keys() | live.tiles.keys()):
        was, says, now = (side.tiles.get(tile_id) for side in (record, git, live))
        if _values(now) == _values(was):
            chosen = says
        elif says is None or now is None or was is None or _values(says) == _values(was):
            chosen = now  # live changed the tile (or its presence): live's, whole
        else:
            values = tuple(new if new != old else ours for old, ours, new in
                           zip(_values(was) or (), _values(says) or (), _values(now) or (),
                               strict=True))
            chosen = now if values == _values(now) else says if values == _values(says) \
                else _build(tile_id, values)
        if chosen is not None:
            tiles[tile_id] = chosen
    return Version(name, tiles)
