"""Property: random JSON as unmodeled fields, at random depths of random tiles, comes back
exactly from Upsert and from Get of the in-process emulator (its default is --newer-api)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.inprocess import inprocess_transport
from tests.support.factories import wire_insight, wire_markdown

EXAMPLES = 100
SERVICE = "/dashboards.v1.DashboardsService"

# Where a tile kind has room for fields of its own, with the message that lives there.
PLACES: dict[str, list[tuple[tuple[Any, ...], Any]]] = {
    "insight": [
        ((), pb.Tile.DESCRIPTOR),
        (("position",), pb.Position.DESCRIPTOR),
        (("insight",), pb.Insight.DESCRIPTOR),
        (("insight", "query"), pb.Query.DESCRIPTOR),
        (("insight", "query", "events", 0), pb.Event.DESCRIPTOR),
        (("insight", "query", "events", -1), pb.Event.DESCRIPTOR),
    ],
    "markdown": [
        ((), pb.Tile.DESCRIPTOR),
        (("position",), pb.Position.DESCRIPTOR),
        (("markdown",), pb.Markdown.DESCRIPTOR),
    ],
    "other": [((), pb.Tile.DESCRIPTOR), (("position",), pb.Position.DESCRIPTOR)],
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
KNOWN_TYPES = frozenset(pb.TileType.keys())
type_names = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8).map(
    lambda tail: f"TILE_TYPE_{tail}"
).filter(lambda name: name not in KNOWN_TYPES)


def _unknown_names(descriptor: Any) -> st.SearchStrategy[str]:
    """Field names that ``descriptor`` does not define (neither as JSON nor as proto name)."""
    known = {name for field in descriptor.fields for name in (field.name, field.json_name)}
    names = st.builds(
        str.__add__, st.sampled_from(_LETTERS), st.text(_LETTERS + "0123456789", max_size=10)
    )
    return names.filter(lambda name: name not in known)


UNKNOWN_NAMES = {
    descriptor.full_name: _unknown_names(descriptor)
    for places in PLACES.values()
    for _path, descriptor in places
}


@st.composite
def tiles(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(PLACES)))
    y = index * 4  # one row each: never overlapping
    if kind == "insight":
        tile = wire_insight(f"t{index}", y=y)
        extra_events = draw(st.integers(0, 2))
        tile["insight"]["query"]["events"] += [{"name": f"e{n}"} for n in range(extra_events)]
    elif kind == "markdown":
        tile = wire_markdown(f"t{index}", y=y, content=draw(st.text(max_size=20)))
    else:
        position = {"x": 0, "y": y, "w": 3, "h": 2}
        tile = {"id": f"t{index}", "type": draw(type_names), "position": position}
    for path, descriptor in draw(st.lists(st.sampled_from(PLACES[kind]), max_size=5)):
        target = tile
        for step in path:
            target = target[step]
        target[draw(UNKNOWN_NAMES[descriptor.full_name])] = draw(json_values)
    return tile


boards = st.integers(1, 4).flatmap(lambda count: st.tuples(*(tiles(i) for i in range(count))))


async def _create(client: httpx.AsyncClient) -> str:
    created = await client.post(f"{SERVICE}/Create", json={"name": "P"})
    board_id: str = created.json()["dashboard"]["id"]
    return board_id


async def _round_trip(
    client: httpx.AsyncClient, board_id: str, sent: list[dict[str, Any]]
) -> list[Any]:
    """Upsert ``sent`` as every tile of the board: the answer, which a Get agrees with."""
    upsert = await client.post(f"{SERVICE}/Upsert", json={"dashboardId": board_id, "tiles": sent})
    assert upsert.status_code == 200, upsert.text
    got = await client.post(f"{SERVICE}/Get", json={"id": board_id})
    answered: list[Any] = upsert.json()["dashboard"]["tiles"]
    assert answered == got.json()["dashboard"]["tiles"]
    return answered


def test_random_unmodeled_json_survives_upsert_then_get(tmp_path: Path) -> None:
    transport, token = inprocess_transport(tmp_path / "property.db", "local")
    headers = {"authorization": f"Bearer {token}", "x-project-id": "local"}
    client = httpx.AsyncClient(transport=transport, base_url="http://x", headers=headers)
    loop = asyncio.new_event_loop()
    board_id = loop.run_until_complete(_create(client))

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(boards)
    def check(board: tuple[dict[str, Any], ...]) -> None:
        sent = [copy.deepcopy(tile) for tile in board]
        assert loop.run_until_complete(_round_trip(client, board_id, sent)) == list(board)

    try:
        check()
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
