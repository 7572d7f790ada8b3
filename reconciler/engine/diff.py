"""Tile-level differences between two canonical tile sets (pure).

Tiles are grouped by id, so a changed tile is one change and a reordered list
is none. Equal canonical forms are detected with a plain comparison first;
deepdiff runs only on the tiles that differ, to name the fields that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent

Tiles = Mapping[str, Mapping[str, object]]  # canonical tiles keyed by id


@dataclass(frozen=True)
class FieldChange:
    """One field of one tile: ``path`` like ``position.w``; old is the live side."""

    path: str
    old: object
    new: object


@dataclass(frozen=True)
class TileChanges:
    """Tiles added, changed (with their field changes) and removed, by id."""

    added: list[str] = field(default_factory=list)
    changed: dict[str, list[FieldChange]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def as_json(self) -> dict[str, list[str]]:
        return {"added": self.added, "changed": list(self.changed), "removed": self.removed}


def _path(parts: list[object]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _value(value: object) -> object:
    return None if isinstance(value, NotPresent) else value


def field_changes(old: Mapping[str, object], new: Mapping[str, object]) -> list[FieldChange]:
    """Every leaf that differs between two canonical tiles, in path order."""
    tree = DeepDiff(old, new, view="tree", ignore_order=False)
    changes = [
        FieldChange(_path(level.path(output_format="list")), _value(level.t1), _value(level.t2))
        for report in tree.values()
        for level in report
    ]
    return sorted(changes, key=lambda change: change.path)


def diff_tiles(desired: Tiles, live: Tiles) -> TileChanges:
    """What applying ``desired`` over ``live`` changes, tile by tile."""
    if desired == live:
        return TileChanges()
    return TileChanges(
        added=[key for key in desired if key not in live],
        changed={
            key: field_changes(live[key], tile)
            for key, tile in desired.items()
            if key in live and live[key] != tile
        },
        removed=[key for key in live if key not in desired],
    )
