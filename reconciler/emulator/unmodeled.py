"""Tile content the proto does not model, as ``dashctl serve --newer-api`` keeps it.

A server whose API has grown past dashctl's model returns what a client set,
including fields and tile types that ``dashboards.proto`` does not define
(set in the product's UI, or by a newer client): ``insight.title``,
``insight.query.filters``, ``insight.query.events[0].alias``, a top-level
``color``, a ``TILE_TYPE_FUNNEL`` tile with a ``funnel`` body, ...

How each codec keeps it (a tile is always stored as its protobuf message,
plus, for a tile sent in JSON, the JSON it carried beyond the proto):

- **binary** (``application/proto``): protobuf keeps the unknown fields of a
  parsed message (of the Tile and of every nested message) and a number of an
  enum it does not know (``type = 7``); the stored message is serialized with
  them, so a binary read returns exactly what a binary client sent.
- **JSON**: the proto3 JSON parser drops what it does not know, so the codec
  also keeps the **unmodeled part** of each sent tile (``unmodeled_part``):
  the keys that name no field, at any depth, and an enum name the proto lacks
  (``"type": "TILE_TYPE_FUNNEL"``), in the nesting of the tile. A JSON read
  lays it over the modeled fields in the server's usual form (``overlay``),
  so it returns the sent object.
- **across codecs** the modeled fields always agree. What one codec sent
  beyond the proto has no form in the other and is left out of that view
  (still stored): JSON names have no field numbers, so a binary reader of a
  JSON-sent tile sees the modeled fields only, and an unknown type name as
  ``TILE_TYPE_UNSPECIFIED`` (0); unknown binary fields have no names, so a
  JSON reader of a binary-sent tile sees the modeled fields only, and an
  unknown type number as that number (``"type": 7``, the proto3 JSON form).
- Upsert replaces every tile: what a tile holds is what its latest sender
  sent, in that sender's codec; nothing of an earlier version is merged in.

This module holds the pure parts: finding the unmodeled part of a JSON tile,
laying it back over a JSON answer, and the two small carriers between the
codecs and the service (``SentTiles`` for an Upsert read from JSON,
``WithUnmodeled`` for an answer holding a dashboard). Tile's message tree has
only scalars, enums, messages and repeated messages, which is what
``unmodeled_part`` walks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb

JsonObject = dict[str, Any]
Unmodeled = Mapping[str, JsonObject]
"""Per tile id, the unmodeled part of that tile as a JSON client sent it."""

Message = TypeVar("Message", covariant=True)

_TILE = pb.DESCRIPTOR.message_types_by_name["Tile"]
"""``pb.Tile.DESCRIPTOR``, typed as protobuf's Descriptor (the stubs type a message's own
attribute as either runtime's, pure Python or upb, whose descriptor classes differ)."""


@dataclass(frozen=True)
class SentTiles:
    """An UpsertRequest read from JSON, with the unmodeled part of each tile (same order)."""

    message: pb.UpsertRequest
    unmodeled: list[JsonObject]


@dataclass(frozen=True)
class WithUnmodeled(Generic[Message]):
    """An answer holding a ``dashboard``, with the unmodeled parts of its tiles by id."""

    message: Message
    unmodeled: Unmodeled


def _field(descriptor: Descriptor, key: str) -> FieldDescriptor | None:
    """The field a JSON key names (its JSON name or its proto name), as the parser finds it."""
    for field in descriptor.fields:
        if key in (field.json_name, field.name):
            return field
    return None


def _is_unknown_enum_name(enum: EnumDescriptor, value: object) -> bool:
    """A string the JSON parser ignores for this enum: not a value name, not a number."""
    if not isinstance(value, str) or value in enum.values_by_name:
        return False
    try:
        int(value)
    except ValueError:
        return True
    return False


def unmodeled_part(obj: Mapping[str, Any], descriptor: Descriptor) -> JsonObject:
    """What of the JSON object ``obj`` (a ``descriptor`` message) the proto does not model.

    Unknown keys come with their values as sent; a known message field
    contributes its own unmodeled part (when not empty), a repeated one a list
    of them in the sent order; an enum name the proto lacks is kept. Known
    values (and nulls of known fields) are the parser's business: left out.
    """
    out: JsonObject = {}
    for key, value in obj.items():
        field = _field(descriptor, key)
        if field is None:
            out[key] = value
        elif field.message_type is not None:
            if field.is_repeated and isinstance(value, list):
                parts = [
                    unmodeled_part(item, field.message_type) if isinstance(item, dict) else {}
                    for item in value
                ]
                if any(parts):
                    out[field.json_name] = parts
            elif isinstance(value, dict):
                part = unmodeled_part(value, field.message_type)
                if part:
                    out[field.json_name] = part
        elif field.enum_type is not None and _is_unknown_enum_name(field.enum_type, value):
            out[field.json_name] = value
    return out


def overlay(base: Mapping[str, Any], extra: Mapping[str, Any]) -> JsonObject:
    """``base`` (modeled fields, server form) with the unmodeled part ``extra`` laid over it.

    Objects merge key by key and a modeled list (``events``) element by
    element; any other value of ``extra`` replaces or adds its key. ``base``
    is not changed.
    """
    out = dict(base)
    for key, value in extra.items():
        current = out.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            out[key] = overlay(current, value)
        elif isinstance(value, list) and isinstance(current, list) and len(value) == len(current):
            out[key] = [
                overlay(old, new) if isinstance(old, dict) and isinstance(new, dict) else new
                for old, new in zip(current, value, strict=True)
            ]
        else:
            out[key] = value
    return out


def overlay_tiles(answer: JsonObject, unmodeled: Unmodeled) -> None:
    """Lay each tile's unmodeled part over the tiles of ``answer["dashboard"]``, in place."""
    dashboard = answer.get("dashboard")
    if not isinstance(dashboard, dict) or not isinstance(dashboard.get("tiles"), list):
        return
    tiles: list[Any] = dashboard["tiles"]
    for index, tile in enumerate(tiles):
        extra = unmodeled.get(str(tile.get("id", ""))) if isinstance(tile, dict) else None
        if extra:
            tiles[index] = overlay(tile, extra)


def sent_type_name(part: Mapping[str, Any]) -> str | None:
    """The tile type a JSON client named that the proto does not know, if any."""
    value = part.get("type")
    return value if isinstance(value, str) else None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> JsonObject:
    out: JsonObject = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def parse_upsert(data: bytes | bytearray) -> SentTiles:
    """An UpsertRequest from its JSON body (leniently, as the plain codec reads it),
    with the unmodeled part of every tile."""
    raw = json.loads(bytes(data), object_pairs_hook=_no_duplicate_keys)
    message = pb.UpsertRequest()
    json_format.ParseDict(raw, message, ignore_unknown_fields=True)
    sent = raw.get("tiles") if isinstance(raw, dict) else None
    tiles = sent if isinstance(sent, list) else []
    parts = [
        unmodeled_part(tile, _TILE) if isinstance(tile, dict) else {}
        for tile in tiles
    ]
    if len(parts) != len(message.tiles):  # cannot happen once the parser accepted the body
        raise ValueError("tiles do not match the parsed request")
    return SentTiles(message=message, unmodeled=parts)
