"""The two Connect codecs the emulator speaks: ``application/json`` and ``application/proto``.

JSON is the proto3 JSON mapping (google.protobuf.json_format; answers through
``jsonenc``, a faster encoder of the same output): camelCase names,
enum names, RFC 3339 Timestamps. Requests are read leniently (unknown fields
and unknown enum names ignored, as connect-go does); answers are written

- plainly: every field filled in, defaults included (``"x": 0``), compact;
- with quirks: defaults omitted, as proto3 JSON allows, and fields dashctl
  does not know added to every dashboard and tile (``etag``, ``theme``, ...).

The binary codec is the library's; quirks reach it through unknown fields
that the service attaches to the messages (see ``quirks.py``).
"""

from __future__ import annotations

import json
from typing import Any

from connectrpc.code import Code
from connectrpc.compat import google_protobuf_binary_codec
from connectrpc.errors import ConnectError
from google.protobuf import json_format

from reconciler.emulator import quirks
from reconciler.emulator.jsonenc import JsonEncoder


class JsonCodec:
    """The proto3 JSON codec, compact, with or without quirks."""

    def __init__(self, *, quirks: bool = False) -> None:
        self._quirks = quirks
        self._encoder = JsonEncoder(always_print_fields_with_no_presence=not quirks)

    def name(self) -> str:
        return "json"

    def encode(self, message: Any) -> bytes:
        try:
            data = self._encoder.to_dict(message)
            if self._quirks:
                quirks.add_json_extras(data)
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        except Exception as error:  # an answer we cannot write is our bug: internal
            raise ConnectError(Code.INTERNAL, f"cannot encode the answer: {error}") from error

    def decode(self, data: bytes | bytearray, message_class: type[Any]) -> Any:
        message = message_class()
        json_format.Parse(bytes(data), message, ignore_unknown_fields=True)
        return message


def emulator_codecs(*, quirks: bool) -> list[Any]:
    """The codecs for ConnectASGIApplication: binary first, then JSON."""
    return [google_protobuf_binary_codec(), JsonCodec(quirks=quirks)]
