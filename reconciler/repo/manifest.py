"""A dashboard as an environment gets it from the repository: a frozen value.

`to_manifest` is the model step of the manifest pipeline (`repo.pipeline`):
from data the committed JSON Schema accepted, it takes the name and ids and
builds each tile's wire form (`reconciler.dashboard.wire_tile`). The tiles are
held as JSON bytes: 2,000 manifests of 25 tiles are about 12 MB so, not 100 MB
of dicts, and they cross from the loading process to the planning one as one
string each. `wire_tiles` decodes them, a new list each time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from reconciler.dashboard import WireTile, wire_tile


@dataclass(frozen=True)
class Manifest:
    """One dashboard manifest, with the file that declared it.

    ``path`` is the file in base/ or in the environment's own folder;
    ``from_base`` says which.
    """

    name: str
    path: Path
    from_base: bool = False
    pinned_id: str | None = None
    former_names: tuple[str, ...] = ()
    tiles_json: bytes = field(default=b"[]", repr=False)

    @property
    def wire_tiles(self) -> list[WireTile]:
        """The tiles in wire form, as dashctl sends them (a new list each time)."""
        tiles: list[WireTile] = orjson.loads(self.tiles_json)
        return tiles

    @property
    def tile_ids(self) -> list[str]:
        return [str(tile.get("id", "")) for tile in self.wire_tiles]


def to_manifest(data: Mapping[str, Any], path: Path, *, from_base: bool) -> Manifest:
    """The manifest of schema-checked (and interpolated) data read from ``path``."""
    tiles = [wire_tile(tile) for tile in data.get("tiles") or []]
    return Manifest(
        name=data["name"],
        path=path,
        from_base=from_base,
        pinned_id=data.get("id"),
        former_names=tuple(data.get("formerNames") or ()),
        tiles_json=orjson.dumps(tiles),
    )
