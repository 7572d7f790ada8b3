"""The two Connect codecs the emulator speaks: ``application/json`` and ``application/proto``.

JSON is the proto3 JSON mapping (google.protobuf.json_format; answers through
``jsonenc``, a faster encoder of the same output): camelCase names,
enum names, RFC 3339 Timestamps. Requests are read leniently (unknown fields
and unknown enum names ignored, as connect-go does); answers are written

- plainly: every field filled in, defaults included (``"x": 0``), compact;
- with quirks: defaults omitted, as proto3 JSON allows, and fields dashctl
  does not know added to every dashboard and tile (``etag``, ``theme``, ...)
  where the stored tile does not already hold that key.

With ``newer_api`` the JSON codec also keeps, for an Upsert, what each tile
carried beyond the proto (a ``SentTiles`` for the service), and lays it back
over the tiles of an answer that holds it (a ``WithUnmodeled``); see
``unmodeled.py`` for what each codec keeps and how reads across codecs work.

The binary codec is the library's (protobuf keeps unknown fields by itself),
unwrapping a ``WithUnmodeled``; quirks reach it through unknown fields that
the service attaches to the messages (see ``quirks.py``).
"""

from __future__ import annotations

import json
from typing import TypeVar

from connectrpc.code import Code
from connectrpc.compat import google_protobuf_binary_codec
from connectrpc.errors import ConnectError
from google.protobuf import json_format
from google.protobuf.message import Message

from reconciler.emulator import quirks
from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.jsonenc import JsonEncoder
from reconciler.emulator.unmodeled import (
    SentTiles,
    Unmodeled,
    WithUnmodeled,
    overlay_tiles,
    parse_upsert,
)

Decoded = TypeVar("Decoded", bound=Message)
Answer = Message | WithUnmodeled[Message]
"""What a handler answers: a message, or (newer_api) one with unmodeled tile content."""


def _unwrap(answer: Answer) -> tuple[Message, Unmodeled | None]:
    """The message of an answer, and the unmodeled tile parts it carries (or None)."""
    if isinstance(answer, WithUnmodeled):
        return answer.message, answer.unmodeled
    return answer, None


class JsonCodec:
    """The proto3 JSON codec, compact, with or without quirks, keeping unmodeled tile content
    with ``newer_api``."""

    def __init__(self, *, quirks: bool = False, newer_api: bool = False) -> None:
        self._quirks = quirks
        self._newer_api = newer_api
        self._encoder = JsonEncoder(always_print_fields_with_no_presence=not quirks)

    def name(self) -> str:
        return "json"

    def encode(self, answer: Answer) -> bytes:
        try:
            message, unmodeled = _unwrap(answer)
            data = self._encoder.to_dict(message)
            if unmodeled:
                overlay_tiles(data, unmodeled)
            if self._quirks:
                quirks.add_json_extras(data)
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        except Exception as error:  # an answer we cannot write is our bug: internal
            raise ConnectError(Code.INTERNAL, f"cannot encode the answer: {error}") from error

    def decode(self, data: bytes | bytearray, message_class: type[Decoded]) -> Decoded | SentTiles:
        if self._newer_api and message_class is pb.UpsertRequest:
            return parse_upsert(data)
        message = message_class()
        json_format.Parse(bytes(data), message, ignore_unknown_fields=True)
        return message


class ProtoCodec:
    """The library's binary protobuf codec, writing the message of a ``WithUnmodeled``."""

    def __init__(self) -> None:
        self._codec = google_protobuf_binary_codec()

    def name(self) -> str:
        return str(self._codec.name())

    def encode(self, answer: Answer) -> bytes:
        return bytes(self._codec.encode(_unwrap(answer)[0]))

    def decode(self, data: bytes | bytearray, message_class: type[Decoded]) -> Decoded:
        decoded: Decoded = self._codec.decode(data, message_class)
        return decoded


def emulator_codecs(
    *, quirks: bool, newer_api: bool = False
) -> list[ProtoCodec | JsonCodec]:
    """The codecs for ConnectASGIApplication: binary first, then JSON."""
    return [ProtoCodec(), JsonCodec(quirks=quirks, newer_api=newer_api)]
