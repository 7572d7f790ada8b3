"""The model step: the manifest built from schema-checked data is the one pydantic's model gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reconciler.dashboard import (
    Aggregation,
    Dashboard,
    Granularity,
    TileType,
    Visualization,
    known_values,
    tiles_to_wire,
)
from reconciler.repo.manifest import to_manifest
from reconciler.repo.schema import is_valid

POSITIONS = st.fixed_dictionaries(
    {"w": st.integers(1, 12), "h": st.integers(1, 50)},
    optional={"x": st.integers(0, 11), "y": st.integers(0, 99)},
)
INSIGHT = st.fixed_dictionaries({
    "query": st.fixed_dictionaries({
        "events": st.lists(st.fixed_dictionaries({"name": st.text(min_size=1, max_size=8)}),
                           min_size=1, max_size=3),
        "granularity": st.sampled_from(known_values(Granularity)),
        "aggregation": st.sampled_from(known_values(Aggregation)),
    }),
    "visualization": st.sampled_from(known_values(Visualization)),
})
MARKDOWN = st.fixed_dictionaries({"content": st.text(max_size=20)})


@st.composite
def tiles(draw: st.DrawFn) -> dict[str, Any]:
    tile: dict[str, Any] = {"id": draw(st.text(min_size=1, max_size=5)),
                            "position": draw(POSITIONS)}
    if draw(st.booleans()):
        tile["insight"] = draw(INSIGHT)
        kinds = ["TILE_TYPE_INSIGHT", "insight", None]
    else:
        tile["markdown"] = draw(MARKDOWN)
        kinds = ["TILE_TYPE_MARKDOWN", "markdown", None]
    kind = draw(st.sampled_from([*kinds, "absent"]))
    if kind != "absent":
        tile["type"] = kind
    return tile


@given(st.lists(tiles(), max_size=4), st.sampled_from([None, "dash_1"]),
       st.lists(st.text(min_size=1, max_size=5), max_size=2))
def test_the_model_step_gives_what_the_pydantic_model_gives(
    tile_list: list[dict[str, Any]], pinned: str | None, former: list[str]
) -> None:
    data: dict[str, Any] = {"name": "Growth", "tiles": tile_list, "formerNames": former}
    if pinned:
        data["id"] = pinned
    assert is_valid("dashboard", data)
    model = Dashboard.model_validate(data, strict=True)
    manifest = to_manifest(data, Path("m.yaml"), from_base=False)
    assert manifest.wire_tiles == tiles_to_wire(model.tiles)
    assert (manifest.name, manifest.pinned_id, list(manifest.former_names)) == (
        model.name, model.id, model.former_names)
    assert all(tile["type"] in {t.value for t in TileType} for tile in manifest.wire_tiles)
