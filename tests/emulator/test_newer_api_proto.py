"""`dashctl serve --newer-api` in binary protobuf: unknown fields and tile type numbers are
kept; reads across codecs show the modeled fields; the content survives a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from google.protobuf import json_format, unknown_fields

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from tests.emulator.conftest import Api
from tests.emulator.newer_tiles import ui_board, ui_insight_modeled
from tests.support.server import SECRET, running_server

pytestmark = pytest.mark.anyio

FUNNEL_TYPE = 7  # a TileType number dashboards.proto does not define


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def field_bytes(number: int, payload: bytes) -> bytes:
    """A length-delimited field (string, bytes or message) on the wire."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def field_varint(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def with_unknown(message: Any, raw: bytes) -> Any:
    """``message`` with the fields in ``raw`` added (unknown to the proto: numbers >= 100)."""
    message.MergeFromString(raw)
    return message


def binary_tiles() -> list[Any]:
    """An insight with unknown fields at every depth, and a tile of an unknown type."""
    event = with_unknown(pb.Event(name="page_view"), field_bytes(100, b"Views"))
    query = with_unknown(
        pb.Query(
            events=[event],
            granularity=pb.GRANULARITY_DAY,
            aggregation=pb.AGGREGATION_COUNT,
        ),
        field_bytes(101, field_bytes(1, b"country") + field_bytes(2, b"FR")),  # a filter
    )
    body = with_unknown(
        pb.Insight(query=query, visualization=pb.VISUALIZATION_BAR),
        field_bytes(100, b"Daily actives"),
    )
    dau = with_unknown(
        pb.Tile(
            id="dau", type=pb.TILE_TYPE_INSIGHT, position=pb.Position(x=0, y=0, w=6, h=4),
            insight=body,
        ),
        field_bytes(100, b"#ff8800") + field_varint(102, 3),
    )
    conv = with_unknown(
        pb.Tile(id="conv", type=FUNNEL_TYPE,  # type: ignore[arg-type]  # a number the proto lacks
                position=pb.Position(x=0, y=4, w=12, h=3)),
        field_bytes(106, field_bytes(1, b"signup") + field_bytes(1, b"purchase")),  # funnel
    )
    return [dau, conv]


def proto_headers(api: Api) -> dict[str, str]:
    return api.headers(**{"content-type": "application/proto"})


async def proto_call(api: Api, method: str, request: Any, answer_class: Any) -> Any:
    content = request.SerializeToString()
    response = await api.call(method, content=content, headers=proto_headers(api))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/proto"
    return answer_class.FromString(response.content).dashboard


def wire(tiles: Any) -> list[bytes]:
    return [tile.SerializeToString() for tile in tiles]


async def test_unknown_fields_and_type_numbers_round_trip(newer_api: Api) -> None:
    board = await newer_api.create()
    tiles = binary_tiles()
    upsert = pb.UpsertRequest(dashboard_id=board["id"], tiles=tiles)
    answer = await proto_call(newer_api, "Upsert", upsert, pb.UpsertResponse)
    assert wire(answer.tiles) == wire(tiles)
    dashboard = await proto_call(newer_api, "Get", pb.GetRequest(id=board["id"]), pb.GetResponse)
    assert wire(dashboard.tiles) == wire(tiles)
    assert dashboard.tiles[1].type == FUNNEL_TYPE
    assert len(unknown_fields.UnknownFieldSet(dashboard.tiles[0].insight.query.events[0])) == 1


async def test_a_binary_sent_tile_read_in_json_shows_its_modeled_fields(newer_api: Api) -> None:
    board = await newer_api.create()
    upsert = pb.UpsertRequest(dashboard_id=board["id"], tiles=binary_tiles())
    await proto_call(newer_api, "Upsert", upsert, pb.UpsertResponse)
    tiles = (await newer_api.ok("Get", {"id": board["id"]}))["dashboard"]["tiles"]
    assert tiles[0]["insight"] == {
        "query": {
            "events": [{"name": "page_view"}],
            "granularity": "GRANULARITY_DAY",
            "aggregation": "AGGREGATION_COUNT",
        },
        "visualization": "VISUALIZATION_BAR",
    }
    assert set(tiles[0]) == {"id", "type", "position", "insight"}
    assert tiles[1] == {
        "id": "conv",
        "type": FUNNEL_TYPE,  # proto3 JSON writes an enum number it does not know as the number
        "position": {"x": 0, "y": 4, "w": 12, "h": 3},
    }


async def test_a_json_sent_tile_read_in_binary_shows_its_modeled_fields(newer_api: Api) -> None:
    board = await newer_api.create()
    await newer_api.ok("Upsert", {"dashboardId": board["id"], "tiles": ui_board()})
    dashboard = await proto_call(newer_api, "Get", pb.GetRequest(id=board["id"]), pb.GetResponse)
    dau, notes, conv = dashboard.tiles
    assert wire([dau]) == wire([_modeled(ui_insight_modeled("dau", x=0, w=6))])
    assert notes.markdown.content == "# Goals"
    assert not unknown_fields.UnknownFieldSet(notes.markdown)
    # A type name has no number in the proto: binary readers see TILE_TYPE_UNSPECIFIED.
    assert conv.type == pb.TILE_TYPE_UNSPECIFIED and conv.position.h == 3
    assert not unknown_fields.UnknownFieldSet(conv)
    # And the JSON view still has everything.
    got = (await newer_api.ok("Get", {"id": board["id"]}))["dashboard"]["tiles"]
    assert got == ui_board()


def _modeled(tile: dict[str, Any]) -> Any:
    return json_format.ParseDict(tile, pb.Tile())


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("overlap", "tile 'conv' overlaps tile 'dau'"),
        ("off the grid", "tile 'conv': x + w must be <= 12 (x=1, w=12)"),
        ("a markdown body", "type 7 disagrees with its markdown body"),
        ("a negative type", "tile 'conv': type has unknown value -3"),
    ],
)
async def test_binary_known_fields_are_still_checked(
    newer_api: Api, change: str, expected: str
) -> None:
    board = await newer_api.create()
    dau, conv = binary_tiles()
    if change == "overlap":
        conv.position.y = 3
    elif change == "off the grid":
        conv.position.x = 1
    elif change == "a markdown body":
        conv.markdown.content = "hi"
    else:
        conv.type = -3
    upsert = pb.UpsertRequest(dashboard_id=board["id"], tiles=[dau, conv])
    response = await newer_api.call(
        "Upsert", content=upsert.SerializeToString(), headers=proto_headers(newer_api)
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_argument"
    assert expected in response.json()["message"]


async def test_a_plain_server_refuses_an_unknown_type_number(api: Api) -> None:
    board = await api.create()
    upsert = pb.UpsertRequest(dashboard_id=board["id"], tiles=binary_tiles())
    response = await api.call(
        "Upsert", content=upsert.SerializeToString(), headers=proto_headers(api)
    )
    assert response.status_code == 400
    assert "tile 'conv': type has unknown value 7" in response.json()["message"]


def test_unmodeled_content_survives_a_restart(tmp_path: Path) -> None:
    db_path = tmp_path / "kept.db"

    def sync_api(url: str) -> Api:
        return Api(base_url=url, transport=None, project="proj_kept", secret=SECRET)

    def post(api: Api, method: str, body: Any = None, content: bytes | None = None) -> Any:
        headers = proto_headers(api) if content is not None else api.headers()
        response = httpx.post(
            f"{api.base_url}/dashboards.v1.DashboardsService/{method}",
            json=body if content is None else None,
            content=content,
            headers=headers,
        )
        assert response.status_code == 200, response.text
        return response.json() if content is None else response.content

    with running_server(tmp_path, db_path=db_path, newer_api=True) as server:
        api = sync_api(server.url)
        by_json = post(api, "Create", {"name": "JSON"})["dashboard"]["id"]
        by_proto = post(api, "Create", {"name": "Binary"})["dashboard"]["id"]
        post(api, "Upsert", {"dashboardId": by_json, "tiles": ui_board()})
        upsert = pb.UpsertRequest(dashboard_id=by_proto, tiles=binary_tiles())
        post(api, "Upsert", content=upsert.SerializeToString())
    with running_server(tmp_path, db_path=db_path, newer_api=True) as again:
        api = sync_api(again.url)
        assert post(api, "Get", {"id": by_json})["dashboard"]["tiles"] == ui_board()
        raw = post(api, "Get", content=pb.GetRequest(id=by_proto).SerializeToString())
        assert wire(pb.GetResponse.FromString(raw).dashboard.tiles) == wire(binary_tiles())
    with running_server(tmp_path, db_path=db_path) as plain:
        api = sync_api(plain.url)
        tiles = post(api, "Get", {"id": by_json})["dashboard"]["tiles"]
        assert tiles[0] == ui_insight_modeled("dau", x=0, w=6)  # a plain server shows the model
        assert tiles[2]["type"] == "TILE_TYPE_UNSPECIFIED" and "funnel" not in tiles[2]
