"""Merge a live dashboard into a round-trip YAML manifest document (pure).

The document is the ruamel.yaml round-trip tree of a manifest file
(``CommentedMap``). `update_document` changes only what differs from the live
dashboard, so comments, key order and the formatting of untouched parts stay
as they were:

- tiles are matched by id; existing tiles keep their order, removed ones are
  dropped (with the comment lines that led them), new ones are appended;
- a value that already means the live value is left alone: an enum in either
  spelling (``GRANULARITY_DAY`` / ``day``), a ``${var}`` string that
  interpolates to it, an omitted ``x``/``y`` for 0;
- changed enum values are written in the short form (``week``), the scalar
  style of a replaced string (``|`` block, quotes) is kept;
- a live ``${...}`` is written ``$${...}``, which the loader reads back as it was;
- ``formerNames``, a pinned ``id`` and any other top-level key are kept.

`new_document` builds the manifest of a dashboard that has no file yet. No
server-owned field (createdAt, updatedAt, unknown fields, the dashboard id)
is ever written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from reconciler.dashboard import ENUM_PREFIXES, Aggregation, Granularity, TileType, Visualization
from reconciler.dashboard import short_form as _short_form
from reconciler.engine.normalize import canonical_tile
from reconciler.repo.interpolate import interpolate as _interpolate
from reconciler.repo.yaml_io import needs_escapes

MODELINE = "yaml-language-server: $schema=../../schemas/dashboard.schema.json"

ENUM_KEYS: dict[str, str] = {
    "type": ENUM_PREFIXES[TileType],
    "granularity": ENUM_PREFIXES[Granularity],
    "aggregation": ENUM_PREFIXES[Aggregation],
    "visualization": ENUM_PREFIXES[Visualization],
}
FLOW_KEYS = frozenset({"position", "events"})  # written inline: {x: 0, ...}, [{name: ...}]
DEFAULT_ZERO = frozenset({"x", "y"})
# the "$" of a "${...}" that the loader would read as a reference (see repo/interpolate.py)
_REFERENCE_START = re.compile(r"\$(?=\{[^{}]*\})")

def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """A string as the loader reads it: ``${name}`` replaced, ``$${name}`` unescaped."""
    if "$" not in text:
        return text
    return str(_interpolate(text, variables, lambda _path, _message: None, scope="pull"))


def short_form(value: str) -> str:
    return _short_form(value)


def manifest_tile(wire: Mapping[str, Any], *, with_type: bool = False) -> dict[str, Any]:
    """A live tile as a manifest writes it: canonical, short enums, no type unless asked."""
    tile = canonical_tile(wire)
    tile["type"] = short_form(tile["type"])
    if "insight" in tile:
        insight = tile["insight"]
        query = insight["query"]
        query["granularity"] = short_form(query["granularity"])
        query["aggregation"] = short_form(query["aggregation"])
        insight["visualization"] = short_form(insight["visualization"])
    if not with_type:
        del tile["type"]
    return tile


def live_tiles(live: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The live tiles in wire form (server-owned and unknown fields are dropped later)."""
    tiles = live.get("tiles")
    return [tile for tile in tiles if isinstance(tile, Mapping)] if isinstance(tiles, list) else []


# --- comparing a file value with a live value --------------------------------------------------


def _expand(key: str, value: str) -> str:
    prefix = ENUM_KEYS[key]
    if value.islower() and not value.startswith(prefix.lower()):
        return prefix + value.upper()
    return value


def same_value(key: str, have: Any, want: Any, variables: Mapping[str, str]) -> bool:
    """Does the file's scalar ``have`` already mean the live scalar ``want``?"""
    if isinstance(have, str) and isinstance(want, str):
        text = interpolate(str(have), variables)
        if key in ENUM_KEYS:
            return _expand(key, text) == _expand(key, want)
        return text == want
    if isinstance(have, bool) or isinstance(want, bool):
        return have is want
    if isinstance(have, int) and isinstance(want, int):
        return int(have) == want
    if isinstance(have, str) and isinstance(want, int):
        return interpolate(have, variables) == str(want)
    return bool(have == want)


def escape_references(text: str) -> str:
    """A live string as a manifest must hold it: each ``${...}`` written ``$${...}``.

    The loader reads ``$${name}`` as the literal ``${name}``, so interpolation
    gives the live text back; without the escape it would be a variable.
    """
    return _REFERENCE_START.sub("$$", text) if "${" in text else text


def _styled(old: Any, new: Any) -> Any:
    """``new`` in the scalar style ``old`` had (block literal, quotes), when it was a string
    that style can hold."""
    if isinstance(old, ScalarString) and isinstance(new, str) and not needs_escapes(new):
        return type(old)(escape_references(new))
    return _built(new)


def _built(value: Any, key: str | None = None) -> Any:
    """A fresh round-trip node for a value the file does not have yet."""
    if isinstance(value, Mapping):
        node = CommentedMap(
            (child_key, _built(child, child_key)) for child_key, child in value.items()
        )
        if key == "position":
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_built(item) for item in value)
        if key in FLOW_KEYS:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and needs_escapes(value):  # a control character: escaped (SPEC §3)
        return DoubleQuotedScalarString(escape_references(value))
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(escape_references(value))
    return escape_references(value) if isinstance(value, str) else value


# --- merging ------------------------------------------------------------------------------------


def merge_mapping(
    have: CommentedMap, want: Mapping[str, Any], variables: Mapping[str, str]
) -> bool:
    """Make ``have`` mean ``want``, touching only what differs. True when anything changed."""
    tail = detach_tail(have)
    changed = False
    for key, value in want.items():
        if key not in have:
            if key in DEFAULT_ZERO and value == 0:
                continue  # an omitted x/y already means 0
            have[key] = _built(value, key)
            changed = True
            continue
        current = have[key]
        if isinstance(value, Mapping) and isinstance(current, CommentedMap):
            changed |= merge_mapping(current, value, variables)
        elif isinstance(value, list) and isinstance(current, CommentedSeq):
            changed |= merge_sequence(current, value, variables)
        elif not same_value(str(key), current, value, variables):
            have[key] = _styled(current, value)
            changed = True
    for key in [key for key in have if key not in want]:
        del have[key]
        changed = True
    attach_tail(have, tail)
    return changed


def merge_sequence(have: CommentedSeq, want: Sequence[Any], variables: Mapping[str, str]) -> bool:
    """Element by element (used for ``events``): common prefix merged, the rest cut or added."""
    changed = False
    for index, value in enumerate(want[: len(have)]):
        current = have[index]
        if isinstance(value, Mapping) and isinstance(current, CommentedMap):
            changed |= merge_mapping(current, value, variables)
        elif not same_value("", current, value, variables):
            have[index] = _styled(current, value)
            changed = True
    tail = detach_tail(have)
    while len(have) > len(want):
        remove_item(have, len(have) - 1)
        changed = True
    for value in want[len(have) :]:
        have.append(_built(value))
        changed = True
    attach_tail(have, tail)
    return changed


def _tile_id(tile: Any, variables: Mapping[str, str]) -> str | None:
    if isinstance(tile, CommentedMap) and isinstance(tile.get("id"), str | int):
        return interpolate(str(tile["id"]), variables)
    return None


def _placement(tile: Mapping[str, Any]) -> tuple[int, int, str]:
    position = tile["position"]
    return (position["y"], position["x"], tile["id"])


def merge_tiles(
    document: CommentedMap, live: Mapping[str, Any], variables: Mapping[str, str]
) -> bool:
    """Tile by tile, by id: keep the file's order, drop removed tiles, append new ones."""
    wanted = {tile["id"]: tile for tile in map(canonical_tile, live_tiles(live))}
    seq = document.get("tiles")
    if not isinstance(seq, CommentedSeq):
        if not wanted and "tiles" not in document:
            return False
        seq = CommentedSeq()
        document["tiles"] = seq
    changed = False
    seen: set[str] = set()
    for index in reversed(range(len(seq))):
        tile_id = _tile_id(seq[index], variables)
        if tile_id is None or tile_id not in wanted or tile_id in seen:
            remove_item(seq, index, document, "tiles")
            changed = True
            continue
        seen.add(tile_id)
        desired = manifest_tile(wanted[tile_id], with_type="type" in seq[index])
        changed |= merge_mapping(seq[index], desired, variables)
    added = sorted((wanted[key] for key in wanted if key not in seen), key=_placement)
    tail = detach_tail(seq) if added else ""
    for tile in added:
        seq.append(_built(manifest_tile(tile)))
        changed = True
    attach_tail(seq, tail)
    return changed


def update_document(
    document: CommentedMap, live: Mapping[str, Any], variables: Mapping[str, str]
) -> bool:
    """Bring a manifest document in line with a live dashboard, in place. True if changed.

    The name is the live name (a UI rename: ``formerNames`` is left as it is);
    a pinned ``id`` is kept; every other top-level key is kept.
    """
    changed = False
    name = str(live.get("name", ""))
    if not same_value("name", document.get("name"), name, variables):
        document["name"] = _styled(document.get("name"), name)
        changed = True
    return merge_tiles(document, live, variables) or changed


def new_document(live: Mapping[str, Any]) -> CommentedMap:
    """The manifest of a live dashboard that has no file yet (with the schema modeline)."""
    tiles = sorted(map(canonical_tile, live_tiles(live)), key=_placement)
    document = CommentedMap()
    document["name"] = escape_references(str(live.get("name", "")))
    document["tiles"] = CommentedSeq(_built(manifest_tile(tile)) for tile in tiles)
    document.yaml_set_start_comment(MODELINE)
    return document


# --- keeping comment lines with the item they lead ----------------------------------------------
#
# ruamel keeps the comment lines between two items as the trailing comment of the
# last scalar of the item before. Removing item i therefore takes the lines that
# lead item i+1 out of item i and puts them where item i's own leading lines were;
# adding keys or items after the last one moves the lines that follow it along.


class _Slot:
    """Where the comment after the last scalar of a node lives."""

    def __init__(self, entries: list[Any], index: int, owner: Any, line: int | None) -> None:
        self.entries, self.index, self.owner, self.line = entries, index, owner, line

    @property
    def block(self) -> bool:  # a block scalar ends its own line: no line break before comments
        return isinstance(self.owner, ScalarString) and type(self.owner).__name__ in {
            "LiteralScalarString", "FoldedScalarString"
        }

    def split(self) -> tuple[str, str]:
        """(end-of-line comment with its newline, the lines that follow)."""
        token = self.entries[self.index]
        value = token.value if isinstance(token, CommentToken) else ""
        if not value:
            return "", ""
        token_line = getattr(token.start_mark, "line", None)
        if value.startswith("#") and not self.block and (
            self.line is None or token_line is None or token_line == self.line
        ):
            head, _, rest = value.partition("\n")
            return head + "\n", rest
        if self.block:  # the first line's indentation is held by the token's column
            column = getattr(token.start_mark, "column", 0) if value.startswith("#") else 0
            return "", " " * column + value
        return "", value[1:] if value.startswith("\n") else value

    def set(self, eol: str, lines: str) -> None:
        text = eol + lines if eol or self.block else ("\n" + lines if lines else "")
        column = 0
        if self.block and text.lstrip(" ").startswith("#"):
            column = len(text) - len(text.lstrip(" "))
            text = text.lstrip(" ")
        old = self.entries[self.index]
        if not text:
            self.entries[self.index] = None
        elif isinstance(old, CommentToken) and not self.block:
            old.value = text
        else:
            self.entries[self.index] = CommentToken(text, CommentMark(column), None)
        if isinstance(self.owner, CommentedMap | CommentedSeq) and self.owner.ca.comment:
            self.owner.ca.comment[0] = None  # a flow collection may hold a copy of the token


def _line(node: CommentedMap | CommentedSeq, key: Any) -> int | None:
    try:
        position = node.lc.value(key) if isinstance(node, CommentedMap) else node.lc.item(key)
        return int(position[0])
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


def _trailing_slot(node: Any) -> _Slot | None:
    """The comment slot after the last scalar of ``node`` (created when missing)."""
    if not isinstance(node, CommentedMap | CommentedSeq) or not len(node):
        return None
    key: Any = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
    child = node[key]
    nested = isinstance(child, CommentedMap | CommentedSeq) and len(child)
    if nested and not child.fa.flow_style():
        return _trailing_slot(child)
    if isinstance(node, CommentedMap):
        return _Slot(node.ca.items.setdefault(key, [None, None, None, None]), 2, child,
                     _line(node, key))
    return _Slot(node.ca.items.setdefault(key, [None, None]), 0, child, _line(node, key))


def detach_tail(node: Any) -> str:
    """Take the comment lines that follow ``node`` (they lead whatever comes next)."""
    slot = _trailing_slot(node)
    if slot is None:
        return ""
    eol, lines = slot.split()
    slot.set(eol, "")
    return lines


def attach_tail(node: Any, lines: str) -> None:
    """Put comment lines after ``node`` (keeping its end-of-line comment)."""
    slot = _trailing_slot(node)
    if slot is None or not lines:
        return
    eol, _ = slot.split()
    slot.set(eol, lines)


def remove_item(
    seq: CommentedSeq, index: int, parent: CommentedMap | None = None, key: str = ""
) -> None:
    """``del seq[index]``, moving comment lines so each stays with the item it led.

    The lines leading the first item may also be held by the mapping ``parent``
    whose ``key`` the sequence is.
    """
    leads_next = detach_tail(seq[index])
    if index > 0:
        detach_tail(seq[index - 1])  # these led the removed item
        attach_tail(seq[index - 1], leads_next)
    else:
        lines = [line for line in leads_next.splitlines() if line.strip()]
        column = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
        leading = [
            CommentToken(line.strip() + "\n", CommentMark(column), None) for line in lines
        ] or None
        if seq.ca.comment and len(seq.ca.comment) > 1:
            seq.ca.comment[1] = leading
        elif leading:
            seq.ca.comment = [None, leading]
        entry = parent.ca.items.get(key) if parent is not None else None
        if entry is not None and len(entry) > 3:
            entry[3] = leading
    del seq[index]
    shifted = {
        (item - 1 if isinstance(item, int) and item > index else item): value
        for item, value in seq.ca.items.items()
        if item != index
    }
    seq.ca.items.clear()
    seq.ca.items.update(shifted)
