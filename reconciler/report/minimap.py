"""A dashboard's 12-column grid as a small fixed-width text map. Pure.

Meant for a markdown code block in a plan comment::

        0     1     2     3     4     5     6     7     8     9     10    11
       +-----------------------------------+-----------------------------------+
     0 |+dau                               |~goals                             |
       |                                   +-----------------------------------+
     1 |                                   |-notes                             |
       +-----------------------------------+-----------------------------------+

Each grid column is ``CELL`` characters wide and each grid row ``LINES`` text
lines high, so a map is at most ``WIDTH`` characters wide. A tile's id (after
its mark, e.g. ``+`` added, ``~`` changed, ``-`` removed) is written inside its
box, wrapped over the box's lines and cut with ``..`` when it does not fit.
Rows past ``max_rows`` are not drawn; a last line says so. Tiles are drawn in
(y, x, id) order, so the order of a tile list never changes the map.

The map is printable ASCII only: in ids and marks, control characters are
shown escaped (``\\n``, ``\\x1b``, as every renderer shows them), a backtick
becomes ``'`` (no id can close the code block around the map) and any other
character outside printable ASCII, which could break the fixed width,
becomes ``?``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.dashboard import GRID_COLUMNS
from reconciler.preview.geometry import Cell, cell_of
from reconciler.report.sanitize import escape_controls

CELL = 6  # characters per grid column
LINES = 2  # text lines per grid row
LABEL = 4  # the row-number gutter
MAX_ROWS = 24
WIDTH = LABEL + GRID_COLUMNS * CELL + 1
CUT = ".."


class Canvas:
    def __init__(self, lines: int) -> None:
        self.chars = [[" "] * (GRID_COLUMNS * CELL + 1) for _ in range(lines)]

    def border(self, line: int, column: int, char: str) -> None:
        """Set a border character; where two borders cross, a '+'."""
        old = self.chars[line][column]
        self.chars[line][column] = "+" if old in "-|+" and old != char else char

    def box(self, top: int, bottom: int, left: int, right: int, *, closed: bool) -> None:
        for column in range(left, right + 1):
            self.border(top, column, "-")
            if closed:
                self.border(bottom, column, "-")
        for line in range(top + 1, bottom + (0 if closed else 1)):
            self.border(line, left, "|")
            self.border(line, right, "|")
            for column in range(left + 1, right):
                self.chars[line][column] = " "
        for line in (top, bottom) if closed else (top,):
            self.chars[line][left] = self.chars[line][right] = "+"

    def text(self, line: int, column: int, text: str) -> None:
        for offset, char in enumerate(text):
            self.chars[line][column + offset] = char


def fit(label: str, width: int, lines: int) -> list[str]:
    """``label`` wrapped into ``lines`` lines of ``width``, cut with '..' if it overflows."""
    if width <= 0 or lines <= 0:
        return []
    chunks = [label[i : i + width] for i in range(0, len(label), width)] or [""]
    if len(chunks) > lines:
        chunks = chunks[:lines]
        last = chunks[-1]
        chunks[-1] = last[: max(width - len(CUT), 0)] + CUT[: width]
    return chunks


def plain(text: str) -> str:
    """``text`` in printable ASCII, without backticks, controls escaped."""
    escaped = escape_controls(text)
    return "".join("'" if c == "`" else c if " " <= c <= "~" else "?" for c in escaped)


def _drawable(cell: Cell) -> Cell:
    return Cell(cell.x, cell.y, min(cell.w, GRID_COLUMNS - cell.x), cell.h)


def _ruler() -> str:
    return " " * LABEL + "".join(str(c).ljust(CELL) for c in range(GRID_COLUMNS)).rstrip()


def render_minimap(
    tiles: Sequence[Mapping[str, Any]],
    marks: Mapping[str, str] | None = None,
    *,
    max_rows: int = MAX_ROWS,
) -> str:
    """The text map of a dashboard's tiles (wire form); ``marks`` maps tile id -> mark."""
    marks = marks or {}
    placed = sorted(
        ((_drawable(cell_of(tile)), str(tile.get("id", ""))) for tile in tiles),
        key=lambda item: (item[0].y, item[0].x, item[1]),
    )
    if not placed:
        return "(no tiles)\n"
    rows = max(cell.y + cell.h for cell, _ in placed)
    shown = min(rows, max(max_rows, 1))
    canvas = Canvas(shown * LINES + 1)
    cut = 0
    for cell, tile_id in placed:
        if cell.y + cell.h > shown:
            cut += 1
        if cell.y >= shown:
            continue
        top, left, right = cell.y * LINES, cell.x * CELL, (cell.x + cell.w) * CELL
        closed = cell.y + cell.h <= shown
        bottom = min(cell.y + cell.h, shown) * LINES
        canvas.box(top, bottom, left, right, closed=closed)
        label = plain(marks.get(tile_id, "") + tile_id)
        room = bottom - top - 1 if closed else bottom - top
        for number, chunk in enumerate(fit(label, right - left - 1, room)):
            canvas.text(top + 1 + number, left + 1, chunk)
    lines = [_ruler()]
    for number, chars in enumerate(canvas.chars):
        gutter = f"{number // LINES:>{LABEL - 1}} " if number % LINES == 1 else " " * LABEL
        lines.append((gutter + "".join(chars)).rstrip())
    if rows > shown:
        lines.append(f"... rows {shown}-{rows - 1} not shown ({cut} tile(s) cut off)")
    return "\n".join(lines) + "\n"
