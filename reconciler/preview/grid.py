"""One dashboard's tiles drawn on the 12-column grid (an HTML fragment). Pure.

Tiles are wire-form dicts (``tile_to_wire``, a live Get, or a saved plan's
before/after), so desired, live and planned dashboards are drawn by the same
code. Every string from a tile is escaped; markdown goes through the safe
renderer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.dashboard import short_form
from reconciler.preview.charts import chart_svg, event_names
from reconciler.preview.geometry import FULL, Cell, Geometry, box_of, cell_of, rows_used
from reconciler.preview.html import esc
from reconciler.preview.markdown import render_markdown

MARK_CLASSES = {"+": "added", "~": "changed", "-": "removed"}
MAX_EVENTS_SHOWN = 4


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def query_html(insight: Mapping[str, Any]) -> str:
    """events · aggregation · granularity, as one line (full text in its title)."""
    query = _mapping(insight.get("query"))
    names = event_names(query)
    shown = ", ".join(names[:MAX_EVENTS_SHOWN])
    if len(names) > MAX_EVENTS_SHOWN:
        shown += f" +{len(names) - MAX_EVENTS_SHOWN} more"
    aggregation = short_form(str(query.get("aggregation", "?"))).replace("_", " ")
    granularity = short_form(str(query.get("granularity", "?")))
    title = (f"events: {', '.join(names)}; aggregation: {aggregation}; "
             f"granularity: {granularity}")
    return (f'<div class="query" title="{esc(title)}"><b>{esc(shown or "(no events)")}</b>'
            f" &middot; {esc(aggregation)} &middot; per {esc(granularity)}</div>")


def tile_html(tile: Mapping[str, Any], cell: Cell, geometry: Geometry, mark: str | None) -> str:
    tile_id = str(tile.get("id", ""))
    box = box_of(cell, geometry)
    insight, markdown = tile.get("insight"), tile.get("markdown")
    if isinstance(insight, Mapping):
        kind = short_form(str(insight.get("visualization", "insight")))
        inner = query_html(insight) + f'<div class="body">{chart_svg(tile_id, insight)}</div>'
    elif isinstance(markdown, Mapping):
        kind = "markdown"
        inner = f'<div class="md">{render_markdown(str(markdown.get("content", "")))}</div>'
    else:
        kind = short_form(str(tile.get("type", "unknown")))
        inner = '<div class="empty">no content</div>'
    classes = "tile"
    badge = ""
    mark_attr = ""
    if mark:
        name = MARK_CLASSES.get(mark, "changed")
        classes += f" mark-{name}"
        badge = f'<span class="badge {name}" title="{name}">{esc(mark)}</span>'
        mark_attr = f' data-mark="{esc(mark)}"'
    style = f"left:{box.left}px;top:{box.top}px;width:{box.width}px;height:{box.height}px"
    return (
        f'<article class="{classes}" data-tile-id="{esc(tile_id)}" data-x="{cell.x}" '
        f'data-y="{cell.y}" data-w="{cell.w}" data-h="{cell.h}"{mark_attr} style="{style}">'
        f'<div class="head">{badge}<span class="id" title="{esc(tile_id)}">{esc(tile_id)}</span>'
        f'<span class="kind">{esc(kind)}</span></div>{inner}</article>'
    )


def grid_html(
    tiles: Sequence[Mapping[str, Any]],
    *,
    marks: Mapping[str, str] | None = None,
    geometry: Geometry = FULL,
) -> str:
    """The grid of one dashboard, tiles at their real positions (see geometry.py)."""
    marks = marks or {}
    tiles = [_mapping(tile) for tile in tiles]
    cells = [cell_of(tile) for tile in tiles]
    rows = rows_used(cells)
    if not tiles:
        return (f'<div class="canvas"><div class="grid empty" style="width:{geometry.width}px">'
                "no tiles</div></div>")
    compact = " compact" if geometry != FULL else ""
    drawn = "".join(
        tile_html(tile, cell, geometry, marks.get(str(tile.get("id", ""))))
        for tile, cell in zip(tiles, cells, strict=True)
    )
    return (
        f'<div class="canvas{compact}"><div class="grid" data-column="{geometry.column}" '
        f'data-row="{geometry.row}" data-gap="{geometry.gap}" data-rows="{rows}" '
        f'style="width:{geometry.width}px;height:{geometry.height(rows)}px">{drawn}</div></div>'
    )
