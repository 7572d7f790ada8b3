"""One dashboard's tiles drawn on the 12-column grid (an HTML fragment). Pure.

Tiles are wire-form dicts (``tile_to_wire``, a live Get, or a saved plan's
before/after), so desired, live and planned dashboards are drawn by the same
code. Every string from a tile is escaped; markdown goes through the safe
renderer.

A tile whose chart or number is drawn from invented values (``charts.py``)
carries a visible "sample data" label in its bottom-right corner, and a page
holding any such tile says it above its grids (``sample_note``), so that no
reader takes the numbers for real ones. A chart of several series has a legend
naming each series by its event, in the series' colors. Funnel tiles (which
dashctl does not model, but a newer API returns) are drawn from their steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.dashboard import short_form
from reconciler.preview.charts import (
    MAX_SERIES,
    PALETTE,
    chart_svg,
    drawn_series,
    draws_sample_data,
    event_names,
    funnel_steps,
    funnel_svg,
)
from reconciler.preview.geometry import FULL, Cell, Geometry, box_of, cell_of, rows_used
from reconciler.preview.html import esc
from reconciler.preview.markdown import render_markdown

MARK_CLASSES = {"+": "added", "~": "changed", "-": "removed"}
MAX_EVENTS_SHOWN = 4
FUNNEL_TYPE = "TILE_TYPE_FUNNEL"
NARROW_PX = 72  # a tile narrower than this cannot hold "sample data" on one line
SAMPLE_LABEL = ('<p class="sample" title="invented numbers, not read from any analytics; '
                'the layout and what the tile asks for are real">sample data</p>')


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


def legend_html(insight: Mapping[str, Any]) -> str:
    """The legend of a chart of several series: each drawn event beside its color, and how
    many events the chart leaves out; empty for one series."""
    names = drawn_series(insight)
    if len(names) < 2:
        return ""
    items = [f'<li class="entry"><i class="swatch" style="background:{PALETTE[n % MAX_SERIES]}">'
             f"</i>{esc(name or '(event)')}</li>" for n, name in enumerate(names)]
    left_out = len(event_names(_mapping(insight.get("query")))) - len(names)
    if left_out > 0:
        items.append(f'<li class="more">+{left_out} more not drawn</li>')
    return f'<ul class="series" aria-label="legend">{"".join(items)}</ul>'


def is_funnel(tile: Mapping[str, Any]) -> bool:
    """A funnel tile, which dashctl does not model but a newer API returns (kept whole)."""
    return tile.get("type") == FUNNEL_TYPE or isinstance(tile.get("funnel"), Mapping)


def steps_html(funnel: Mapping[str, Any]) -> str:
    """A funnel's steps as one line, like an insight's query line."""
    names = funnel_steps(funnel)
    shown = " \u2192 ".join(name or "(event)" for name in names)
    return (f'<div class="query" title="{esc("steps: " + shown)}">'
            f'<b>{esc(shown or "(no steps)")}</b> &middot; funnel</div>')


def tile_draws_sample_data(tile: Mapping[str, Any]) -> bool:
    """True when the tile's chart or number is drawn from invented values (and says so)."""
    insight = tile.get("insight")
    if isinstance(insight, Mapping):
        return draws_sample_data(insight)
    if isinstance(tile.get("markdown"), Mapping) or not is_funnel(tile):
        return False
    return bool(funnel_steps(_mapping(tile.get("funnel"))))


def sample_note(*grids: Sequence[Mapping[str, Any]] | None) -> str:
    """The page's word on sample data, put above its grids when any tile draws some."""
    if not any(tile_draws_sample_data(_mapping(t)) for tiles in grids for t in tiles or ()):
        return ""
    return ('<p class="sample-note"><b>sample data</b>: the charts and numbers below are '
            "invented, not read from any analytics; the layout, queries and text are real.</p>")


def tile_content(tile: Mapping[str, Any]) -> tuple[str, str]:
    """The kind shown in a tile's head, and the HTML under the head."""
    tile_id = str(tile.get("id", ""))
    insight, markdown = tile.get("insight"), tile.get("markdown")
    if isinstance(insight, Mapping):
        return short_form(str(insight.get("visualization", "insight"))), (
            query_html(insight) + legend_html(insight)
            + f'<div class="body">{chart_svg(tile_id, insight)}</div>')
    if isinstance(markdown, Mapping):
        return "markdown", (
            f'<div class="md">{render_markdown(str(markdown.get("content", "")))}</div>')
    if is_funnel(tile):
        funnel = _mapping(tile.get("funnel"))
        return "funnel", (steps_html(funnel)
                          + f'<div class="body">{funnel_svg(tile_id, funnel)}</div>')
    return short_form(str(tile.get("type", "unknown"))), '<div class="empty">no content</div>'


def tile_html(tile: Mapping[str, Any], cell: Cell, geometry: Geometry, mark: str | None) -> str:
    tile_id = str(tile.get("id", ""))
    box = box_of(cell, geometry)
    kind, inner = tile_content(tile)
    classes = "tile"
    if tile_draws_sample_data(tile):
        # pinned to the tile's bottom-right corner, over any content a tiny tile cannot fit;
        # on a tile narrower than the label's one line, smaller and on two lines
        classes += " sampled narrow" if box.width < NARROW_PX else " sampled"
        inner += SAMPLE_LABEL
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
