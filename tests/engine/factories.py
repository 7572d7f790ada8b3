"""Plain values for engine tests: manifests, live dashboards, environments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.model import Dashboard
from reconciler.repo.models import Environment, Manifest


def insight(tile_id: str, x: int = 0, y: int = 0, w: int = 6, h: int = 4,
            event: str = "page_view") -> dict[str, Any]:
    return {
        "id": tile_id,
        "position": {"x": x, "y": y, "w": w, "h": h},
        "insight": {
            "query": {"events": [{"name": event}], "granularity": "day",
                      "aggregation": "unique_users"},
            "visualization": "line",
        },
    }


def markdown(tile_id: str, content: str = "# Goals", x: int = 6, y: int = 0) -> dict[str, Any]:
    return {"id": tile_id, "position": {"x": x, "y": y, "w": 6, "h": 2},
            "markdown": {"content": content}}


def manifest(name: str, *tiles: dict[str, Any], **extra: Any) -> Manifest:
    dashboard = Dashboard.model_validate({"name": name, "tiles": list(tiles), **extra})
    return Manifest(dashboard=dashboard, path=Path(f"{name}.yaml"), from_base=False)


def environment(**fields: Any) -> Environment:
    return Environment.model_validate({"url": "sqlite:x.db", **fields}).model_copy(
        update={"name": fields.pop("name", "test")}
    )


def live(dashboard_id: str, name: str, *wire_tiles: dict[str, Any]) -> dict[str, Any]:
    return {"id": dashboard_id, "name": name, "tiles": list(wire_tiles),
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-02T00:00:00Z"}


# a tile of a type dashctl does not model (set in the UI, or by a newer API)
FUNNEL: dict[str, Any] = {
    "id": "funnel", "type": "TILE_TYPE_FUNNEL", "position": {"x": 0, "y": 20, "w": 12, "h": 4},
    "funnel": {"steps": [{"event": "signup"}]},
}
