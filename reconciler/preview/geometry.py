"""The pixel geometry of the drawn 12-column grid (fixed, so tests can check boxes).

A grid is drawn on a canvas ``12 * column - gap`` pixels wide. A tile at
``{x, y, w, h}`` is an absolutely positioned box whose border box, relative to
the top-left corner of the grid element (``.grid``, which has no border or
padding), is::

    left   = x * column
    top    = y * row
    width  = w * column - gap
    height = h * row - gap

``FULL`` (dashboard pages): column 88 px, row 64 px, gap 8 px, so the canvas is
1048 px wide. ``COMPACT`` (the before/after halves of plan pages): column 44 px,
row 36 px, gap 6 px, 522 px wide, so before and after fit side by side in a
1200 px window. Each grid element also carries its geometry
as ``data-column``, ``data-row`` and ``data-gap`` attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.dashboard import GRID_COLUMNS


@dataclass(frozen=True)
class Geometry:
    column: int  # px from one column's left edge to the next
    row: int  # px from one row's top edge to the next
    gap: int  # px between neighbouring tiles

    @property
    def width(self) -> int:
        return GRID_COLUMNS * self.column - self.gap

    def height(self, rows: int) -> int:
        return max(rows, 1) * self.row - self.gap


FULL = Geometry(column=88, row=64, gap=8)
COMPACT = Geometry(column=44, row=36, gap=6)


@dataclass(frozen=True)
class Cell:
    """A tile's grid position, made safe to draw (missing x/y mean 0)."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int


def _int(value: Any, *, least: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = least
    return max(number, least)


def cell_of(tile: Mapping[str, Any]) -> Cell:
    """The position of a wire-form tile; odd live values are clamped, never fatal."""
    position = tile.get("position")
    position = position if isinstance(position, Mapping) else {}
    return Cell(
        x=min(_int(position.get("x", 0), least=0), GRID_COLUMNS - 1),
        y=_int(position.get("y", 0), least=0),
        w=_int(position.get("w", 1), least=1),
        h=_int(position.get("h", 1), least=1),
    )


def box_of(cell: Cell, geometry: Geometry) -> Box:
    """The pixel box of a cell (see the module docstring)."""
    return Box(
        left=cell.x * geometry.column,
        top=cell.y * geometry.row,
        width=cell.w * geometry.column - geometry.gap,
        height=cell.h * geometry.row - geometry.gap,
    )


def rows_used(cells: list[Cell]) -> int:
    return max((cell.y + cell.h for cell in cells), default=0)
