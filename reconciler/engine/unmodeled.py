"""Field ownership: which parts of a live tile git owns, and which belong to others. Pure.

Git owns the fields dashctl models (``reconciler.dashboard``): ``id``, ``type``,
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
from dataclasses import dataclass, field

from reconciler.dashboard import TileType
from reconciler.engine.ports import WireObject


@dataclass(frozen=True)
class Level:
    """The modeled keys of one object of a tile: leaves (git's, whatever they hold),
    modeled objects below it, and modeled lists git owns whole (with their items' keys)."""

    leaves: frozenset[str] = frozenset()
    objects: Mapping[str, Level] = field(default_factory=dict)
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    keys: frozenset[str] = field(init=False)  # every modeled key of this object

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", self.leaves | self.objects.keys() | self.lists.keys())


MODELED = Level(
    leaves=frozenset({"id", "type"}),
    objects={
        "position": Level(leaves=frozenset({"x", "y", "w", "h"})),
        "insight": Level(
            leaves=frozenset({"visualization"}),
            objects={"query": Level(leaves=frozenset({"granularity", "aggregation"}),
                                    lists={"events": frozenset({"name"})})},
        ),
        "markdown": Level(leaves=frozenset({"content"})),
    },
)
MODELED_TYPES = frozenset(member.value for member in TileType)
UNSET_TYPES = frozenset({"", "TILE_TYPE_UNSPECIFIED", 0})
WHOLE = "*"  # the path of a tile kept whole


def is_unmodeled_tile(tile: WireObject) -> bool:
    """A tile of a type dashctl does not model (``TILE_TYPE_FUNNEL``, or a bare enum number)."""
    kind = tile.get("type")
    if kind is None or isinstance(kind, bool):
        return False
    if not isinstance(kind, str | int):
        return True  # not a type dashctl could have written: not its to judge
    return kind not in MODELED_TYPES and kind not in UNSET_TYPES


def split_tile(tile: WireObject, level: Level = MODELED) -> tuple[dict[str, object], list[str]]:
    """``(overlay, extras)`` of a modeled tile in one walk: its unmodeled fields, and the
    unknown keys inside lists git owns whole (`owned_list_extras`). Hot: every live tile."""
    if _only_modeled(tile, level):  # the common case, told without building anything
        return {}, []
    known = level.keys
    overlay = {} if known.issuperset(tile) else {
        key: value for key, value in tile.items() if key not in known}
    extras: list[str] = []
    for key, items in level.lists.items():
        value = tile.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict) and not items.issuperset(item):
                    extras += [f"{key}[{index}].{extra}" for extra in item if extra not in items]
    for key, below in level.objects.items():
        value = tile.get(key)
        if isinstance(value, dict):  # JSON objects: dict, cheaper to check than Mapping
            inner, inner_extras = split_tile(value, below)
            if inner:
                overlay[key] = inner
            if inner_extras:
                extras += [f"{key}.{path}" for path in inner_extras]
    return overlay, extras


def _only_modeled(value: WireObject, level: Level) -> bool:
    """Whether an object holds modeled keys only, at every depth (what `split_tile` walks)."""
    if not level.keys.issuperset(value):
        return False
    for key, items in level.lists.items():
        inner = value.get(key)
        if isinstance(inner, list) and not all(
                not isinstance(item, dict) or items.issuperset(item) for item in inner):
            return False
    for key, below in level.objects.items():
        inner = value.get(key)
        if isinstance(inner, dict) and not _only_modeled(inner, below):
            return False
    return True


def unmodeled_fields(tile: WireObject) -> dict[str, object]:
    """The overlay of ``tile``: its unmodeled keys, under the modeled objects holding them."""
    return split_tile(tile)[0]


def owned_list_extras(tile: WireObject) -> list[str]:
    """Unknown keys inside the items of a list git owns whole (they are not kept)."""
    return split_tile(tile)[1]


def kept_paths(overlay: WireObject, level: Level = MODELED, prefix: str = "") -> list[str]:
    """The dotted path of every unmodeled key in ``overlay``, sorted."""
    paths: list[str] = []
    for key, value in overlay.items():
        below = level.objects.get(key)
        if below is not None and isinstance(value, Mapping):
            paths += kept_paths(value, below, f"{prefix}{key}.")
        else:
            paths.append(f"{prefix}{key}")
    return sorted(paths)


def graft(wire: WireObject, overlay: WireObject,
          level: Level = MODELED) -> tuple[dict[str, object], dict[str, object]]:
    """``wire`` with ``overlay`` merged in, and the part of the overlay that was kept.

    Modeled fields always come from ``wire``. An unmodeled key under a modeled
    object that ``wire`` does not have (``insight.title`` when git turned the
    tile into markdown) hangs off a body git replaced, and is not kept.
    """
    merged = dict(wire)
    kept: dict[str, object] = {}
    for key, value in overlay.items():
        below = level.objects.get(key)
        if key not in level.keys:
            merged[key] = value
            kept[key] = value
        elif below is not None and isinstance(value, Mapping):
            inner = wire.get(key)
            if not isinstance(inner, Mapping):
                continue
            merged[key], kept_inner = graft(inner, value, below)
            if kept_inner:
                kept[key] = kept_inner
    return merged, kept
