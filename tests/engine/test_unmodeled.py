"""Field ownership: what of a live tile is unmodeled, and how an upsert merges it back."""

from __future__ import annotations

from typing import Any

from reconciler.engine.merge import merge_tile, merge_tiles
from reconciler.engine.normalize import fingerprint, live_form
from reconciler.engine.unmodeled import (
    graft,
    is_unmodeled_tile,
    kept_paths,
    owned_list_extras,
    unmodeled_fields,
)
from tests.support.factories import FILTERS, FUNNEL, insight, markdown, ui_edited, wire


def test_unmodeled_fields_at_any_depth_as_an_overlay_and_dotted_paths() -> None:
    overlay = unmodeled_fields(ui_edited(insight("dau")))
    assert overlay == {"color": "blue",
                       "insight": {"title": "Daily users", "query": {"filters": FILTERS}}}
    assert kept_paths(overlay) == ["color", "insight.query.filters", "insight.title"]
    assert unmodeled_fields(wire(insight("dau"))) == {}


def test_an_unknown_key_holding_an_object_is_one_path() -> None:
    tile = {**wire(markdown("m")), "style": {"legend": True, "color": "#fff"}}
    assert kept_paths(unmodeled_fields(tile)) == ["style"]


def test_unknown_tile_types_are_unmodeled_whole() -> None:
    assert is_unmodeled_tile(FUNNEL)
    assert is_unmodeled_tile({"id": "x", "type": 7})  # an enum number a newer API sent
    for known in (wire(insight("a")), wire(markdown("b")), {"id": "c"},
                  {"id": "d", "type": "TILE_TYPE_UNSPECIFIED"}):
        assert not is_unmodeled_tile(known)


def test_keys_inside_events_are_not_kept_but_named() -> None:
    tile = wire(insight("dau"))
    tile["insight"]["query"]["events"] = [{"name": "page_view", "filter": "x"}, {"name": "b"}]
    assert unmodeled_fields(tile) == {}
    assert owned_list_extras(tile) == ["insight.query.events[0].filter"]


def test_graft_takes_modeled_fields_from_git() -> None:
    live = ui_edited(insight("dau", w=6))
    live["insight"]["visualization"] = "VISUALIZATION_BAR"
    desired = wire(insight("dau", w=8, events="signup"))
    sent: dict[str, Any] = merge_tile(desired, live)
    assert sent["position"] == {"x": 0, "y": 0, "w": 8, "h": 4}
    assert sent["insight"]["visualization"] == "VISUALIZATION_LINE"
    assert sent["insight"]["query"]["events"] == [{"name": "signup"}]
    assert sent["insight"]["title"] == "Daily users"
    assert sent["insight"]["query"]["filters"] == FILTERS
    assert sent["color"] == "blue"
    assert desired == wire(insight("dau", w=8, events="signup"))  # not changed in place


def test_graft_drops_what_hangs_off_a_body_git_replaced() -> None:
    overlay = unmodeled_fields(ui_edited(insight("t")))
    sent, kept = graft(wire(markdown("t")), overlay)
    assert "insight" not in sent and sent["color"] == "blue"
    assert kept == {"color": "blue"}


def dashboard(*tiles: dict[str, Any]) -> dict[str, Any]:
    return {"id": "d1", "name": "Growth", "tiles": list(tiles)}


def test_merge_tiles_keeps_fields_and_unmodeled_tiles_and_reports_them() -> None:
    live = live_form(dashboard(ui_edited(insight("dau")), wire(markdown("goals")), FUNNEL))
    merged = merge_tiles([wire(insight("dau")), wire(markdown("goals", "# New"))], live)
    assert merged.problems == [] and merged.warnings == []
    assert merged.kept == {"dau": ["color", "insight.query.filters", "insight.title"],
                           "funnel": ["*"]}
    by_id = {tile["id"]: tile for tile in merged.tiles}
    assert by_id["dau"] == merge_tile(wire(insight("dau")), ui_edited(insight("dau")))
    assert by_id["goals"] == wire(markdown("goals", "# New"))
    assert by_id["funnel"] == FUNNEL


def test_merge_tiles_refuses_overlap_and_id_clash_with_a_kept_tile() -> None:
    live = live_form(dashboard(FUNNEL))
    overlap = merge_tiles([wire(insight("dau", y=18))], live)
    assert overlap.problems == [
        "tile dau overlaps tile funnel (type TILE_TYPE_FUNNEL), which dashctl does not model "
        "and keeps; move the manifest tile"]
    clash = merge_tiles([wire(insight("funnel", y=30))], live)
    assert len(clash.problems) == 1 and "TILE_TYPE_FUNNEL has this id" in clash.problems[0]
    assert merge_tiles([wire(insight("dau", y=12))], live).problems == []


def test_merge_tiles_warns_what_it_cannot_keep() -> None:
    edited = ui_edited(insight("t"))
    edited["insight"]["query"]["events"] = [{"name": "page_view", "filter": "x"}]
    merged = merge_tiles([wire(markdown("t"))], live_form(dashboard(edited)))
    assert merged.kept == {"t": ["color"]}
    assert [w.split(":")[1].split(" is")[0].strip() for w in merged.warnings] == [
        "insight.query.filters", "insight.title", "insight.query.events[0].filter"]


def test_live_form_is_compact_and_order_free() -> None:
    plain = dashboard(wire(insight("a")), wire(markdown("b")))
    assert set(live_form(plain)) == {"name", "tiles"}
    edited = dashboard(FUNNEL, wire(markdown("b")), ui_edited(insight("a")))
    form = live_form(edited)
    assert [t["id"] for t in form["tiles"]] == ["a", "b"]
    assert form["unmodeledTiles"] == [FUNNEL]
    assert set(form["unmodeled"]) == {"a"}
    assert fingerprint(edited) == fingerprint({**edited, "tiles": edited["tiles"][::-1]})


def test_fingerprint_covers_unmodeled_content() -> None:
    edited = dashboard(ui_edited(insight("a")), FUNNEL)
    retitled = dashboard(ui_edited(insight("a")), FUNNEL)
    retitled["tiles"][0]["insight"]["title"] = "Weekly users"
    moved_funnel = dashboard(ui_edited(insight("a")), {**FUNNEL, "funnel": {"steps": []}})
    prints = {fingerprint(d) for d in (edited, retitled, moved_funnel)}
    assert len(prints) == 3
    assert fingerprint(edited) != fingerprint(dashboard(wire(insight("a"))))
