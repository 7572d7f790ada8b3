"""Placeholder charts in SVG, drawn from deterministic sample data.

The data is invented: it is seeded by the tile id (through SHA-256, so it is
the same on every machine and every run) and shaped by the query (one series
per event, one point per time bucket). Only the look of the visualization is
real. Every string that reaches the SVG is escaped by the caller's `esc`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

PALETTE = ("#4263eb", "#0ca678", "#f08c00", "#d6336c")
MAX_SERIES = len(PALETTE)
POINTS = {"GRANULARITY_HOUR": 24, "GRANULARITY_DAY": 14, "GRANULARITY_WEEK": 12,
          "GRANULARITY_MONTH": 12}
UNIT = {"GRANULARITY_HOUR": "h", "GRANULARITY_DAY": "d", "GRANULARITY_WEEK": "w",
        "GRANULARITY_MONTH": "mo"}
TABLE_ROWS = 5
TABLE_COLUMNS = 3

Series = list[float]


def event_names(query: Mapping[str, Any]) -> list[str]:
    events = query.get("events")
    if not isinstance(events, list):
        return []
    return [str(e.get("name", "")) if isinstance(e, Mapping) else str(e) for e in events]


def sample_series(tile_id: str, query: Mapping[str, Any]) -> list[Series]:
    """One random walk per event (at most MAX_SERIES), the same for the same tile id."""
    seed = int.from_bytes(hashlib.sha256(tile_id.encode("utf-8")).digest()[:8], "big")
    rng = random.Random(seed)
    points = POINTS.get(str(query.get("granularity")), 12)
    unique = query.get("aggregation") == "AGGREGATION_UNIQUE_USERS"
    series: list[Series] = []
    for _ in range(max(1, min(len(event_names(query)), MAX_SERIES))):
        value = rng.uniform(200, 900) if unique else rng.uniform(800, 5000)
        walk: Series = []
        for _ in range(points):
            value = max(1.0, value * (1 + rng.uniform(-0.18, 0.2)))
            walk.append(float(round(value)))
        series.append(walk)
    return series


def _scale(series: Sequence[Series]) -> float:
    return max((max(s) for s in series if s), default=1.0) * 1.1 or 1.0


def _xy(index: int, value: float, count: int, top: float) -> tuple[float, float]:
    x = 100 * index / max(count - 1, 1)
    y = 40 - 38 * value / top
    return round(x, 2), round(y, 2)


def _svg(body: str, view_box: str, *, stretch: bool, label: str) -> str:
    aspect = "none" if stretch else "xMidYMid meet"
    return (f'<svg class="chart" viewBox="{view_box}" preserveAspectRatio="{aspect}" '
            f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
            f"{body}</svg>")


def line_svg(series: Sequence[Series], *, area: bool) -> str:
    top = _scale(series)
    parts = ['<path class="axis" d="M0 40 H100" />']
    for number, values in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        points = [_xy(i, v, len(values), top) for i, v in enumerate(values)]
        path = "M" + " L".join(f"{x} {y}" for x, y in points)
        if area:
            parts.append(f'<path d="{path} L100 40 L0 40 Z" fill="{color}" '
                         'fill-opacity="0.25" stroke="none" />')
        parts.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2" '
                     'vector-effect="non-scaling-stroke" />')
    return _svg("".join(parts), "0 0 100 40", stretch=True,
                label="area chart" if area else "line chart")


def bar_svg(series: Sequence[Series]) -> str:
    top = _scale(series)
    count = max(len(s) for s in series)
    slot = 100 / count
    width = slot * 0.8 / len(series)
    parts = ['<path class="axis" d="M0 40 H100" />']
    for number, values in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        for i, value in enumerate(values):
            height = 38 * value / top
            x = i * slot + slot * 0.1 + number * width
            parts.append(f'<rect x="{x:.2f}" y="{40 - height:.2f}" width="{width:.2f}" '
                         f'height="{height:.2f}" fill="{color}" />')
    return _svg("".join(parts), "0 0 100 40", stretch=True, label="bar chart")


def table_svg(series: Sequence[Series], names: Sequence[str], granularity: str) -> str:
    unit = UNIT.get(granularity, "")
    columns = [name or "(event)" for name in names[:TABLE_COLUMNS]] or ["value"]
    columns = columns[: len(series)]
    width = 60 + 70 * len(columns)
    parts = ['<text x="4" y="14" class="th">bucket</text>']
    for c, name in enumerate(columns):
        short = name if len(name) <= 10 else name[:9] + "\u2026"
        parts.append(f'<text x="{60 + 70 * c + 66}" y="14" class="th" text-anchor="end">'
                     f"{escape(short)}</text>")
    parts.append(f'<path class="rule" d="M2 19 H{width - 2}" />')
    length = max(len(s) for s in series)
    for r in range(min(TABLE_ROWS, length)):
        y = 34 + 17 * r
        parts.append(f'<text x="4" y="{y}">-{r + 1}{unit}</text>')
        for c in range(len(columns)):
            value = series[c][length - 1 - r]
            parts.append(f'<text x="{60 + 70 * c + 66}" y="{y}" text-anchor="end">'
                         f"{value:,.0f}</text>")
    height = 24 + 17 * min(TABLE_ROWS, length)
    return _svg("".join(parts), f"0 0 {width} {height}", stretch=False, label="table")


def kpi_svg(series: Sequence[Series], aggregation: str) -> str:
    values = series[0]
    last, previous = values[-1], values[-2] if len(values) > 1 else values[-1]
    delta = (last - previous) / previous * 100 if previous else 0.0
    arrow, color = ("\u25b2", "#0ca678") if delta >= 0 else ("\u25bc", "#e03131")
    label = "unique users" if aggregation == "AGGREGATION_UNIQUE_USERS" else "count"
    body = (f'<text x="80" y="38" text-anchor="middle" class="kpi">{last:,.0f}</text>'
            f'<text x="80" y="56" text-anchor="middle" fill="{color}" class="delta">'
            f"{arrow} {abs(delta):.1f}%</text>"
            f'<text x="80" y="70" text-anchor="middle" class="sub">{escape(label)}</text>')
    return _svg(body, "0 0 160 76", stretch=False, label="KPI")


def chart_svg(tile_id: str, insight: Mapping[str, Any]) -> str:
    """The placeholder chart of an insight tile, in its visualization."""
    query = insight.get("query")
    query = query if isinstance(query, Mapping) else {}
    series = sample_series(tile_id, query)
    kind = str(insight.get("visualization", ""))
    if kind == "VISUALIZATION_BAR":
        return bar_svg(series)
    if kind == "VISUALIZATION_AREA":
        return line_svg(series, area=True)
    if kind == "VISUALIZATION_TABLE":
        return table_svg(series, event_names(query), str(query.get("granularity")))
    if kind == "VISUALIZATION_KPI":
        return kpi_svg(series, str(query.get("aggregation")))
    if kind == "VISUALIZATION_LINE":
        return line_svg(series, area=False)
    return _svg(f'<text x="80" y="40" text-anchor="middle" class="sub">'
                f"{escape(kind or 'no visualization')}</text>", "0 0 160 76", stretch=False,
                label="unknown visualization")
