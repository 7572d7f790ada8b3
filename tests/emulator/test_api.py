"""Every method and error of the emulated API, over HTTP and in-process alike."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import jwt
import pytest

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from tests.emulator.conftest import Api
from tests.support.factories import wire_insight, wire_markdown
from tests.support.server import SECRET

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]


def rfc3339(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# -- the six methods ----------------------------------------------------------


async def test_create_get_update_upsert_delete(api: Api) -> None:
    created = await api.create("Growth KPIs")
    assert created["id"].startswith("dash_")
    assert created["name"] == "Growth KPIs"
    assert created["tiles"] == []
    assert rfc3339(created["createdAt"]) == rfc3339(created["updatedAt"])

    got = (await api.ok("Get", {"id": created["id"]}))["dashboard"]
    assert got == created

    renamed = (await api.ok("Update", {"id": created["id"], "name": "Growth"}))["dashboard"]
    assert renamed["name"] == "Growth"
    assert renamed["createdAt"] == created["createdAt"]
    assert rfc3339(renamed["updatedAt"]) > rfc3339(created["updatedAt"])

    tiles = [wire_insight("dau", x=6, y=0), wire_markdown("goals", x=0, y=0)]
    upserted = (await api.ok("Upsert", {"dashboardId": created["id"], "tiles": tiles}))["dashboard"]
    assert upserted["tiles"] == tiles  # stored order, every field filled in (x: 0, y: 0)
    assert upserted["name"] == "Growth"
    assert rfc3339(upserted["updatedAt"]) > rfc3339(renamed["updatedAt"])
    assert (await api.ok("Get", {"id": created["id"]}))["dashboard"] == upserted

    # Update is metadata only: the tiles stay.
    again = (await api.ok("Update", {"id": created["id"], "name": "Growth KPIs"}))["dashboard"]
    assert again["tiles"] == tiles

    # The array replaces all tiles.
    emptied = await api.ok("Upsert", {"dashboardId": created["id"], "tiles": []})
    assert emptied["dashboard"]["tiles"] == []

    assert await api.ok("Delete", {"id": created["id"]}) == {}
    assert (await api.error("Get", {"id": created["id"]}))[:2] == (404, "not_found")


async def test_tile_ids_are_kept_and_assigned_when_missing(api: Api) -> None:
    board = await api.create()
    nameless = wire_markdown("", x=6)
    del nameless["id"]
    result = await api.ok(
        "Upsert", {"dashboardId": board["id"], "tiles": [wire_markdown("keep"), nameless]}
    )
    ids = [tile["id"] for tile in result["dashboard"]["tiles"]]
    assert ids[0] == "keep"
    assert ids[1].startswith("tile_") and ids[1] != "keep"


async def test_names_are_not_unique(api: Api) -> None:
    first, second = await api.create("Same"), await api.create("Same")
    assert first["id"] != second["id"]
    listed = (await api.ok("List"))["dashboards"]
    assert [d["name"] for d in listed] == ["Same", "Same"]


async def test_list_items_are_metadata_only(api: Api) -> None:
    board = await api.create("Meta")
    await api.ok("Upsert", {"dashboardId": board["id"], "tiles": [wire_markdown("m")]})
    (item,) = (await api.ok("List"))["dashboards"]
    assert set(item) == {"id", "name", "createdAt", "updatedAt"}


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("Get", {"id": "dash_missing"}),
        ("Update", {"id": "dash_missing", "name": "x"}),
        ("Upsert", {"dashboardId": "dash_missing", "tiles": []}),
        ("Delete", {"id": "dash_missing"}),
    ],
)
async def test_unknown_ids_are_not_found(api: Api, method: str, body: dict[str, Any]) -> None:
    status, code, message = await api.error(method, body)
    assert (status, code) == (404, "not_found")
    assert "dash_missing" in message


async def test_delete_twice_is_not_found(api: Api) -> None:
    board = await api.create()
    await api.ok("Delete", {"id": board["id"]})
    assert (await api.error("Delete", {"id": board["id"]}))[:2] == (404, "not_found")


@pytest.mark.parametrize(
    ("method", "body", "needle"),
    [
        ("Create", {"name": ""}, "name"),
        ("Create", {"name": "   "}, "name"),
        ("Create", {}, "name"),
        ("Update", {"id": "dash_x", "name": ""}, "name"),
        ("Get", {}, "id"),
        ("Upsert", {"tiles": []}, "dashboardId"),
    ],
)
async def test_missing_fields_are_invalid(
    api: Api, method: str, body: dict[str, Any], needle: str
) -> None:
    status, code, message = await api.error(method, body)
    assert (status, code) == (400, "invalid_argument")
    assert needle in message


# -- pagination ----------------------------------------------------------------


async def test_list_pages_follow_next_page_token(api: Api) -> None:
    ids = [(await api.create(f"B{index}"))["id"] for index in range(7)]
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = await api.ok("List", {"pageSize": 3, "pageToken": token})
        seen += [d["id"] for d in page["dashboards"]]
        pages += 1
        token = page.get("nextPageToken", "")
        if not token:
            break
    assert pages == 3
    assert seen == ids  # creation order, each once

    # A deletion between pages neither repeats nor skips the others.
    first = await api.ok("List", {"pageSize": 3})
    await api.ok("Delete", {"id": ids[1]})
    rest = await api.ok("List", {"pageSize": 10, "pageToken": first["nextPageToken"]})
    assert [d["id"] for d in rest["dashboards"]] == ids[3:]


async def test_list_page_size_defaults_and_caps(api: Api) -> None:
    for index in range(3):
        await api.create(f"B{index}")
    assert len((await api.ok("List", {}))["dashboards"]) == 3
    assert len((await api.ok("List", {"pageSize": 100000}))["dashboards"]) == 3
    assert (await api.ok("List", {}))["nextPageToken"] == ""


@pytest.mark.parametrize(
    "body",
    [
        {"pageSize": -1},
        {"pageToken": "garbage!"},
        {"pageToken": base64.urlsafe_b64encode(b"v2:9").decode()},
    ],
)
async def test_list_rejects_bad_paging(api: Api, body: dict[str, Any]) -> None:
    assert (await api.error("List", body))[:2] == (400, "invalid_argument")


# -- server-side validation ----------------------------------------------------


def _without(tile: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in tile.items() if k != key}


BAD_TILES: dict[str, tuple[list[dict[str, Any]], str]] = {
    "x + w > 12": ([wire_insight("wide", x=8, w=6)], "tile 'wide': x + w must be <= 12"),
    "x < 0": ([wire_insight("left", x=-1)], "tile 'left': x must be >= 0"),
    "y < 0": ([wire_insight("up", y=-2)], "tile 'up': y must be >= 0"),
    "w < 1": ([wire_insight("thin", w=0)], "tile 'thin': w must be >= 1"),
    "h < 1": ([wire_insight("flat", h=0)], "tile 'flat': h must be >= 1"),
    "no position": ([_without(wire_markdown("nowhere"), "position")], "tile 'nowhere': position"),
    "overlap": (
        [wire_insight("a", x=0, w=6), wire_markdown("b", x=4, w=4)],
        "tile 'b' overlaps tile 'a'",
    ),
    "duplicate id": (
        [wire_markdown("same", x=0), wire_markdown("same", x=6)],
        "tile 'same': duplicate",
    ),
    "neither body": (
        [_without(wire_markdown("empty"), "markdown")],
        "tile 'empty': must have exactly one",
    ),
    "both bodies": (
        [{**wire_insight("both"), "markdown": {"content": "x"}}],
        "tile 'both': must have exactly one",
    ),
    "type disagrees": (
        [{**wire_markdown("md"), "type": "TILE_TYPE_INSIGHT"}],
        "tile 'md': type TILE_TYPE_INSIGHT disagrees",
    ),
    "type missing": (
        [_without(wire_markdown("untyped"), "type")],
        "tile 'untyped': type is missing",
    ),
    "unknown enum name": (
        [wire_insight("g", events="e", granularity="GRANULARITY_YEAR", aggregation="count")],
        "tile 'g': insight.query.granularity is missing or unknown",
    ),
    "unknown enum number": (
        [wire_insight("v", events="e", aggregation="count", viz=42)],
        "tile 'v': insight.visualization has unknown value 42",
    ),
    "no events": (
        [
            wire_insight(
                "q",
                insight={
                    "query": {"granularity": "GRANULARITY_DAY", "aggregation": "AGGREGATION_COUNT"},
                    "visualization": "VISUALIZATION_BAR",
                },
            )
        ],
        "tile 'q': insight.query.events",
    ),
    "no id, named by index": (
        [wire_markdown("ok"),
         {**_without(wire_markdown(""), "id"), "position": {"x": 9, "w": 6, "h": 1}}],
        "tile #2: x + w must be <= 12",
    ),
}


@pytest.mark.parametrize("case", list(BAD_TILES))
async def test_upsert_validates_tiles(api: Api, case: str) -> None:
    tiles, expected = BAD_TILES[case]
    board = await api.create()
    status, code, message = await api.error("Upsert", {"dashboardId": board["id"], "tiles": tiles})
    assert (status, code) == (400, "invalid_argument")
    assert expected in message
    # Nothing was written.
    assert (await api.ok("Get", {"id": board["id"]}))["dashboard"]["tiles"] == []


async def test_touching_tiles_do_not_overlap(api: Api) -> None:
    board = await api.create()
    tiles = [wire_insight("a", x=0, w=6), wire_insight("b", x=6, w=6),
             wire_markdown("c", x=0, y=4, w=12)]
    await api.ok("Upsert", {"dashboardId": board["id"], "tiles": tiles})


# -- protocol ------------------------------------------------------------------


async def test_binary_protobuf_codec(api: Api) -> None:
    headers = api.headers(**{"content-type": "application/proto"})
    response = await api.call(
        "Create", content=pb.CreateRequest(name="Binary").SerializeToString(), headers=headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/proto"
    created = pb.CreateResponse.FromString(response.content).dashboard
    assert created.id.startswith("dash_") and created.name == "Binary"
    assert created.created_at.seconds > 0

    request = pb.UpsertRequest(
        dashboard_id=created.id,
        tiles=[
            pb.Tile(
                id="dau",
                type=pb.TILE_TYPE_INSIGHT,
                position=pb.Position(x=0, y=0, w=6, h=4),
                insight=pb.Insight(
                    query=pb.Query(
                        events=[pb.Event(name="page_view")],
                        granularity=pb.GRANULARITY_DAY,
                        aggregation=pb.AGGREGATION_COUNT,
                    ),
                    visualization=pb.VISUALIZATION_KPI,
                ),
            ),
            pb.Tile(
                id="md",
                type=pb.TILE_TYPE_MARKDOWN,
                position=pb.Position(x=6, y=0, w=6, h=2),
                markdown=pb.Markdown(content="hello"),
            ),
        ],
    )
    response = await api.call("Upsert", content=request.SerializeToString(), headers=headers)
    assert response.status_code == 200
    upserted = pb.UpsertResponse.FromString(response.content).dashboard
    assert list(upserted.tiles) == list(request.tiles)

    # The JSON view of the same dashboard agrees.
    got = (await api.ok("Get", {"id": created.id}))["dashboard"]
    assert [t["id"] for t in got["tiles"]] == ["dau", "md"]
    assert got["tiles"][0]["insight"]["visualization"] == "VISUALIZATION_KPI"

    # Errors are JSON whatever the codec.
    response = await api.call(
        "Get", content=pb.GetRequest(id="nope").SerializeToString(), headers=headers
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

    # An invalid binary body is invalid_argument.
    response = await api.call("Get", content=b"\xff\xff\xff", headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_argument")


async def test_chunked_request_body(api: Api) -> None:
    payload = json.dumps({"name": "Chunked board"}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 5):
            yield payload[start : start + 5]

    async with api.client() as client:
        request = client.build_request(
            "POST",
            "/dashboards.v1.DashboardsService/Create",
            content=chunks(),
            headers=api.headers(),
        )
        assert request.headers.get("transfer-encoding") == "chunked"
        response = await client.send(request)
    assert response.status_code == 200, response.text
    assert response.json()["dashboard"]["name"] == "Chunked board"


async def test_wrong_content_type_is_415(api: Api) -> None:
    response = await api.call(
        "List", content=b"{}", headers=api.headers(**{"content-type": "text/plain"})
    )
    assert response.status_code == 415
    assert "application/json" in response.headers["accept-post"]


async def test_unknown_method_is_unimplemented(api: Api) -> None:
    status, code, message = await api.error("Rename", {})
    assert (status, code) == (404, "unimplemented")
    assert "Rename" in message
    async with api.client() as client:
        response = await client.post("/nope", json={})
    assert response.status_code == 404


async def test_bad_json_is_invalid_argument(api: Api) -> None:
    for body in (b"{not json", b"[1, 2]", b"", '{"name": "\xff"}'.encode("latin-1")):
        status, code, _ = await api.error("Create", content=body)
        assert (status, code) == (400, "invalid_argument"), body
    assert (await api.ok("List"))["dashboards"] == []


async def test_unknown_request_fields_are_ignored(api: Api) -> None:
    board = (await api.ok("Create", {"name": "Lenient", "color": "red"}))["dashboard"]
    assert board["name"] == "Lenient"


async def test_get_is_post_only_for_writes(api: Api) -> None:
    async with api.client() as client:
        response = await client.get(
            "/dashboards.v1.DashboardsService/Create", headers=api.headers()
        )
    assert response.status_code == 405


async def test_connect_get_for_side_effect_free_methods(api: Api) -> None:
    board = await api.create("Via GET")
    async with api.client() as client:
        response = await client.get(
            "/dashboards.v1.DashboardsService/Get",
            params={
                "encoding": "json",
                "message": json.dumps({"id": board["id"]}),
                "connect": "v1",
            },
            headers=api.headers(),
        )
    assert response.status_code == 200, response.text
    assert response.json()["dashboard"]["name"] == "Via GET"


# -- JWT and projects ----------------------------------------------------------


def _token(claims: dict[str, Any], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _alg_none(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    "attack",
    ["missing", "malformed", "expired", "wrong signature", "alg none", "basic scheme", "no exp"],
)
async def test_jwt_attacks_are_unauthenticated(api: Api, attack: str) -> None:
    claims = {"projects": [api.project], "exp": int(time.time()) + 600}
    authorization = {
        "missing": None,
        "malformed": "Bearer not.a.jwt",
        "expired": "Bearer " + _token({**claims, "exp": int(time.time()) - 10}),
        "wrong signature": "Bearer " + _token(claims, key="another-secret-entirely"),
        "alg none": "Bearer " + _alg_none(claims),
        "basic scheme": "Basic " + base64.b64encode(b"user:pass").decode(),
        "no exp": "Bearer " + _token({"projects": [api.project]}),
    }[attack]
    headers = api.headers()
    if authorization is None:
        del headers["authorization"]
    else:
        headers["authorization"] = authorization
    status, code, message = await api.error("List", headers=headers)
    assert (status, code) == (401, "unauthenticated")
    if authorization:
        assert authorization.split(" ", 1)[1] not in message


async def test_token_for_another_project_is_permission_denied(api: Api) -> None:
    headers = api.headers()
    headers["x-project-id"] = "proj_someone_else"
    status, code, message = await api.error("List", headers=headers)
    assert (status, code) == (403, "permission_denied")
    assert "proj_someone_else" in message


async def test_missing_project_header_is_invalid_argument(api: Api) -> None:
    headers = api.headers()
    del headers["x-project-id"]
    assert (await api.error("List", headers=headers))[:2] == (400, "invalid_argument")


async def test_projects_are_isolated(api: Api) -> None:
    mine = await api.create("Mine")
    other = "proj_other_" + api.project
    assert (await api.ok("List", project=other))["dashboards"] == []
    for method, body in (
        ("Get", {"id": mine["id"]}),
        ("Delete", {"id": mine["id"]}),
        ("Update", {"id": mine["id"], "name": "Stolen"}),
        ("Upsert", {"dashboardId": mine["id"], "tiles": []}),
    ):
        assert (await api.error(method, body, project=other))[:2] == (404, "not_found")
    theirs = await api.create("Theirs", project=other)
    assert [d["id"] for d in (await api.ok("List"))["dashboards"]] == [mine["id"]]
    assert [d["id"] for d in (await api.ok("List", project=other))["dashboards"]] == [theirs["id"]]
    assert (await api.ok("Get", {"id": mine["id"]}))["dashboard"]["name"] == "Mine"
