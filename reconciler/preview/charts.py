"""Placeholder charts in SVG, drawn from deterministic sample data.

The data is invented: it is seeded by the tile id (through SHA-256, so it is
the same on every machine and every run) and shaped by the query (one series
per event, one point per time bucket) or by a funnel's steps. Only the look of
the visualization is real, so every chart drawn from it says so: its
``aria-label`` here, and a visible "sample data" label that ``grid.py`` puts on
its tile (``draws_sample_data`` says which tiles). Series are painted in
``PALETTE`` order and carry ``data-series`` (their index), which the legend
``grid.py`` draws for several series follows (``drawn_series``). Every string
that reaches the SVG is escaped.
"""

from __future__ import annotations

import hashlib
import math
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
MAX_FUNNEL_STEPS = 8
FUNNEL_KEEP = (0.35, 0.9)  # the share of a step's people that reach the next one

Series = list[float]


def event_names(query: Mapping[str, Any]) -> list[str]:
    events = query.get("events")
    if not isinstance(events, list):
        return []
    return [str(e.get("name", "")) if isinstance(e, Mapping) else str(e) for e in events]


def _rng(tile_id: str) -> random.Random:
    """A generator seeded by the tile id through SHA-256 (Python's hash() is randomized)."""
    return random.Random(int.from_bytes(hashlib.sha256(tile_id.encode("utf-8")).digest()[:8],
                                        "big"))


def sample_series(tile_id: str, query: Mapping[str, Any]) -> list[Series]:
    """One random walk per event (at most MAX_SERIES), the same for the same tile id."""
    rng = _rng(tile_id)
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


def _short(name: str, limit: int) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


def _scale(series: Sequence[Series]) -> float:
    return max((max(s) for s in series if s), default=1.0) * 1.1 or 1.0


def _xy(index: int, value: float, count: int, top: float) -> tuple[float, float]:
    x = 100 * index / max(count - 1, 1)
    y = 40 - 38 * value / top
    return round(x, 2), round(y, 2)


def _svg(body: str, view_box: str, *, stretch: bool, label: str, sample: bool = True) -> str:
    """The chart element; ``sample``: drawn from invented numbers, which its label says."""
    aspect = "none" if stretch else "xMidYMid meet"
    label = f"{label} of sample data" if sample else label
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
            parts.append(f'<path data-series="{number}" d="{path} L100 40 L0 40 Z" '
                         f'fill="{color}" fill-opacity="0.25" stroke="none" />')
        parts.append(f'<path data-series="{number}" d="{path}" fill="none" stroke="{color}" '
                     'stroke-width="2" vector-effect="non-scaling-stroke" />')
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
            parts.append(f'<rect data-series="{number}" x="{x:.2f}" y="{40 - height:.2f}" '
                         f'width="{width:.2f}" height="{height:.2f}" fill="{color}" />')
    return _svg("".join(parts), "0 0 100 40", stretch=True, label="bar chart")


def table_svg(series: Sequence[Series], names: Sequence[str], granularity: str) -> str:
    unit = UNIT.get(granularity, "")
    columns = [name or "(event)" for name in names[:TABLE_COLUMNS]] or ["value"]
    columns = columns[: len(series)]
    width = 60 + 70 * len(columns)
    parts = ['<text x="4" y="14" class="th">bucket</text>']
    for c, name in enumerate(columns):
        # a column is a series: its heading in the series' color, as the legend shows it
        paint = f' data-series="{c}" style="fill:{PALETTE[c]}"' if len(columns) > 1 else ""
        parts.append(f'<text x="{60 + 70 * c + 66}" y="14" class="th" text-anchor="end"'
                     f"{paint}>{escape(_short(name, 10))}</text>")
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
                label="unknown visualization", sample=False)


DRAWN_COLUMNS = {"VISUALIZATION_LINE": MAX_SERIES, "VISUALIZATION_AREA": MAX_SERIES,
                 "VISUALIZATION_BAR": MAX_SERIES, "VISUALIZATION_TABLE": TABLE_COLUMNS,
                 "VISUALIZATION_KPI": 1}
"""How many series each visualization draws (a KPI shows one number)."""


def draws_sample_data(insight: Mapping[str, Any]) -> bool:
    """True when ``chart_svg`` draws this insight from invented numbers (any known
    visualization; an unknown one is drawn as its name only)."""
    return str(insight.get("visualization", "")) in DRAWN_COLUMNS


def drawn_series(insight: Mapping[str, Any]) -> list[str]:
    """The events whose series ``chart_svg`` draws, in ``PALETTE`` order (``data-series``)."""
    query = insight.get("query")
    names = event_names(query if isinstance(query, Mapping) else {})
    return names[: min(DRAWN_COLUMNS.get(str(insight.get("visualization", "")), 0),
                       MAX_SERIES)]


def funnel_steps(funnel: Mapping[str, Any]) -> list[str]:
    """The step names of a funnel tile's body, read leniently: dashctl does not model
    funnels, so a step may be ``{"event": "signup"}``, ``{"event": {"name": ...}}``,
    ``{"name": ...}`` or a bare string."""
    steps = funnel.get("steps")
    if not isinstance(steps, list):
        return []
    names = []
    for step in steps:
        name = step.get("event", step.get("name", "")) if isinstance(step, Mapping) else step
        if isinstance(name, Mapping):
            name = name.get("name", "")
        names.append("" if name is None else str(name))
    return names


def sample_funnel(tile_id: str, steps: int) -> list[int]:
    """Invented counts of a funnel's steps, the same for the same tile id. Each step keeps
    a share of the one before and never more (people leave a funnel, none join halfway):
    ``floor(previous * keep)`` with ``keep < 1`` is at most ``previous`` for any draw."""
    rng = _rng(tile_id)
    value = rng.randint(800, 5000)
    counts: list[int] = []
    for index in range(steps):
        if index:
            value = math.floor(value * rng.uniform(*FUNNEL_KEEP))
        counts.append(value)
    return counts


def funnel_svg(tile_id: str, funnel: Mapping[str, Any]) -> str:
    """A funnel tile: one bar per step (at most MAX_FUNNEL_STEPS), each as long as its
    count, with the count and its share of the first step printed beside it."""
    names = funnel_steps(funnel)
    if not names:
        return _svg('<text x="80" y="40" text-anchor="middle" class="sub">no steps</text>',
                    "0 0 160 76", stretch=False, label="funnel without steps", sample=False)
    shown = names[:MAX_FUNNEL_STEPS]
    counts = sample_funnel(tile_id, len(shown))
    first = counts[0]
    parts = []
    for index, (name, count) in enumerate(zip(shown, counts, strict=True)):
        y = 4 + 20 * index
        width = 126 * count / first
        parts.append(
            f'<g class="step"><title>{escape(name or "(event)")}</title>'
            f'<text class="label" x="0" y="{y + 11}">{escape(_short(name or "(event)", 18))}'
            f'</text><rect class="bar" x="122" y="{y}" width="{width:.2f}" height="14" '
            f'fill="{PALETTE[0]}" fill-opacity="{1 - 0.08 * index:.2f}" />'
            f'<text class="count" x="338" y="{y + 11}" text-anchor="end">'
            f"{count:,} \u00b7 {100 * count / first:.1f}%</text></g>"
        )
    height = 8 + 20 * len(shown)
    if len(names) > len(shown):
        parts.append(f'<text class="sub" x="0" y="{height + 6}">'
                     f"+{len(names) - len(shown)} more steps</text>")
        height += 14
    return _svg("".join(parts), f"0 0 340 {height}", stretch=False, label="funnel")
