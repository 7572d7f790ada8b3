"""Lints the JSON Schema cannot express, on the plain data of a manifest.

They read the data defensively (a manifest may also have schema problems),
so one run reports every problem it can: tile ids used twice, tiles off the
12-column grid, tiles that overlap, an ``id`` in a base/ file; and, across
the manifests of one environment, a dashboard name or a pinned id used twice,
and a name that the environment's ``ignore`` covers. The lints of one manifest
are a generator, so that a caller that reports 100 problems per file stops
the work there (2,000 tiles on one spot cost no more than a few).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from reconciler.dashboard import GRID_COLUMNS
from reconciler.repo.problem import Problem
from reconciler.repo.schema import shorten
from reconciler.repo.yaml_io import YamlDocument


@dataclass(frozen=True)
class Box:
    index: int
    id: str
    x: int
    y: int
    w: int
    h: int


_CORNERS: tuple[tuple[str, Any], ...] = (("x", 0), ("y", 0), ("w", None), ("h", None))


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _box(index: int, tile: Any) -> Box | None:
    """The grid box of a tile whose position is well typed and in range, else None."""
    position = tile.get("position")
    if not isinstance(position, dict):
        return None
    values: list[Any] = [position.get(key, default) for key, default in _CORNERS]
    if not all(_int(value) for value in values):
        return None
    x, y, w, h = (int(value) for value in values)
    if x < 0 or y < 0 or w < 1 or h < 1 or x >= GRID_COLUMNS or w > GRID_COLUMNS:
        return None  # the schema reports these
    tile_id = tile.get("id")
    return Box(index, tile_id if isinstance(tile_id, str) else f"#{index + 1}", x, y, w, h)


def lint_manifest(document: YamlDocument, data: Any, *, in_base: bool) -> Iterator[Problem]:
    """Problems of one manifest on its own, lazily (a caller may stop after the first 100)."""
    if not isinstance(data, dict):
        return
    if in_base and data.get("id") is not None:
        yield document.problem(
            ("id",),
            "id is not allowed in base/: it pins one environment's dashboard;"
            " put it in an environment's own file",
            key=True,
        )
    tiles = data.get("tiles")
    if isinstance(tiles, list):
        yield from _tile_problems(document, tiles)


def _tile_problems(document: YamlDocument, tiles: list[Any]) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    boxes: list[Box] = []
    for index, tile in enumerate(tiles):
        if not isinstance(tile, dict):
            continue
        tile_id = tile.get("id")
        if isinstance(tile_id, str):
            if tile_id in seen:
                first = document.locate(("tiles", seen[tile_id], "id"))[0]
                message = f"duplicate tile id {shorten(tile_id)} (first at line {first})"
                yield document.problem(("tiles", index, "id"), message)
            else:
                seen[tile_id] = index
        box = _box(index, tile)
        if box is None:
            continue
        if box.x + box.w > GRID_COLUMNS:
            message = (
                f"tile {shorten(box.id)} does not fit the {GRID_COLUMNS}-column grid:"
                f" x + w = {box.x} + {box.w} = {box.x + box.w}"
            )
            yield document.problem(("tiles", index, "position", "w"), message)
            continue
        boxes.append(box)
    for later, earlier in overlaps(boxes):
        line = document.locate(("tiles", earlier.index))[0]
        message = f"tile {shorten(later.id)} overlaps tile {shorten(earlier.id)} (line {line})"
        yield document.problem(("tiles", later.index, "position"), message)


def overlaps(boxes: Sequence[Box]) -> Iterator[tuple[Box, Box]]:
    """(tile, earlier tile it overlaps), in file order, lazily and in bounded work.

    Each tile is checked against the earlier tiles that overlap nothing (the
    "clean" ones): those are pairwise disjoint, so each grid column holds them as
    sorted, disjoint row intervals, searched by bisection. A tile that overlaps
    a clean tile is reported, once for each such tile, and kept out of the
    clean set; 2,000 tiles stacked on one spot are 1,999 problems, not
    1,999,000. (A tile that overlaps only a tile already reported is found
    once that one is moved.)
    """
    starts: list[list[int]] = [[] for _ in range(GRID_COLUMNS)]
    clean: list[list[Box]] = [[] for _ in range(GRID_COLUMNS)]
    for box in boxes:
        found: dict[int, Box] = {}
        for column in range(box.x, box.x + box.w):
            at = bisect.bisect_left(starts[column], box.y + box.h)
            while at > 0 and clean[column][at - 1].y + clean[column][at - 1].h > box.y:
                at -= 1
                found.setdefault(clean[column][at].index, clean[column][at])
        if found:
            for index in sorted(found):
                yield box, found[index]
            continue
        for column in range(box.x, box.x + box.w):
            at = bisect.bisect_left(starts[column], box.y)
            starts[column].insert(at, box.y)
            clean[column].insert(at, box)


CROSS_FIELDS = (("name", "dashboard name"), ("id", "pinned id"))


@dataclass(frozen=True)
class Declared:
    """What the cross-manifest lints need of one manifest: its name and pinned id, located.

    Small on purpose: an environment's documents are not kept alive until the
    cross-manifest lint runs (2,000 parsed manifests would cost hundreds of MB).
    """

    file: str
    in_base: bool
    values: dict[str, Problem]  # field -> its value (as the message) at its location

    @classmethod
    def of(cls, document: YamlDocument, data: Any, in_base: bool) -> Declared:
        values = {
            field: document.problem((field,), data[field])
            for field, _ in CROSS_FIELDS
            if isinstance(data, dict) and isinstance(data.get(field), str)
        }
        return cls(document.file, in_base, values)


def lint_environment(
    declared: Sequence[Declared], *, environment: str, ignore: Sequence[str] = ()
) -> list[Problem]:
    """Names and pinned ids used by two manifests of one environment, and names the
    environment's ``ignore`` covers (such a manifest could never be paired with its
    live dashboard, and every apply would create it again)."""
    problems: list[Problem] = []
    for item in declared:
        at = item.values.get("name")
        pattern = next((glob for glob in ignore if at and fnmatchcase(at.message, glob)), None)
        if at is not None and pattern is not None:
            message = (f"dashboard name {shorten(at.message)} matches {pattern!r} in the ignore"
                       f" list of environment {environment!r}: it would never be paired with"
                       " its live dashboard and every apply would create it again")
            problems.append(Problem(at.file, at.line, at.column, message))
    for field, what in CROSS_FIELDS:
        first: dict[str, tuple[Declared, Problem]] = {}
        for item in declared:
            at = item.values.get(field)
            if at is None:
                continue
            value = at.message
            if value not in first:
                first[value] = (item, at)
                continue
            earlier, where = first[value]
            scope = "" if item.in_base and earlier.in_base else f" in environment {environment!r}"
            message = (f"duplicate {what} {shorten(value)}{scope} "
                       f"(also at {where.file}:{where.line}:{where.column})")
            problems.append(Problem(at.file, at.line, at.column, message))
    return problems
