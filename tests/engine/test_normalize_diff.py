from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reconciler.engine.diff import FieldChange, diff_tiles
from reconciler.engine.normalize import canonical_tile, canonical_tiles, fingerprint
from tests.support.factories import insight, markdown, wire


def test_server_quirks_are_not_changes() -> None:
    desired = wire(insight("dau"))
    quirky = {
        "id": "dau", "type": "TILE_TYPE_INSIGHT", "etag": "abc",
        "position": {"w": 6, "h": 4},  # x and y omitted (proto3 defaults)
        "insight": {"visualization": "VISUALIZATION_LINE", "theme": "dark",
                    "query": {"aggregation": "AGGREGATION_UNIQUE_USERS",
                              "granularity": "GRANULARITY_DAY", "events": [{"name": "page_view"}]}},
    }
    assert canonical_tile(quirky) == canonical_tile(desired)


def test_type_is_derived_when_missing() -> None:
    tile = canonical_tile({"id": "m", "markdown": {}})
    assert tile["type"] == "TILE_TYPE_MARKDOWN"
    assert tile["markdown"] == {"content": ""}


def test_reordered_tiles_are_no_change() -> None:
    tiles = [wire(insight("a")), wire(markdown("b"))]
    assert not diff_tiles(canonical_tiles(tiles), canonical_tiles(reversed(tiles)))


def test_changed_tile_is_one_change_with_fields() -> None:
    live = canonical_tiles([wire(insight("a")), wire(markdown("b"))])
    desired = canonical_tiles([wire(insight("a", w=8)), wire(markdown("c"))])
    changes = diff_tiles(desired, live)
    assert changes.added == ["c"]
    assert changes.removed == ["b"]
    assert changes.changed == {"a": [FieldChange("position.w", 6, 8)]}


def test_fingerprint_ignores_timestamps_and_order() -> None:
    tiles = [wire(insight("a")), wire(markdown("b"))]
    one = {"id": "1", "name": "X", "tiles": tiles, "updatedAt": "2026-01-01T00:00:00Z"}
    two = {"id": "1", "name": "X", "tiles": tiles[::-1], "updatedAt": "2027-01-01T00:00:00Z"}
    assert fingerprint(one) == fingerprint(two)
    assert fingerprint(one) != fingerprint({**one, "name": "Y"})


@given(st.permutations(range(4)), st.booleans())
def test_canonical_form_is_stable_under_order_and_omitted_defaults(order: list[int],
                                                                   omit: bool) -> None:
    tiles = [wire(insight(f"t{i}", x=0 if i % 2 else 6, y=i * 4, w=6)) for i in range(4)]
    served = []
    for index in order:
        tile = dict(tiles[index])
        if omit:
            tile["position"] = {k: v for k, v in tile["position"].items() if v}
        served.append(tile)
    assert not diff_tiles(canonical_tiles(tiles), canonical_tiles(served))
