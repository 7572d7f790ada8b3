"""Tiles as a plan shows them: one line of what a tile holds, in the manifest's spelling. Pure.

A new tile (of a new dashboard, or added to one) is shown with its kind and
main fields, so a reviewer sees what the dashboard will contain::

    insight events=[page_view] granularity=day aggregation=unique_users visualization=line
    markdown "# Weekly goals" (+3 lines)

Enum values read as a manifest writes them (`reconciler.dashboard.short_form`:
``line``, ``unique_users``, ``day``), never ``VISUALIZATION_LINE``; a value
dashctl does not know (a newer API's) stays as the server spelled it. Data is
shown escaped (`reconciler.report.sanitize.escape_controls`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.dashboard import ENUM_PREFIXES, short_form
from reconciler.report.fields import show, value_change
from reconciler.report.sanitize import escape_controls

ENUM_KEYS = frozenset({"type", "granularity", "aggregation", "visualization"})
"""The keys of a tile whose values are enum values (at any depth: ``insight.visualization``)."""

KNOWN = frozenset(str(member.value) for enum in ENUM_PREFIXES for member in enum)
FIRST_LINE = 60  # a markdown tile's first line is cut past this many characters
_BARE = re.compile(r"[\w.:/-]+")  # an event name shown without quotes


def spelled(value: Any) -> Any:
    """A known enum value in the manifest's spelling (``line``); anything else as it is."""
    return short_form(value) if isinstance(value, str) and value in KNOWN else value


def manifest_spelling(value: Any, key: str | None = None) -> Any:
    """``value`` (found under ``key``) with every enum value in it in the manifest's spelling."""
    if isinstance(value, Mapping):
        return {k: manifest_spelling(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [manifest_spelling(item, key) for item in value]
    return spelled(value) if key in ENUM_KEYS else value


def is_enum_path(path: str) -> bool:
    """True for the dotted path of an enum field (``insight.query.granularity``)."""
    return path.rsplit(".", 1)[-1] in ENUM_KEYS


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _word(value: Any) -> str:
    """An enum value or a name on one line: bare when plain, else quoted like JSON."""
    text = str(spelled(value)) if value is not None else "(none)"
    return escape_controls(text) if _BARE.fullmatch(text) else show(text)


def first_line(content: str) -> str:
    """The first line of a markdown text, quoted and cut, and how many lines follow."""
    lines = content.split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # the final line break of a block scalar
    first = lines[0] if lines else ""
    shown = show(first if len(first) <= FIRST_LINE else first[: FIRST_LINE - 3] + "...")
    more = len(lines) - 1
    return shown + (f" (+{more} line{'s' if more != 1 else ''})" if more else "")


def describe_tile(tile: Mapping[str, Any]) -> str:
    """What a tile (in wire form) holds, on one line: its kind and its main fields."""
    insight, markdown = tile.get("insight"), tile.get("markdown")
    if isinstance(insight, Mapping):
        query = _mapping(insight.get("query"))
        events = [_word(_mapping(event).get("name")) for event in query.get("events") or []]
        return (f"insight events=[{', '.join(events)}]"
                f" granularity={_word(query.get('granularity'))}"
                f" aggregation={_word(query.get('aggregation'))}"
                f" visualization={_word(insight.get('visualization'))}")
    if isinstance(markdown, Mapping):
        return f"markdown {first_line(str(markdown.get('content', '')))}"
    return _word(tile.get("type") or "tile of no type")


def added_tile(tile_id: str, after: Mapping[str, Any] | None) -> str:
    """``tile ID: <what it holds>`` for a tile a change adds (``tile ID`` if not found)."""
    tiles = (after or {}).get("tiles") or []
    found = next((t for t in tiles if isinstance(t, Mapping) and t.get("id") == tile_id), None)
    head = f"tile {escape_controls(tile_id)}"
    return f"{head}: {describe_tile(found)}" if found is not None else head


def field_change(
    path: str, old: Any, new: Any, *, labels: tuple[str, str], named: bool = False
) -> tuple[str, list[str]]:
    """A changed tile field as `reconciler.report.fields.value_change` shows it, enum values
    in the manifest's spelling: ``insight.visualization: line -> bar``."""
    if is_enum_path(path) and all(isinstance(value, str | None) for value in (old, new)):
        where = escape_controls(path)
        if named:
            return f"{where}: {labels[0]} {_word(old)} -> {labels[1]} {_word(new)}", []
        return f"{where}: {_word(old)} -> {_word(new)}", []
    key = path.rsplit(".", 1)[-1]
    return value_change(path, manifest_spelling(old, key), manifest_spelling(new, key),
                        labels=labels, named=named)
