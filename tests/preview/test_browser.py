"""The preview pages in a real browser: clean loads, tiles where the grid says, no script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.commands.preview import PreviewOptions, run
from reconciler.preview import COMPACT, FULL, Geometry, render_dashboard_page
from tests.preview.drawn import assert_seen, labels
from tests.preview.samples import (
    EVIL_MARKDOWN,
    REAL_TILES,
    SAMPLE_TILES,
    every_kind,
    funnel_tile,
    saved_plan,
)
from tests.support.browser import Tab
from tests.support.factories import markdown, wire

pytestmark = pytest.mark.browser

TOLERANCE = 2  # px
GEOMETRIES = {(g.column, g.row, g.gap): g for g in (FULL, COMPACT)}

DRAWN = """() => [...document.querySelectorAll('.grid[data-column]')].map(grid => {
  const g = grid.getBoundingClientRect();
  return {column: +grid.dataset.column, row: +grid.dataset.row, gap: +grid.dataset.gap,
    tiles: [...grid.querySelectorAll('.tile')].map(tile => {
      const r = tile.getBoundingClientRect();
      return {id: tile.dataset.tileId, mark: tile.dataset.mark || null,
              x: +tile.dataset.x, y: +tile.dataset.y, w: +tile.dataset.w, h: +tile.dataset.h,
              left: r.left - g.left, top: r.top - g.top, width: r.width, height: r.height};
    })};
})"""


def drawn(tab: Tab) -> list[dict[str, Any]]:
    return list(tab.page.evaluate(DRAWN))


def expected_box(position: dict[str, int], geometry: Geometry) -> tuple[int, int, int, int]:
    """The documented geometry (reconciler/preview/geometry.py), restated."""
    x, y = position.get("x", 0), position.get("y", 0)
    return (x * geometry.column, y * geometry.row,
            position["w"] * geometry.column - geometry.gap,
            position["h"] * geometry.row - geometry.gap)


def assert_on_grid(tile: dict[str, Any], position: dict[str, int], geometry: Geometry) -> None:
    want = expected_box(position, geometry)
    got = (tile["left"], tile["top"], tile["width"], tile["height"])
    assert all(abs(g - w) <= TOLERANCE for g, w in zip(got, want, strict=True)), (
        f"tile {tile['id']}: drawn at {got}, grid position {position} means {want}")


def assert_site_on_grid(tab: Tab) -> int:
    """Every tile of the open page sits at its data-x/y/w/h; returns how many were checked."""
    checked = 0
    for grid in drawn(tab):
        geometry = GEOMETRIES[(grid["column"], grid["row"], grid["gap"])]
        for tile in grid["tiles"]:
            assert_on_grid(tile, {k: tile[k] for k in "xywh"}, geometry)
            checked += 1
    return checked


def test_sample_data_labels_and_legends_are_seen(tab: Tab, tmp_path: Path) -> None:
    tiles = [
        *every_kind(),
        {**funnel_tile("steps", ["signup", "invite"]), "position": {"x": 0, "y": 8, "w": 4,
                                                                   "h": 3}},
        {**funnel_tile("narrow", ["a", "b"]), "position": {"x": 4, "y": 8, "w": 1, "h": 1}},
    ]
    page = tmp_path / "sample.html"
    page.write_text(render_dashboard_page("Every kind", tiles), "utf-8")
    tab.open(page)
    tab.assert_clean()
    note = tab.page.locator(".sample-note")
    assert note.is_visible() and "sample data" in note.inner_text()
    found = labels(tab)
    drawn = {tile_id for tile_id, tile in found.items() if tile["chart"]}
    assert drawn == {"dau", "signups", "revenue", "traffic", "top", "tiny", "steps", "narrow"}
    for tile_id in drawn:
        [label] = found[tile_id]["sample"]
        assert label["text"] == "sample data"
        assert_seen(label, f"the sample label of {tile_id}")
    assert found["goals"]["sample"] == []
    assert [entry["text"] for entry in found["dau"]["legend"]] == ["page_view", "signup"]
    assert [entry["text"] for entry in found["traffic"]["legend"]] == ["a", "b", "c"]
    for tile_id in ("dau", "traffic"):
        for entry in found[tile_id]["legend"]:
            assert_seen(entry, f"the legend of {tile_id}")


def test_plan_pages_mark_sample_data_on_both_sides(tab: Tab, tmp_path: Path) -> None:
    before = [*REAL_TILES, *SAMPLE_TILES[:3]]
    after = SAMPLE_TILES
    plan = saved_plan(tmp_path / "plan.json")
    data = json.loads(plan.read_text("utf-8"))
    data["environments"][0]["changes"][0]["before"]["tiles"] = before
    data["environments"][0]["changes"][0]["after"]["tiles"] = after
    plan.write_text(json.dumps(data), "utf-8")
    out = tmp_path / "site"
    assert run(PreviewOptions(root=tmp_path, plan_file=plan, out=out)) == 0
    tab.open(out / "staging" / "growth-kpis.html")
    tab.assert_clean()
    assert "sample data" in tab.page.locator(".sample-note").inner_text()
    for side, tiles in (("before", before), ("after", after)):
        seen = tab.page.locator(f'[data-side="{side}"] .tile .sample')
        assert seen.count() == sum(tile in SAMPLE_TILES for tile in tiles), side
    for tile_id, tile in labels(tab).items():
        for label in tile["sample"]:
            assert_seen(label, f"the sample label of {tile_id}")
        for entry in tile["legend"]:
            assert_seen(entry, f"the legend of {tile_id}")


def test_dashboard_page_draws_every_tile_at_its_grid_position(tab: Tab, tmp_path: Path) -> None:
    tiles = every_kind()
    page = tmp_path / "growth.html"
    page.write_text(render_dashboard_page("Growth KPIs", tiles), "utf-8")
    tab.open(page)
    tab.assert_clean()
    [grid] = drawn(tab)
    assert (grid["column"], grid["row"], grid["gap"]) == (88, 64, 8)
    by_id = {tile["id"]: tile for tile in grid["tiles"]}
    assert sorted(by_id) == sorted(t["id"] for t in tiles)
    for tile in tiles:
        assert_on_grid(by_id[tile["id"]], tile["position"], FULL)
    assert tab.page.locator(".tile svg.chart").count() == 6


def test_markdown_tile_runs_nothing(tab: Tab, tmp_path: Path) -> None:
    page = tmp_path / "evil.html"
    tiles = [wire(markdown("evil", EVIL_MARKDOWN, x=0, w=12, h=8))]
    page.write_text(render_dashboard_page("<script>window.__pwned='title'</script>", tiles),
                    "utf-8")
    tab.open(page)
    tab.assert_clean()
    assert tab.page.evaluate("() => typeof window.__pwned") == "undefined"
    assert tab.page.locator("script, img, iframe, object, embed").count() == 0
    hrefs = tab.page.evaluate(
        "() => [...document.querySelectorAll('[href], [src]')]"
        ".map(e => e.getAttribute('href') || e.getAttribute('src'))")
    assert not [h for h in hrefs if h.replace(" ", "").lower().startswith("javascript:")]
    protocols = tab.page.evaluate(
        "() => [...document.querySelectorAll('a[href]')].map(a => a.protocol)")
    assert set(protocols) <= {"https:", "file:"}
    for link in tab.page.locator(".md a:not([href])").all():
        link.click()
    assert tab.page.evaluate("() => typeof window.__pwned") == "undefined"
    text = tab.page.locator(".md").inner_text()
    assert "<script>window.__pwned = 'script'</script>" in text  # shown, not run


def test_plan_preview_pages(tab: Tab, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run(PreviewOptions(root=tmp_path, plan_file=saved_plan(tmp_path / "plan.json"),
                       out=out)) == 0
    pages = sorted(out.rglob("*.html"))
    assert [p.relative_to(out).as_posix() for p in pages] == [
        "index.html", "production/index.html", "staging/activation-funnel.html",
        "staging/growth-kpis.html", "staging/index.html", "staging/old-board.html"]
    for page in pages:
        tab.open(page)
        assert_site_on_grid(tab)
    tab.assert_clean()

    tab.open(out / "staging" / "growth-kpis.html")
    before, after = drawn(tab)
    assert (before["column"], before["row"], before["gap"]) == (44, 36, 6)
    assert {t["id"]: t["mark"] for t in before["tiles"]} == {"dau": "~", "goals": "~", "old": "-"}
    assert {t["id"]: t["mark"] for t in after["tiles"]} == {"dau": "~", "goals": "~", "wau": "+"}
    left = tab.page.locator('[data-side="before"]').bounding_box()
    right = tab.page.locator('[data-side="after"]').bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) <= 1
    assert "renamed from \u201cGrowth\u201d" in tab.page.locator("section h2").first.inner_text()


REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


def test_example_repo_preview_and_growth_kpis_screenshot(tab: Tab, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run(PreviewOptions(root=REPO / "dashboards", out=out)) == 0
    checked = 0
    for page in sorted(out.rglob("*.html")):
        tab.open(page)
        checked += assert_site_on_grid(tab)
    tab.assert_clean()
    assert checked > 0

    tab.open(out / "index.html")
    growth = tab.page.locator("ul.list a", has_text="Growth KPIs").first
    growth.click()
    tab.page.wait_for_load_state("load")
    assert tab.page.locator("header.top h1").inner_text() == "Growth KPIs"
    assert tab.page.locator(".tile").count() > 0
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "preview-growth-kpis.png"
    tab.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    tab.assert_clean()
