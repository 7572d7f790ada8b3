"""The preview pages as strings: geometry, escaping, safe markdown, charts, plan marks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from reconciler.commands.preview import slug
from reconciler.preview import COMPACT, FULL, render_dashboard_page
from reconciler.preview.charts import chart_svg, sample_series
from reconciler.preview.geometry import Cell, box_of, cell_of
from reconciler.preview.grid import grid_html
from reconciler.preview.markdown import render_markdown, safe_href
from reconciler.preview.pages import ChangeView, change_marks
from tests.preview.samples import EVIL_MARKDOWN, REAL_TILES, SAMPLE_TILES, every_kind
from tests.support.factories import insight, markdown, wire


class Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


def test_geometry_is_the_documented_one() -> None:
    assert (FULL.column, FULL.row, FULL.gap, FULL.width) == (88, 64, 8, 1048)
    assert (COMPACT.column, COMPACT.row, COMPACT.gap, COMPACT.width) == (44, 36, 6, 522)
    box = box_of(Cell(x=6, y=2, w=3, h=2), FULL)
    assert (box.left, box.top, box.width, box.height) == (528, 128, 256, 120)


def test_missing_or_odd_positions_are_drawable() -> None:
    assert cell_of({"position": {"w": 4, "h": 2}}) == Cell(0, 0, 4, 2)
    assert cell_of({}) == Cell(0, 0, 1, 1)
    assert cell_of({"position": {"x": "7", "y": -3, "w": 0, "h": None}}) == Cell(7, 0, 1, 1)


def test_tiles_are_placed_at_their_grid_boxes() -> None:
    html = render_dashboard_page("Growth KPIs", every_kind())
    tiles = [a for tag, a in elements(html) if tag == "article"]
    assert [a["data-tile-id"] for a in tiles] == [t["id"] for t in every_kind()]
    for attrs, tile in zip(tiles, every_kind(), strict=True):
        p = tile["position"]
        box = box_of(Cell(p["x"], p["y"], p["w"], p["h"]), FULL)
        assert attrs["style"] == (f"left:{box.left}px;top:{box.top}px;"
                                  f"width:{box.width}px;height:{box.height}px")
    grid = next(a for tag, a in elements(html) if "grid" in (a.get("class") or "").split())
    assert grid["style"] == f"width:1048px;height:{8 * 64 - 8}px"


def test_every_string_is_escaped() -> None:
    evil = '"><script>alert(1)</script>'
    tiles = [wire(insight(evil, events=(evil,))), wire(markdown("m" + evil, evil, x=6))]
    html = render_dashboard_page(evil, tiles, subtitle=evil, nav=[(evil, evil)])
    assert "<script" not in html
    assert [tag for tag, _ in elements(html) if tag == "script"] == []


@pytest.mark.parametrize("tiles", [every_kind(), SAMPLE_TILES + REAL_TILES])
def test_pages_are_self_contained(tiles: list[dict[str, object]]) -> None:
    html = render_dashboard_page("x", tiles)
    assert "Content-Security-Policy" in html
    for tag, attrs in elements(html):
        assert tag not in ("script", "iframe", "img", "object", "embed")
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)


@pytest.mark.parametrize("bad", [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](&#106;avascript:alert(1))",
    "<javascript:alert(1)>", "[x](vbscript:msgbox)", "[x](data:text/html,<b>)",
    "[x](file:///etc/passwd)", "[x](<java\tscript:alert(1)>)",
])
def test_markdown_refuses_dangerous_links(bad: str) -> None:
    html = render_markdown(bad)
    for _, attrs in elements(html):
        href = re.sub(r"[\x00-\x20]", "", attrs.get("href") or "").lower()
        assert not href.startswith(("javascript:", "vbscript:", "data:", "file:"))


def test_markdown_has_no_raw_html_and_no_remote_images() -> None:
    html = render_markdown(EVIL_MARKDOWN)
    tags = {tag for tag, _ in elements(html)}
    assert "script" not in tags and "img" not in tags
    assert "&lt;script&gt;" in html
    assert "[image: remote]" in html
    assert '<a href="https://example.com/docs" rel="noopener noreferrer nofollow">fine</a>' in html


def test_safe_href() -> None:
    assert safe_href("https://x.y") and safe_href("./page.html") and safe_href("#top")
    assert safe_href("mailto:a@b.c")
    assert not safe_href("tel:1") and not safe_href(" JavaScript:x")
    assert not safe_href("java\tscript:x")


def test_sample_data_is_seeded_by_tile_id() -> None:
    query = {"events": [{"name": "a"}, {"name": "b"}], "granularity": "GRANULARITY_HOUR",
             "aggregation": "AGGREGATION_COUNT"}
    assert sample_series("dau", query) == sample_series("dau", query)
    assert sample_series("dau", query) != sample_series("wau", query)
    assert [len(s) for s in sample_series("dau", query)] == [24, 24]
    # the same on every machine: a digest, not Python's randomized hash()
    assert sample_series("dau", query)[0][0] == 1800.0


@pytest.mark.parametrize("viz,needle", [
    ("VISUALIZATION_LINE", 'aria-label="line chart of sample data"'),
    ("VISUALIZATION_BAR", "<rect"),
    ("VISUALIZATION_AREA", 'aria-label="area chart of sample data"'),
    ("VISUALIZATION_TABLE", ">bucket<"), ("VISUALIZATION_KPI", 'class="kpi"'),
    ("VISUALIZATION_PIE", "VISUALIZATION_PIE"),
])
def test_each_visualization_has_its_chart(viz: str, needle: str) -> None:
    insight_ = {"query": {"events": [{"name": "<e>"}], "granularity": "GRANULARITY_DAY",
                          "aggregation": "AGGREGATION_COUNT"}, "visualization": viz}
    svg = chart_svg("t", insight_)
    assert svg.startswith("<svg") and needle in svg
    assert "<e>" not in svg


def test_query_is_shown() -> None:
    html = grid_html([wire(insight("q", events=("page_view", "signup"), granularity="week",
                                   aggregation="unique_users"))])
    assert "<b>page_view, signup</b> &middot; unique users &middot; per week" in html


def test_plan_marks() -> None:
    view = ChangeView("update", "G", "g.html", added=["a"], changed=["c"], removed=["r"])
    assert change_marks(view) == ({"c": "~", "r": "-"}, {"c": "~", "a": "+"})
    created = ChangeView("create", "G", "g.html", after=[{"id": "n"}])
    assert change_marks(created)[1] == {"n": "+"}
    deleted = ChangeView("delete", "G", "g.html", before=[{"id": "o"}])
    assert change_marks(deleted)[0] == {"o": "-"}


def test_marked_tiles_carry_their_mark() -> None:
    html = grid_html([wire(insight("a")), wire(insight("b", x=6))], marks={"a": "+"},
                     geometry=COMPACT)
    tiles = {a["data-tile-id"]: a for tag, a in elements(html) if tag == "article"}
    assert tiles["a"]["data-mark"] == "+" and "mark-added" in (tiles["a"]["class"] or "")
    assert "data-mark" not in tiles["b"]


def test_slugs_are_safe_and_unique() -> None:
    taken = {"index"}
    assert slug("Growth KPIs", taken) == "growth-kpis"
    assert slug("growth kpis!", taken) == "growth-kpis-2"
    assert slug("../../etc/passwd", taken) == "etc-passwd"
    assert slug("Index", taken) == "index-2"
    assert slug("\u00e9\u00e9", taken) == "ee"  # one slug rule with pull: accents folded
    assert slug("\u4e2d\u6587", taken) == "dashboard"
