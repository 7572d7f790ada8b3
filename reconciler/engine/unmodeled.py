"""Field ownership: which parts of a live tile git owns, and which belong to others. Pure.

Git owns the fields dashctl models (``reconciler.model``): ``id``, ``type``,
``position.{x,y,w,h}``, ``insight.query.{events,granularity,aggregation}``,
``insight.visualization`` and ``markdown.content``. Everything else on a live
tile is **unmodeled**: set in the product's UI or by a newer API, and owned by
whoever set it. A tile of a type dashctl does not model (``TILE_TYPE_FUNNEL``)
is unmodeled whole.

The unmodeled fields of a tile are held as an *overlay*: the tile with every
modeled leaf taken out, so only unknown keys (with their whole values) and the
modeled objects leading to them remain::

    {"color": "red", "insight": {"title": "DAU", "query": {"filters": [...]}}}

`kept_paths` names them as dotted paths (``color``, ``insight.title``,
``insight.query.filters``).

``insight.query.events`` is a list git owns whole (SPEC §4): an unknown key
inside one of its events (``events[0].filter``) cannot be kept, because the
list sent is the manifest's; `owned_list_extras` names such keys, so the
plan can warn before apply drops them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import TileType

# The modeled fields as a tree: a dict is a modeled object whose other keys are
# unmodeled; None is a modeled leaf (its value is git's, whatever it holds); a
# frozenset is a modeled list owned whole, naming the keys its items model.
Schema = Mapping[str, Any]
MODELED: Schema = {
    "id": None,
    "type": None,
    "position": {"x": None, "y": None, "w": None, "h": None},
    "insight": {
        "query": {"events": frozenset({"name"}), "granularity": None, "aggregation": None},
        "visualization": None,
    },
    "markdown": {"content": None},
}
MODELED_TYPES = frozenset(member.value for member in TileType)
UNSET_TYPES = frozenset({"", "TILE_TYPE_UNSPECIFIED", 0})
WHOLE = "*"  # the path of a tile kept whole


def is_unmodeled_tile(tile: Mapping[str, Any]) -> bool:
    """A tile of a type dashctl does not model (``TILE_TYPE_FUNNEL``, or a bare enum number)."""
    kind = tile.get("type")
    if kind is None or isinstance(kind, bool):
        return False
    if not isinstance(kind, str | int):
        return True  # not a type dashctl could have written: not its to judge
    return kind not in MODELED_TYPES and kind not in UNSET_TYPES


def unmodeled_fields(tile: Mapping[str, Any], schema: Schema = MODELED) -> dict[str, Any]:
    """The overlay of ``tile``: its unmodeled keys, under the modeled objects holding them."""
    overlay: dict[str, Any] = {}
    for key, value in tile.items():
        if key not in schema:
            overlay[key] = value
            continue
        below = schema[key]
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            inner = unmodeled_fields(value, below)
            if inner:
                overlay[key] = inner
    return overlay


def kept_paths(overlay: Mapping[str, Any], schema: Schema = MODELED, prefix: str = "") -> list[str]:
    """The dotted path of every unmodeled key in ``overlay``, sorted."""
    paths: list[str] = []
    for key, value in overlay.items():
        below = schema.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            paths += kept_paths(value, below, f"{prefix}{key}.")
        else:
            paths.append(f"{prefix}{key}")
    return sorted(paths)


def owned_list_extras(tile: Mapping[str, Any], schema: Schema = MODELED,
                      prefix: str = "") -> list[str]:
    """Unknown keys inside the items of a list git owns whole (they are not kept)."""
    paths: list[str] = []
    for key, below in schema.items():
        value = tile.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            paths += owned_list_extras(value, below, f"{prefix}{key}.")
        elif isinstance(below, frozenset) and isinstance(value, list):
            paths += [
                f"{prefix}{key}[{index}].{extra}"
                for index, item in enumerate(value) if isinstance(item, Mapping)
                for extra in item if extra not in below
            ]
    return paths


def graft(wire: Mapping[str, Any], overlay: Mapping[str, Any],
          schema: Schema = MODELED) -> tuple[dict[str, Any], dict[str, Any]]:
    """``wire`` with ``overlay`` merged in, and the part of the overlay that was kept.

    Modeled fields always come from ``wire``. An unmodeled key under a modeled
    object that ``wire`` does not have (``insight.title`` when git turned the
    tile into markdown) hangs off a body git replaced, and is not kept.
    """
    merged = dict(wire)
    kept: dict[str, Any] = {}
    for key, value in overlay.items():
        below = schema.get(key)
        if key not in schema:
            merged[key] = value
            kept[key] = value
        elif isinstance(below, Mapping) and isinstance(value, Mapping):
            inner = wire.get(key)
            if not isinstance(inner, Mapping):
                continue
            merged[key], kept_inner = graft(inner, value, below)
            if kept_inner:
                kept[key] = kept_inner
    return merged, kept
