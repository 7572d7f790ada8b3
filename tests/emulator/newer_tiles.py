"""Tiles carrying what dashboards.proto does not model, as a UI or a newer API sets them."""

from __future__ import annotations

import copy
from typing import Any

from tests.support.factories import wire_insight, wire_markdown


def ui_insight(tile_id: str = "dau", *, x: int = 0, w: int = 6) -> dict[str, Any]:
    """An insight with UI-set fields at several depths."""
    tile = wire_insight(tile_id, x=x, w=w)
    tile["color"] = "#ff8800"
    tile["position"]["unit"] = "cells"
    body = tile["insight"]
    body["title"] = "Daily actives"
    body["query"]["filters"] = [
        {"property": "country", "op": "in", "values": ["FR", "DE"]},
        {"property": "plan", "op": "neq", "values": ["free"], "extra": {"deep": [1, 2.5, None]}},
    ]
    body["query"]["events"].append({"name": "signup", "alias": "Sign-ups", "weight": 2})
    body["query"]["events"][0]["alias"] = "Views"
    body["query"]["breakdown"] = {"property": "browser", "limit": 10}
    return tile


def ui_insight_modeled(tile_id: str = "dau", *, x: int = 0, w: int = 6) -> dict[str, Any]:
    """What dashctl's model knows of ``ui_insight``."""
    tile = wire_insight(tile_id, x=x, w=w)
    tile["insight"]["query"]["events"].append({"name": "signup"})
    return tile


def themed_markdown(tile_id: str = "notes", *, x: int = 0) -> dict[str, Any]:
    tile = wire_markdown(tile_id, x=x)
    tile["markdown"]["theme"] = "dark"
    return tile


def funnel(
    tile_id: str = "conv", x: int = 0, y: int = 4, w: int = 12, h: int = 3
) -> dict[str, Any]:
    """A tile of a type dashctl does not know."""
    return {
        "id": tile_id,
        "type": "TILE_TYPE_FUNNEL",
        "position": {"x": x, "y": y, "w": w, "h": h},
        "funnel": {
            "steps": [{"event": "signup"}, {"event": "purchase", "within": "P7D"}],
            "conversionWindowDays": 7,
        },
        "color": "teal",
    }


def ui_board() -> list[dict[str, Any]]:
    """Three tiles side by side and below: a UI-edited insight, a themed note, a funnel."""
    return [ui_insight("dau", x=0, w=6), themed_markdown("notes", x=6), funnel("conv")]


def with_id(tile: dict[str, Any], tile_id: str) -> dict[str, Any]:
    out = copy.deepcopy(tile)
    out["id"] = tile_id
    return out
