"""`dashctl serve --newer-api` in JSON: unmodeled tile fields and types are kept as sent,
after the known fields are checked; over HTTP and in-process."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator.inprocess import inprocess_transport
from reconciler.emulator.options import EmulatorOptions
from tests.conftest import EmulatorFactory
from tests.emulator.conftest import Api, inprocess_api
from tests.emulator.newer_tiles import (
    funnel,
    themed_markdown,
    ui_board,
    ui_insight,
    ui_insight_modeled,
    with_id,
)
from tests.support.factories import wire_insight, wire_markdown
from tests.support.server import Server

pytestmark = pytest.mark.anyio


async def upserted(api: Api, board: dict[str, Any], tiles: list[dict[str, Any]]) -> list[Any]:
    answer = await api.ok("Upsert", {"dashboardId": board["id"], "tiles": tiles})
    result: list[Any] = answer["dashboard"]["tiles"]
    return result


async def got(api: Api, board: dict[str, Any]) -> list[Any]:
    result: list[Any] = (await api.ok("Get", {"id": board["id"]}))["dashboard"]["tiles"]
    return result


async def test_ui_fields_and_a_funnel_round_trip_exactly(newer_api: Api) -> None:
    board = await newer_api.create()
    tiles = ui_board()
    assert await upserted(newer_api, board, tiles) == tiles
    assert await got(newer_api, board) == tiles
    renamed = await newer_api.ok("Update", {"id": board["id"], "name": "Renamed"})
    assert renamed["dashboard"]["tiles"] == tiles


async def test_a_tile_without_id_keeps_its_unmodeled_fields(newer_api: Api) -> None:
    board = await newer_api.create()
    (answer,) = await upserted(newer_api, board, [ui_insight("")])
    assert answer["id"].startswith("tile_")
    assert answer == with_id(ui_insight(""), answer["id"])
    assert await got(newer_api, board) == [answer]


async def test_upsert_replaces_unmodeled_content_too(newer_api: Api) -> None:
    board = await newer_api.create()
    await upserted(newer_api, board, ui_board())
    plain = [wire_insight("dau"), wire_markdown("notes", x=6)]
    assert await upserted(newer_api, board, plain) == plain
    assert await got(newer_api, board) == plain


async def test_unknown_top_level_request_fields_are_ignored(newer_api: Api) -> None:
    board = await newer_api.create()
    body = {"dashboardId": board["id"], "tiles": [ui_insight()], "ifMatch": "W/\"1\""}
    answer = await newer_api.ok("Upsert", body)
    assert answer["dashboard"]["tiles"] == [ui_insight()]
    assert "ifMatch" not in answer["dashboard"]


def _moved(tile: dict[str, Any], **position: int) -> dict[str, Any]:
    out = copy.deepcopy(tile)
    out["position"].update(position)
    return out


def _without_position(tile: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(tile)
    del out["position"]
    return out


def _with(tile: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(tile)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


INVALID: dict[str, tuple[list[dict[str, Any]], str]] = {
    "off the grid, with UI fields": (
        [_moved(ui_insight(), x=10, w=6)],
        "tile 'dau': x + w must be <= 12 (x=10, w=6)",
    ),
    "a funnel overlaps an insight": (
        [ui_insight("dau"), funnel("conv", y=2)],
        "tile 'conv' overlaps tile 'dau'",
    ),
    "a funnel off the grid": ([funnel(x=-1)], "tile 'conv': x must be >= 0 (got -1)"),
    "a funnel of no height": ([funnel(h=0)], "tile 'conv': h must be >= 1 (got 0)"),
    "a funnel without position": ([_without_position(funnel())], "position is required"),
    "a funnel with an id taken": (
        [ui_insight("dau"), funnel("dau")],
        "tile 'dau': duplicate tile id",
    ),
    "a funnel with an insight body": (
        [_with(funnel(), ("insight",), wire_insight("x")["insight"])],
        "type TILE_TYPE_FUNNEL disagrees with its insight body",
    ),
    "a type that is not a TILE_TYPE_": (
        [_with(funnel(), ("type",), "FUNNEL")],
        "tile 'conv': type 'FUNNEL' is not a TILE_TYPE_* name",
    ),
    "an unknown visualization": (
        [_with(ui_insight(), ("insight", "visualization"), "VISUALIZATION_SANKEY")],
        "tile 'dau': insight.visualization is missing or unknown",
    ),
    "an unknown visualization number": (
        [_with(ui_insight(), ("insight", "visualization"), 42)],
        "tile 'dau': insight.visualization has unknown value 42",
    ),
    "no type": (
        [_with(themed_markdown(), ("type",), None)],
        "tile 'notes': type is missing or unknown",
    ),
    "an event without name": (
        [_with(ui_insight(), ("insight", "query", "events"), [{"alias": "x"}])],
        "tile 'dau': insight.query.events: every event needs a name",
    ),
}


@pytest.mark.parametrize("case", list(INVALID))
async def test_known_fields_are_still_checked(newer_api: Api, case: str) -> None:
    tiles, expected = INVALID[case]
    board = await newer_api.create()
    before = await upserted(newer_api, board, [wire_markdown("kept", y=20)])
    status, code, message = await newer_api.error(
        "Upsert", {"dashboardId": board["id"], "tiles": tiles}
    )
    assert (status, code) == (400, "invalid_argument")
    assert expected in message
    assert await got(newer_api, board) == before


async def test_funnel_type_given_as_a_number_is_kept(newer_api: Api) -> None:
    board = await newer_api.create()
    tile = _with(funnel(), ("type",), 7)
    assert await upserted(newer_api, board, [tile]) == [tile]


async def test_quirks_with_newer_api_keep_what_was_sent(tmp_path: Path) -> None:
    api = inprocess_api(tmp_path / "q.db", newer_api=True, quirks=True)
    board = await api.create()
    note = themed_markdown("notes", x=6)
    note["theme"] = "contrast"  # a key the quirks also invent: the stored one wins
    tiles = [funnel("conv"), ui_insight("dau", x=0, w=6), note]
    answer = await upserted(api, board, tiles)
    assert [tile["id"] for tile in answer] == ["dau", "notes", "conv"]  # ordered by position
    by_id = {tile["id"]: tile for tile in answer}
    assert by_id["notes"]["theme"] == "contrast"
    assert by_id["notes"]["markdown"]["theme"] == "dark"
    assert by_id["conv"]["funnel"] == funnel()["funnel"]
    assert by_id["conv"]["type"] == "TILE_TYPE_FUNNEL"
    dau = by_id["dau"]
    assert dau["insight"]["title"] == "Daily actives"
    assert dau["insight"]["query"]["filters"] == ui_insight()["insight"]["query"]["filters"]
    assert dau["insight"]["query"]["events"] == ui_insight()["insight"]["query"]["events"]
    assert "x" not in dau["position"] and dau["position"]["unit"] == "cells"  # default omitted
    assert dau["etag"].startswith('W/"') and dau["style"]["legend"] is True  # quirks still on
    assert await got(api, board) == answer


async def test_serve_with_quirks_and_newer_api(emulator_factory: EmulatorFactory) -> None:
    server: Server = emulator_factory(quirks=True, newer_api=True)
    api = Api(base_url=server.url, transport=None, secret=server.secret)
    board = await api.create()
    answer = await upserted(api, board, [ui_insight("dau"), funnel("conv")])
    assert answer[0]["insight"]["query"]["filters"] == ui_insight()["insight"]["query"]["filters"]
    assert answer[1]["funnel"] == funnel()["funnel"] and "etag" in answer[1]


# -- without --newer-api: as before ------------------------------------------------------


async def test_a_plain_server_drops_unmodeled_fields_and_refuses_a_funnel(api: Api) -> None:
    board = await api.create()
    answer = await upserted(api, board, [ui_insight("dau", w=6), themed_markdown(x=6)])
    assert answer == [ui_insight_modeled("dau", w=6), wire_markdown("notes", x=6)]
    status, code, message = await api.error(
        "Upsert", {"dashboardId": board["id"], "tiles": [funnel()]}
    )
    assert (status, code) == (400, "invalid_argument")
    assert "tile 'conv': type is missing or unknown" in message


# -- the in-process emulator of sqlite: environments ------------------------------------


async def _upsert_then_get(
    db_path: Path, tiles: list[dict[str, Any]], options: EmulatorOptions | None
) -> tuple[httpx.Response, list[Any]]:
    """Through ``inprocess_transport`` as ``sqlite:`` environments use it: the Upsert
    answer and the tiles a Get then returns."""
    transport, token = inprocess_transport(db_path, "local", options=options)
    headers = {"authorization": f"Bearer {token}", "x-project-id": "local"}
    path = "/dashboards.v1.DashboardsService"
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        created = await client.post(f"{path}/Create", json={"name": "B"}, headers=headers)
        board_id = created.json()["dashboard"]["id"]
        body = {"dashboardId": board_id, "tiles": tiles}
        upsert = await client.post(f"{path}/Upsert", json=body, headers=headers)
        answer = await client.post(f"{path}/Get", json={"id": board_id}, headers=headers)
    result: list[Any] = answer.json()["dashboard"]["tiles"]
    return upsert, result


async def test_the_inprocess_emulator_is_a_newer_api_by_default(tmp_path: Path) -> None:
    upsert, tiles = await _upsert_then_get(tmp_path / "local.db", ui_board(), None)
    assert upsert.status_code == 200, upsert.text
    assert tiles == ui_board()
    plain = EmulatorOptions()
    upsert, tiles = await _upsert_then_get(tmp_path / "plain.db", ui_board(), plain)
    assert upsert.status_code == 400 and "type is missing or unknown" in upsert.text
    upsert, tiles = await _upsert_then_get(tmp_path / "plain.db", [ui_insight()], plain)
    assert upsert.status_code == 200 and tiles == [ui_insight_modeled()]
