"""A fast proto3 JSON encoder for the emulator's answers.

``google.protobuf.json_format.MessageToDict`` walks every message generically
and costs about a millisecond for a 25-tile dashboard: most of a Get. This
encoder compiles each message type once into a list of field plans and then
only reads attributes. It covers the field kinds dashboards.v1 uses (strings,
32-bit integers, bools, enums, messages, repeated fields and
google.protobuf.Timestamp) and yields exactly what ``MessageToDict`` yields;
a message type holding any other kind (maps, 64-bit integers, floats, bytes,
other well-known types) is left to ``MessageToDict``. Keys come in field
order. A test checks the equality on generated messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor as d
from google.protobuf import json_format

Encode = Callable[[Any], Any]

_SCALARS = {
    d.FieldDescriptor.CPPTYPE_STRING,
    d.FieldDescriptor.CPPTYPE_INT32,
    d.FieldDescriptor.CPPTYPE_UINT32,
    d.FieldDescriptor.CPPTYPE_BOOL,
}
_TIMESTAMP = "google.protobuf.Timestamp"


class Unsupported(Exception):
    """A message type this encoder does not cover."""


def _timestamp(value: Any) -> str:
    return str(value.ToJsonString())


def _identity(value: Any) -> Any:
    return value


class _Field:
    __slots__ = ("default", "encode", "json_name", "kind", "name")

    def __init__(self, name: str, json_name: str, kind: str, encode: Encode, default: Any) -> None:
        self.name = name
        self.json_name = json_name
        self.kind = kind  # "repeated", "message" (has presence) or "scalar"
        self.encode = encode
        self.default = default


class JsonEncoder:
    """proto3 JSON dicts of messages, with or without fields at their default value."""

    def __init__(self, *, always_print_fields_with_no_presence: bool) -> None:
        self._always = always_print_fields_with_no_presence
        self._plans: dict[str, list[_Field] | None] = {}

    def to_dict(self, message: Any) -> dict[str, Any]:
        descriptor = message.DESCRIPTOR
        try:
            plan = self._plan(descriptor)
        except Unsupported:
            plan = None
        if plan is None or descriptor.full_name == _TIMESTAMP:
            result: dict[str, Any] = json_format.MessageToDict(
                message, always_print_fields_with_no_presence=self._always
            )
            return result
        return self._encode(plan, message)

    def _encode(self, plan: list[_Field], message: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        always = self._always
        for field in plan:
            if field.kind == "message":
                if message.HasField(field.name):
                    out[field.json_name] = field.encode(getattr(message, field.name))
            elif field.kind == "repeated":
                values = getattr(message, field.name)
                if values or always:
                    encode = field.encode
                    out[field.json_name] = [encode(value) for value in values]
            else:
                value = getattr(message, field.name)
                if always or value != field.default:
                    out[field.json_name] = field.encode(value)
        return out

    def _plan(self, descriptor: Any) -> list[_Field] | None:
        name = descriptor.full_name
        if name in self._plans:
            plan = self._plans[name]
            if plan is None:
                raise Unsupported(name)
            return plan
        self._plans[name] = None  # guards recursion; replaced below
        fields = [self._field(field) for field in descriptor.fields]
        self._plans[name] = fields
        return fields

    def _field(self, field: Any) -> _Field:
        if field.is_extension or (field.message_type and field.message_type.GetOptions().map_entry):
            raise Unsupported(field.full_name)
        kind = "repeated" if field.is_repeated else "scalar"
        if field.cpp_type == d.FieldDescriptor.CPPTYPE_MESSAGE:
            encode = self._message_encoder(field.message_type)
            if not field.is_repeated:
                kind = "message"
        elif field.cpp_type == d.FieldDescriptor.CPPTYPE_ENUM:
            encode = _enum_encoder(field.enum_type)
        elif field.cpp_type in _SCALARS:
            encode = _identity
        else:
            raise Unsupported(field.full_name)
        if kind == "scalar" and field.has_presence:
            kind = "message"  # proto3 `optional`: printed when set, like a message
        return _Field(field.name, field.json_name, kind, encode, field.default_value)

    def _message_encoder(self, descriptor: Any) -> Encode:
        if descriptor.full_name == _TIMESTAMP:
            return _timestamp
        if descriptor.full_name.startswith("google.protobuf."):
            raise Unsupported(descriptor.full_name)
        plan = self._plan(descriptor)
        assert plan is not None
        encode = self._encode
        return lambda message: encode(plan, message)


def _enum_encoder(enum: Any) -> Encode:
    if enum.full_name == "google.protobuf.NullValue":
        raise Unsupported(enum.full_name)
    names = {value.number: value.name for value in enum.values}
    return lambda number: names.get(number, number)
