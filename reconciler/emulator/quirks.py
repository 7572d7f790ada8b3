"""What ``--quirks`` changes in answers: the liberties a real server may take.

- tiles come back ordered by position (y, then x), not in the order stored;
- proto3 defaults are omitted in JSON (``x: 0``, ``y: 0``, empty lists...);
- fields dashctl does not know are added to every dashboard and tile: in JSON
  as extra keys, in binary as unknown fields (numbers 1000 and up), which a
  protobuf parser keeps aside.
"""

from __future__ import annotations

import hashlib
from typing import Any

from google.protobuf.message import Message

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb

_UNKNOWN_FIELD_FIRST = 1000


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _string_field(number: int, text: str) -> bytes:
    payload = text.encode()
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _etag(*parts: str) -> str:
    return 'W/"' + hashlib.sha1("|".join(parts).encode()).hexdigest()[:16] + '"'


def dashboard_extras(dashboard_id: str, updated: str) -> dict[str, object]:
    return {"etag": _etag(dashboard_id, updated), "theme": "THEME_LIGHT", "folder": "General"}


def tile_extras(tile_id: str) -> dict[str, object]:
    return {"theme": "auto", "style": {"color": "#3366cc", "legend": True}, "etag": _etag(tile_id)}


def reorder_tiles(dashboard: pb.Dashboard) -> None:
    """Order the tiles by position (y, then x), as a grid-minded server would."""
    tiles = sorted(dashboard.tiles, key=lambda tile: (tile.position.y, tile.position.x))
    copies = [type(tile)() for tile in tiles]
    for copy, tile in zip(copies, tiles, strict=True):
        copy.CopyFrom(tile)
    del dashboard.tiles[:]
    dashboard.tiles.extend(copies)


def add_unknown_fields(message: Message, extras: dict[str, object]) -> None:
    """Attach ``extras`` (the string ones) as unknown fields of a protobuf message."""
    raw = b"".join(
        _string_field(_UNKNOWN_FIELD_FIRST + index, f"{key}={value}")
        for index, (key, value) in enumerate(extras.items())
        if isinstance(value, str)
    )
    message.MergeFromString(raw)


def decorate(dashboard: pb.Dashboard | pb.DashboardSummary) -> None:
    """Apply the binary-visible quirks to a Dashboard (and its tiles) or a DashboardSummary
    in place."""
    if isinstance(dashboard, pb.Dashboard):
        reorder_tiles(dashboard)
        for tile in dashboard.tiles:
            add_unknown_fields(tile, tile_extras(tile.id))
    add_unknown_fields(dashboard, dashboard_extras(dashboard.id, str(dashboard.updated_at.seconds)))


def _add_missing(target: dict[str, Any], extras: dict[str, object]) -> None:
    for key, value in extras.items():
        target.setdefault(key, value)


def add_json_extras(data: dict[str, Any]) -> None:
    """Add the unknown keys to the dashboards of an answer in JSON form.

    A key the answer already holds (a field a client stored under
    ``--newer-api``) is left as it is."""
    dashboards: list[Any] = []
    if isinstance(data.get("dashboard"), dict):
        dashboards.append(data["dashboard"])
    if isinstance(data.get("dashboards"), list):
        dashboards.extend(data["dashboards"])
    for dashboard in dashboards:
        _add_missing(
            dashboard,
            dashboard_extras(str(dashboard.get("id", "")), str(dashboard.get("updatedAt", ""))),
        )
        for tile in dashboard.get("tiles", ()):
            _add_missing(tile, tile_extras(str(tile.get("id", ""))))
