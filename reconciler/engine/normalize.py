"""One canonical form for tiles and dashboards, from either side.

Pure. Both the manifest (through its wire form) and the live answer of any
server go through `canonical_tile`, so that what a real server does that is
NOT a change never shows as one: omitted proto3 defaults are filled in,
fields dashctl does not know are dropped, and tiles are keyed by id so their
order does not matter. Only fields the manifest model knows survive.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.model import TileType

UNSPECIFIED = {
    "granularity": "GRANULARITY_UNSPECIFIED",
    "aggregation": "AGGREGATION_UNSPECIFIED",
    "visualization": "VISUALIZATION_UNSPECIFIED",
}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _insight(wire: Mapping[str, Any]) -> dict[str, Any]:
    query = _mapping(wire.get("query"))
    events = _list(query.get("events"))
    return {
        "query": {
            "events": [{"name": str(_mapping(event).get("name", ""))} for event in events],
            "granularity": str(query.get("granularity") or UNSPECIFIED["granularity"]),
            "aggregation": str(query.get("aggregation") or UNSPECIFIED["aggregation"]),
        },
        "visualization": str(wire.get("visualization") or UNSPECIFIED["visualization"]),
    }


def canonical_tile(wire: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of one tile in wire form (manifest or live)."""
    position = _mapping(wire.get("position"))
    has_insight = isinstance(wire.get("insight"), Mapping)
    has_markdown = isinstance(wire.get("markdown"), Mapping)
    tile_type = wire.get("type") or (
        TileType.INSIGHT.value if has_insight else TileType.MARKDOWN.value if has_markdown else ""
    )
    tile: dict[str, Any] = {
        "id": str(wire.get("id", "")),
        "type": str(tile_type),
        "position": {key: _int(position.get(key, 0)) for key in ("x", "y", "w", "h")},
    }
    if has_insight or (tile_type == TileType.INSIGHT.value and not has_markdown):
        tile["insight"] = _insight(_mapping(wire.get("insight")))
    if has_markdown or (tile_type == TileType.MARKDOWN.value and not has_insight):
        tile["markdown"] = {"content": str(_mapping(wire.get("markdown")).get("content", ""))}
    return tile


def canonical_tiles(tiles: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Tiles keyed by id (the order of a list is not a change)."""
    return {tile["id"]: tile for tile in map(canonical_tile, tiles)}


def canonical_dashboard(wire: Mapping[str, Any]) -> dict[str, Any]:
    """Name and tiles of a dashboard in canonical form, tiles in a stable order."""
    keyed = canonical_tiles(_mapping(tile) for tile in _list(wire.get("tiles")))
    return {"name": str(wire.get("name", "")), "tiles": [keyed[key] for key in sorted(keyed)]}


def fingerprint(wire: Mapping[str, Any]) -> str:
    """A short digest of what a live dashboard holds (not when it was written)."""
    text = json.dumps(canonical_dashboard(wire), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
