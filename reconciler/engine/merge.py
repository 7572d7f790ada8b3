"""The tiles an upsert sends: git's modeled fields, everyone else's unmodeled ones. Pure.

Upsert replaces every tile of a dashboard, so what apply sends must carry what
other writers set (SPEC §4):

- a manifest tile that also exists live (same id) carries the live tile's
  unmodeled fields, merged into the manifest's modeled ones; modeled fields
  always come from git, defaults included, and a list git models
  (``insight.query.events``) comes from git whole, so unknown keys inside its
  items are not kept (a warning says so);
- every live tile of a type dashctl does not model is sent back unchanged;
- a manifest tile that would overlap such a kept tile, or take its id, makes
  the upsert impossible (the server would refuse it): a problem of the dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.engine.ports import WireObject
from reconciler.engine.unmodeled import WHOLE, graft, kept_paths, unmodeled_fields


@dataclass(frozen=True)
class Merged:
    """The tiles to send, what of them was kept from live, and what stands in the way."""

    tiles: list[dict[str, object]] = field(default_factory=list)  # WireTiles, and more
    kept: dict[str, list[str]] = field(default_factory=dict)  # tile id -> paths, or ["*"]
    problems: list[str] = field(default_factory=list)  # the upsert must not be sent
    warnings: list[str] = field(default_factory=list)  # what the upsert drops


def merge_tile(desired_wire: WireObject, live_raw: WireObject) -> dict[str, object]:
    """The tile to send for ``desired_wire`` where ``live_raw`` is the live tile of its id."""
    return graft(desired_wire, unmodeled_fields(live_raw))[0]


def _box(tile: WireObject) -> tuple[int, int, int, int]:
    position = tile.get("position")
    values = position if isinstance(position, Mapping) else {}

    def number(key: str) -> int:
        value = values.get(key, 0)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    return number("x"), number("y"), number("w"), number("h")


def overlaps(one: WireObject, other: WireObject) -> bool:
    x1, y1, w1, h1 = _box(one)
    x2, y2, w2, h2 = _box(other)
    return x1 < x2 + w2 and x2 < x1 + w1 and y1 < y2 + h2 and y2 < y1 + h1


def merge_tiles(desired: Sequence[WireObject], live: Mapping[str, Any]) -> Merged:
    """What an upsert of ``desired`` (wire tiles) sends over ``live`` (an engine live form).

    ``live`` is `normalize.live_form` of the live dashboard: its ``unmodeled``
    overlays and ``unmodeledTiles`` are what is kept.
    """
    overlays: Mapping[str, Mapping[str, Any]] = live.get("unmodeled") or {}
    dropped: Mapping[str, list[str]] = live.get("dropped") or {}
    whole: list[WireObject] = list(live.get("unmodeledTiles") or [])
    whole_ids = {str(tile.get("id", "")): tile for tile in whole}
    tiles: list[dict[str, object]] = []
    kept: dict[str, list[str]] = {}
    problems: list[str] = []
    warnings: list[str] = []
    for tile in desired:
        tile_id = str(tile["id"])
        if tile_id in whole_ids:
            kind = whole_ids[tile_id].get("type")
            problems.append(
                f"tile {tile_id}: a live tile of type {kind} has this id; dashctl does not "
                "model that type and keeps the tile: give the manifest tile another id")
            continue
        overlay = overlays.get(tile_id, {})
        sent, kept_here = graft(tile, overlay)
        tiles.append(sent)
        paths = kept_paths(kept_here)
        if paths:
            kept[tile_id] = paths
        lost = sorted(set(kept_paths(overlay)) - set(paths)) + list(dropped.get(tile_id, []))
        warnings += [f"tile {tile_id}: {path} is not kept (it belongs to a part of the tile "
                     "that git replaces)" for path in lost]
        problems += [
            f"tile {tile_id} overlaps tile {other_id} (type {other.get('type')}), which dashctl "
            "does not model and keeps; move the manifest tile"
            for other_id, other in whole_ids.items() if overlaps(tile, other)
        ]
    for tile_id, tile in whole_ids.items():
        tiles.append(dict(tile))
        kept[tile_id] = [WHOLE]
    return Merged(tiles, dict(sorted(kept.items())), problems, warnings)
