"""The drawn charts, read back from the HTML a page carries: funnels, legends, sample labels.

Each test parses what a tile draws (the SVG's bars and numbers, the legend's entries), so it
checks the picture a reader sees, not the numbers before drawing.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.preview.charts import MAX_FUNNEL_STEPS
from reconciler.preview.grid import grid_html
from reconciler.preview.pages import (
    ChangeView,
    DashboardView,
    render_change_page,
    render_dashboard_page,
    render_environment_page,
    render_plan_environment_page,
)
from tests.preview.drawn import (
    drawn_funnel,
    legend,
    notes,
    series_colors,
    tiles_of,
)
from tests.preview.samples import REAL_TILES, SAMPLE_TILES, funnel_tile, query_tile

STEP_NAMES = st.text(alphabet=st.characters(codec="utf-8"), max_size=24)
STEPS = st.one_of(
    st.lists(STEP_NAMES.map(lambda name: {"event": name}), max_size=14),
    st.lists(STEP_NAMES, max_size=14),
    st.lists(STEP_NAMES.map(lambda name: {"event": {"name": name}}), max_size=14),
    st.lists(STEP_NAMES.map(lambda name: {"name": name}), max_size=14),
)


@settings(max_examples=400, deadline=None)
@given(tile_id=st.text(max_size=40), steps=STEPS)
def test_a_funnel_never_grows_from_one_step_to_the_next(tile_id: str, steps: list[Any]) -> None:
    html = grid_html([funnel_tile(tile_id, steps)])
    drawn = drawn_funnel(html, tile_id)
    assert len(drawn) == min(len(steps), MAX_FUNNEL_STEPS)
    for earlier, later in pairwise(drawn):
        assert later.count <= earlier.count
        assert later.width <= earlier.width
        assert later.share <= earlier.share
    if drawn:
        assert drawn[0].share == 100.0 and drawn[0].count > 0
        assert all(step.width >= 0 and step.count >= 0 for step in drawn)


def test_a_funnel_names_its_steps_in_order() -> None:
    tile = funnel_tile("activation", [{"event": "signup"}, {"event": "project_created"},
                                      {"event": "<teammate_invited>"}])
    html = grid_html([tile])
    assert [step.label for step in drawn_funnel(html, "activation")] == [
        "signup", "project_created", "<teammate_invited>"]  # escaped in the HTML, shown as is
    assert "<teammate_invited>" not in html
    assert drawn_funnel(html, "activation") == drawn_funnel(grid_html([tile]), "activation")
    head = tiles_of(html)["activation"].find("span", "kind")
    assert [node.all_text() for node in head] == ["funnel"]


def test_a_long_funnel_says_what_it_left_out() -> None:
    steps = [{"event": f"step_{n}"} for n in range(MAX_FUNNEL_STEPS + 3)]
    html = grid_html([funnel_tile("long", steps)])
    assert len(drawn_funnel(html, "long")) == MAX_FUNNEL_STEPS
    assert "+3 more steps" in tiles_of(html)["long"].all_text()


def test_a_funnel_without_steps_draws_no_numbers() -> None:
    bodies: list[dict[str, Any]] = [{"funnel": {}}, {"funnel": {"steps": []}},
                                    {"funnel": {"steps": "signup"}}, {}]
    for body in bodies:
        tile = {"id": "f", "type": "TILE_TYPE_FUNNEL", **body}
        drawn = tiles_of(grid_html([tile]))["f"]
        assert drawn.find("g", "step") == [] and "no steps" in drawn.all_text()


def test_every_chart_of_several_series_names_each_in_a_legend() -> None:
    events = ("page_view", "signup", "<purchase>")
    for viz in ("line", "area", "bar", "table"):
        html = grid_html([query_tile("t", viz, events)])
        tile = tiles_of(html)["t"]
        entries = legend(tile)
        assert [name for name, _ in entries] == list(events), viz
        colors = series_colors(tile)
        assert sorted(colors) == [0, 1, 2], viz
        for number, (_, swatch) in enumerate(entries):
            assert colors[number] == {swatch}, (viz, number)  # the swatch is the series' color
        assert len({swatch for _, swatch in entries}) == len(events)


def test_one_series_needs_no_legend() -> None:
    for viz, events in (("line", ("page_view",)), ("bar", ("signup",)), ("kpi", ("a", "b")),
                        ("table", ("revenue",))):
        tile = tiles_of(grid_html([query_tile("t", viz, events)]))["t"]
        assert tile.find("ul", "series") == [], viz


def test_a_legend_says_which_events_are_not_drawn() -> None:
    events = tuple(f"event_{n}" for n in range(6))
    tile = tiles_of(grid_html([query_tile("t", "line", events)]))["t"]
    assert [name for name, _ in legend(tile)] == list(events[:4])
    assert sorted(series_colors(tile)) == [0, 1, 2, 3]
    assert "+2 more not drawn" in tile.find("ul", "series")[0].all_text()


def test_every_tile_drawn_from_invented_numbers_says_sample_data() -> None:
    tiles = tiles_of(grid_html(SAMPLE_TILES + REAL_TILES))
    for tile_id in (tile["id"] for tile in SAMPLE_TILES):
        [label] = tiles[tile_id].find(cls="sample")
        assert label.all_text() == "sample data", tile_id
        assert "sample data" in tiles[tile_id].find("svg")[0].attrs["aria-label"]
    for tile_id in (tile["id"] for tile in REAL_TILES):
        assert tiles[tile_id].find(cls="sample") == [], tile_id
        assert "sample data" not in tiles[tile_id].all_text()


def test_pages_with_invented_numbers_say_so_above_their_grids() -> None:
    page = render_dashboard_page("Growth", SAMPLE_TILES + REAL_TILES)
    [note] = notes(page)
    assert "sample data" in note.all_text() and "not read from any analytics" in note.all_text()
    assert page.index('class="sample-note"') < page.index('class="grid"')
    assert notes(render_dashboard_page("Notes only", REAL_TILES)) == []

    views = [DashboardView("Growth", SAMPLE_TILES, "g.html"), DashboardView("N", REAL_TILES, "n")]
    assert len(notes(render_environment_page("staging", views))) == 1
    assert notes(render_environment_page("staging", views[1:])) == []

    change = ChangeView("update", "Growth", "g.html", changed=["dau"], before=REAL_TILES,
                        after=SAMPLE_TILES)
    assert len(notes(render_change_page("staging", change))) == 1
    assert len(notes(render_plan_environment_page("staging", "proj", [change]))) == 1
    deleted = ChangeView("delete", "Old", "o.html", before=REAL_TILES)
    assert notes(render_change_page("staging", deleted)) == []
