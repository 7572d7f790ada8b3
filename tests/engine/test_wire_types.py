"""The wire TypedDicts say what the proto says, and `tile_to_wire` fills every key of them."""

from __future__ import annotations

import pytest
from google.protobuf.descriptor import Descriptor
from pydantic import BaseModel

from reconciler.api.wire import Answer
from reconciler.dashboard import (
    Event,
    Insight,
    Markdown,
    Position,
    Query,
    Tile,
    WireEvent,
    WireInsight,
    WireMarkdown,
    WirePosition,
    WireQuery,
    WireTile,
    tile_to_wire,
)
from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.engine.ports import WireDashboard, WireSummary

MESSAGES = pb.DESCRIPTOR.message_types_by_name


def keys(typed: type) -> set[str]:
    return set(typed.__required_keys__ | typed.__optional_keys__)  # type: ignore[attr-defined]


def json_names(message: Descriptor) -> set[str]:
    return {field.json_name for field in message.fields}


@pytest.mark.parametrize(("typed", "message"), [
    (WireSummary, "DashboardSummary"), (WireDashboard, "Dashboard"), (WireTile, "Tile"),
    (WirePosition, "Position"), (WireInsight, "Insight"), (WireQuery, "Query"),
    (WireEvent, "Event"), (WireMarkdown, "Markdown"),
])
def test_each_wire_type_has_the_json_names_of_its_message(typed: type, message: str) -> None:
    assert keys(typed) == json_names(MESSAGES[message])


def test_an_answer_names_only_keys_of_the_responses() -> None:
    responses = ("ListResponse", "GetResponse", "CreateResponse", "UpdateResponse",
                 "UpsertResponse")
    assert keys(Answer) <= set().union(*(json_names(MESSAGES[name]) for name in responses))


@pytest.mark.parametrize(("typed", "model"), [
    (WireTile, Tile), (WirePosition, Position), (WireInsight, Insight), (WireQuery, Query),
    (WireEvent, Event), (WireMarkdown, Markdown),
])
def test_the_model_and_the_wire_tile_know_the_same_fields(
    typed: type, model: type[BaseModel]
) -> None:
    assert keys(typed) == set(model.model_fields)


TILES = [
    {"id": "dau", "position": {"x": 0, "y": 0, "w": 6, "h": 4},
     "insight": {"query": {"events": [{"name": "page_view"}, {"name": "signup"}],
                           "granularity": "day", "aggregation": "unique_users"},
                 "visualization": "line"}},
    {"id": "goals", "type": "TILE_TYPE_MARKDOWN", "position": {"x": 6, "y": 2, "w": 6, "h": 2},
     "markdown": {"content": "# Weekly Goals\n"}},
    {"id": "kpi", "position": {"w": 3, "h": 1},
     "insight": {"query": {"events": [{"name": "buy"}], "granularity": "GRANULARITY_MONTH",
                           "aggregation": "count"}, "visualization": "VISUALIZATION_KPI"}},
]


@pytest.mark.parametrize("manifest_tile", TILES, ids=[str(t["id"]) for t in TILES])
def test_tile_to_wire_is_the_models_json_form_with_its_type(manifest_tile: dict) -> None:
    tile = Tile.model_validate(manifest_tile)
    expected = {"id": tile.id, "type": tile.kind.value, "position": tile.position.model_dump()}
    expected |= tile.model_dump(mode="json", include={"insight", "markdown"}, exclude_none=True)
    wire = tile_to_wire(tile)
    assert wire == expected
    assert repr(wire) == repr(expected)  # the same key order too (saved plans, JSON output)
