"""Server-side checks of an Upsert, as a real service would make them.

Every problem names its tile (``tile 'dau'``, or ``tile #3`` when the id is
empty) so that a client can show it as it is. The checks:

- tile ids unique within the dashboard (an empty id is assigned by the server);
- the grid: 0 <= x, 1 <= w, x + w <= 12, 0 <= y, 1 <= h, no two tiles overlapping;
- exactly one of insight / markdown, and ``type`` set and agreeing with it;
- every enum value known (an unknown JSON enum name reaches the server as the
  zero value, since the JSON codec ignores what it does not know, like
  connect-go's; an unknown binary value arrives as its number);
- an insight has a query with at least one named event.

With ``newer_api`` (``serve --newer-api``) a tile may also be of a type the
proto does not know: a ``TILE_TYPE_*`` name a JSON client sent
(``sent_type_names``), or a positive number a binary client sent. Such a tile
gets the checks of what is known: its id and its place on the grid (overlaps
with every other tile included), and no ``insight`` or ``markdown`` body,
which belong to the two known types. Everything else it carries is not
checked. Every other tile is checked as without ``newer_api``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from google.protobuf.descriptor import EnumDescriptor

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb

GRID_COLUMNS = 12
MAX_TILES = 500
MAX_PROBLEMS = 10

_TYPE = pb.TileType.DESCRIPTOR
_GRANULARITY = pb.Granularity.DESCRIPTOR
_AGGREGATION = pb.Aggregation.DESCRIPTOR
_VISUALIZATION = pb.Visualization.DESCRIPTOR
_TYPE_NAME = re.compile(r"TILE_TYPE_[A-Z0-9]+(_[A-Z0-9]+)*")


class InvalidTiles(ValueError):
    """The tiles of an Upsert are not acceptable; the message lists why."""

    def __init__(self, problems: Sequence[str]) -> None:
        shown = list(problems[:MAX_PROBLEMS])
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"and {len(problems) - MAX_PROBLEMS} more")
        super().__init__("; ".join(shown))
        self.problems = list(problems)


def _label(tile: pb.Tile, index: int) -> str:
    return f"tile {tile.id!r}" if tile.id else f"tile #{index + 1}"


def _known(enum: EnumDescriptor) -> str:
    return ", ".join(value.name for value in enum.values if value.number != 0)


def _enum_problem(label: str, field: str, enum: EnumDescriptor, number: int) -> str | None:
    value = enum.values_by_number.get(number)
    if value is not None and number != 0:
        return None
    what = "is missing or unknown" if number == 0 else f"has unknown value {number}"
    return f"{label}: {field} {what} (known: {_known(enum)})"


def _position_problems(tile: pb.Tile, label: str) -> list[str]:
    if not tile.HasField("position"):
        return [f"{label}: position is required"]
    problems: list[str] = []
    p = tile.position
    if p.x < 0:
        problems.append(f"{label}: x must be >= 0 (got {p.x})")
    if p.y < 0:
        problems.append(f"{label}: y must be >= 0 (got {p.y})")
    if p.w < 1:
        problems.append(f"{label}: w must be >= 1 (got {p.w})")
    if p.h < 1:
        problems.append(f"{label}: h must be >= 1 (got {p.h})")
    if p.x + p.w > GRID_COLUMNS:
        problems.append(f"{label}: x + w must be <= {GRID_COLUMNS} (x={p.x}, w={p.w})")
    return problems


def unmodeled_type(tile: pb.Tile, sent_name: str | None) -> str | None:
    """The tile's type when the proto does not know it (sent as a name or a number), else None."""
    if sent_name is not None:
        return sent_name
    if tile.type > 0 and tile.type not in _TYPE.values_by_number:
        return str(tile.type)
    return None


def _unmodeled_type_problems(tile: pb.Tile, label: str, type_name: str) -> list[str]:
    problems = _position_problems(tile, label)
    if not (type_name.isdigit() or _TYPE_NAME.fullmatch(type_name)):
        problems.append(f"{label}: type {type_name!r} is not a TILE_TYPE_* name")
    for body in ("insight", "markdown"):
        if tile.HasField(body):
            problems.append(
                f"{label}: type {type_name} disagrees with its {body} body "
                f"(only TILE_TYPE_{body.upper()} has one)"
            )
    return problems


def _tile_problems(tile: pb.Tile, label: str) -> list[str]:
    problems = _position_problems(tile, label)

    has_insight, has_markdown = tile.HasField("insight"), tile.HasField("markdown")
    if has_insight == has_markdown:
        which = "both" if has_insight else "neither"
        problems.append(f"{label}: must have exactly one of insight / markdown (has {which})")
    type_problem = _enum_problem(label, "type", _TYPE, tile.type)
    if type_problem:
        problems.append(type_problem)
    elif has_insight != has_markdown:
        body = pb.TILE_TYPE_INSIGHT if has_insight else pb.TILE_TYPE_MARKDOWN
        if tile.type != body:
            problems.append(
                f"{label}: type {_TYPE.values_by_number[tile.type].name} disagrees with its "
                f"{'insight' if has_insight else 'markdown'} body"
            )
    if has_insight:
        problems.extend(_insight_problems(tile.insight, label))
    return problems


def _insight_problems(insight: pb.Insight, label: str) -> list[str]:
    problems: list[str] = []
    if not insight.HasField("query"):
        problems.append(f"{label}: insight.query is required")
    else:
        query = insight.query
        if not query.events:
            problems.append(f"{label}: insight.query.events needs at least one event")
        if any(not event.name for event in query.events):
            problems.append(f"{label}: insight.query.events: every event needs a name")
        for field, enum, number in (
            ("granularity", _GRANULARITY, query.granularity),
            ("aggregation", _AGGREGATION, query.aggregation),
        ):
            problem = _enum_problem(label, f"insight.query.{field}", enum, number)
            if problem:
                problems.append(problem)
    problem = _enum_problem(label, "insight.visualization", _VISUALIZATION, insight.visualization)
    if problem:
        problems.append(problem)
    return problems


def _overlap(a: pb.Position, b: pb.Position) -> bool:
    return bool(a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h)


def check_tiles(
    tiles: Sequence[pb.Tile],
    *,
    newer_api: bool = False,
    sent_type_names: Sequence[str | None] = (),
) -> None:
    """Raise InvalidTiles listing every problem of these tiles (in order).

    ``newer_api`` accepts tiles of types the proto does not know;
    ``sent_type_names[i]``, when given, is the type name a JSON client sent
    for tile i that the proto does not know (the message holds 0 for it).
    """
    if len(tiles) > MAX_TILES:
        raise InvalidTiles([f"a dashboard holds at most {MAX_TILES} tiles (got {len(tiles)})"])
    problems: list[str] = []
    labels = [_label(tile, index) for index, tile in enumerate(tiles)]
    seen: dict[str, str] = {}
    names = list(sent_type_names) or [None] * len(tiles)
    for tile, label, sent_name in zip(tiles, labels, names, strict=True):
        if tile.id:
            if tile.id in seen:
                problems.append(f"{label}: duplicate tile id")
            seen[tile.id] = label
        type_name = unmodeled_type(tile, sent_name) if newer_api else None
        if type_name is not None:
            problems.extend(_unmodeled_type_problems(tile, label, type_name))
        else:
            problems.extend(_tile_problems(tile, label))

    placed = [
        (label, tile.position)
        for tile, label in zip(tiles, labels, strict=True)
        if tile.HasField("position") and tile.position.w >= 1 and tile.position.h >= 1
    ]
    for i, (label_a, a) in enumerate(placed):
        for label_b, b in placed[i + 1 :]:
            if _overlap(a, b):
                problems.append(f"{label_b} overlaps {label_a}")
    if problems:
        raise InvalidTiles(problems)


def assign_tile_ids(tiles: Sequence[pb.Tile]) -> None:
    """Give every tile with an empty id a fresh one, unique within the dashboard."""
    taken = {tile.id for tile in tiles if tile.id}
    for tile in tiles:
        if not tile.id:
            while True:
                candidate = f"tile_{secrets.token_hex(4)}"
                if candidate not in taken:
                    break
            tile.id = candidate
            taken.add(candidate)
