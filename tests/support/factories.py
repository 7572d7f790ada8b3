"""Tiles, dashboards, manifests and environments for tests: one place to build them.

Two spellings of a tile:

- the manifest form (``insight``, ``markdown``): what a file in the repository
  holds, with dashctl's short enum names (``day``, ``line``) and no type;
- the wire form (``wire_insight``, ``wire_markdown``): what the Dashboards API
  takes and answers, with its enum names (``GRANULARITY_DAY``) and a type.
  ``wire(tile)`` turns a manifest tile into its wire form the way dashctl does.

The manifest helpers lay a markdown tile out beside an insight (x=6); the
wire helpers put a tile at the origin unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reconciler.dashboard import Tile, tile_to_wire
from reconciler.repo.config import Environment
from reconciler.repo.manifest import Manifest, to_manifest
from reconciler.repo.schema import is_valid

Events = str | Sequence[str]


def _events(events: Events) -> list[dict[str, str]]:
    names = [events] if isinstance(events, str) else list(events)
    return [{"name": name} for name in names]


def _position(x: int, y: int, w: int, h: int) -> dict[str, int]:
    return {"x": x, "y": y, "w": w, "h": h}


def insight(tile_id: str, *, x: int = 0, y: int = 0, w: int = 6, h: int = 4,
            events: Events = "page_view", viz: str = "line", granularity: str = "day",
            aggregation: str = "unique_users") -> dict[str, Any]:
    """An insight tile as a manifest holds it."""
    return {"id": tile_id, "position": _position(x, y, w, h),
            "insight": {"query": {"events": _events(events), "granularity": granularity,
                                  "aggregation": aggregation},
                        "visualization": viz}}


def markdown(tile_id: str, content: str = "# Goals", *, x: int = 6, y: int = 0, w: int = 6,
             h: int = 2) -> dict[str, Any]:
    """A markdown tile as a manifest holds it."""
    return {"id": tile_id, "position": _position(x, y, w, h), "markdown": {"content": content}}


def wire(manifest_tile: dict[str, Any]) -> dict[str, Any]:
    """A manifest tile in the API's wire form (API enum names, with type), as dashctl sends it."""
    return dict(tile_to_wire(Tile.model_validate(manifest_tile)))


def _api(prefix: str, value: str | int) -> str | int:
    if isinstance(value, int) or value.startswith(prefix):
        return value
    return f"{prefix}{value.upper()}"


def wire_insight(tile_id: str, *, x: int = 0, y: int = 0, w: int = 6, h: int = 4,
                 events: Events = "page_view", viz: str | int = "line",
                 granularity: str | int = "day", aggregation: str | int = "unique_users",
                 **extra: Any) -> dict[str, Any]:
    """An insight tile as the API carries it: enum values in either spelling (or as
    numbers); ``extra`` fields are set as given."""
    return {"id": tile_id, "type": "TILE_TYPE_INSIGHT", "position": _position(x, y, w, h),
            "insight": {"query": {"events": _events(events),
                                  "granularity": _api("GRANULARITY_", granularity),
                                  "aggregation": _api("AGGREGATION_", aggregation)},
                        "visualization": _api("VISUALIZATION_", viz)},
            **extra}


def wire_markdown(tile_id: str, content: str = "# Goals", *, x: int = 0, y: int = 0, w: int = 6,
                  h: int = 2) -> dict[str, Any]:
    """A markdown tile as the API carries it."""
    return {"id": tile_id, "type": "TILE_TYPE_MARKDOWN", "position": _position(x, y, w, h),
            "markdown": {"content": content}}


# what the product's UI sets on an insight and dashctl does not model
FILTERS = [{"property": "country", "op": "eq", "value": "DE"}]


def ui_edited(manifest_tile: dict[str, Any], title: str = "Daily users") -> dict[str, Any]:
    """A manifest tile in wire form as the UI leaves it after setting a title, filters and a
    colour there."""
    tile = wire(manifest_tile)
    tile["color"] = "blue"
    tile["insight"]["title"] = title
    tile["insight"]["query"]["filters"] = FILTERS
    return tile


# a tile of a type dashctl does not model (set in the UI, or by a newer API)
FUNNEL: dict[str, Any] = {
    "id": "funnel", "type": "TILE_TYPE_FUNNEL", "position": _position(0, 20, 12, 4),
    "funnel": {"steps": [{"event": "signup"}]},
}


def manifest(name: str, *tiles: dict[str, Any], **extra: Any) -> Manifest:
    """A loaded manifest of dashboard ``name`` (``extra``: formerNames, id, ...)."""
    data = {"name": name, "tiles": list(tiles), **extra}
    assert is_valid("dashboard", data), data
    return to_manifest(data, Path(f"{name}.yaml"), from_base=False)


def environment(**fields: Any) -> Environment:
    """An environment named ``test`` (or ``name``) on ``sqlite:x.db`` unless told otherwise."""
    return Environment.model_validate({"url": "sqlite:x.db", **fields}).model_copy(
        update={"name": fields.pop("name", "test")}
    )


def live(dashboard_id: str, name: str, *wire_tiles: dict[str, Any]) -> dict[str, Any]:
    """A live dashboard as Get answers it."""
    return {"id": dashboard_id, "name": name, "tiles": list(wire_tiles),
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-02T00:00:00Z"}
