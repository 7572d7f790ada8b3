"""The .proto contract: the generated code matches it and its JSON is SPEC §1's."""

from __future__ import annotations

import importlib.util
import shutil
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

from reconciler import dashboard as model
from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb

GEN = Path(__file__).resolve().parents[2] / "reconciler" / "emulator" / "gen"

SPEC_TILES = [
    {
        "id": "tile_001",
        "type": "TILE_TYPE_INSIGHT",
        "position": {"x": 0, "y": 0, "w": 6, "h": 4},
        "insight": {
            "query": {
                "events": [{"name": "page_view"}],
                "granularity": "GRANULARITY_DAY",
                "aggregation": "AGGREGATION_UNIQUE_USERS",
            },
            "visualization": "VISUALIZATION_LINE",
        },
    },
    {
        "id": "tile_002",
        "type": "TILE_TYPE_MARKDOWN",
        "position": {"x": 6, "y": 0, "w": 6, "h": 2},
        "markdown": {"content": "# Weekly Goals"},
    },
]


@pytest.mark.parametrize("tile", SPEC_TILES, ids=["insight", "markdown"])
def test_spec_tiles_round_trip_through_proto3_json(tile: dict[str, object]) -> None:
    message = json_format.ParseDict(tile, pb.Tile())
    assert json_format.MessageToDict(message, always_print_fields_with_no_presence=True) == tile


def test_json_names_are_the_spec_ones() -> None:
    upsert = pb.UpsertRequest(dashboard_id="dash_1", tiles=[pb.Tile(id="t")])
    assert set(json_format.MessageToDict(upsert)) == {"dashboardId", "tiles"}
    dashboard = pb.Dashboard(id="d", name="n")
    dashboard.created_at.FromSeconds(0)
    dashboard.updated_at.FromSeconds(1)
    data = json_format.MessageToDict(dashboard, always_print_fields_with_no_presence=True)
    assert set(data) == {"id", "name", "tiles", "createdAt", "updatedAt"}
    assert data["createdAt"] == "1970-01-01T00:00:00Z"
    listed = json_format.MessageToDict(pb.ListResponse(next_page_token="t"))
    assert listed == {"nextPageToken": "t"}
    assert set(json_format.MessageToDict(pb.ListRequest(page_size=1, page_token="t"))) == {
        "pageSize",
        "pageToken",
    }


@pytest.mark.parametrize(
    ("enum", "known"),
    [
        (pb.TileType, model.TileType),
        (pb.Granularity, model.Granularity),
        (pb.Aggregation, model.Aggregation),
        (pb.Visualization, model.Visualization),
    ],
)
def test_enums_match_the_model(enum: Any, known: type[Enum]) -> None:
    names = list(enum.keys())
    assert names[0].endswith("_UNSPECIFIED")
    assert enum.Value(names[0]) == 0
    assert names[1:] == [member.value for member in known]


def test_service_methods() -> None:
    service = pb.DESCRIPTOR.services_by_name["DashboardsService"]
    assert service.full_name == "dashboards.v1.DashboardsService"
    assert [method.name for method in service.methods] == [
        "List",
        "Get",
        "Create",
        "Update",
        "Upsert",
        "Delete",
    ]


def test_generated_code_is_up_to_date(tmp_path: Path) -> None:
    pytest.importorskip("grpc_tools")
    spec = importlib.util.spec_from_file_location("regenerate", GEN / "regenerate.py")
    assert spec is not None and spec.loader is not None
    regenerate: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regenerate)
    files = ["dashboards_pb2.py", "dashboards_pb2.pyi"]
    if (
        shutil.which("protoc-gen-connectrpc")
        or (Path(regenerate.sys.executable).parent / "protoc-gen-connectrpc").exists()
    ):
        files.append("dashboards_connect.py")
        regenerate.generate(tmp_path)
    else:  # the Connect plugin is optional: check the messages only
        regenerate.find_plugin = lambda: "/bin/true"  # a plugin that generates nothing
        regenerate.generate(tmp_path)
    for name in files:
        fresh = (tmp_path / "dashboards" / "v1" / name).read_text()
        committed = (GEN / "dashboards" / "v1" / name).read_text()
        assert fresh == committed, f"{name} is stale: run reconciler/emulator/gen/regenerate.py"
