"""Property (SPEC §4): apply never destroys what other writers set, and converges.

For random live dashboards whose tiles carry random unmodeled fields (random
keys, at random depths, with random JSON values) next to random tiles of types
dashctl does not model, and random manifests over them: after apply, every
unmodeled field of every tile id that survives is still there exactly (unless
it hung off a body git replaced: an insight turned markdown), every
unknown-type tile is still there exactly, a dashboard the plan refused
(a manifest tile over a kept tile) is untouched, and plan -> apply -> plan
makes no changes.

Runs the engine and the real client against the test-only newer API
(`newer_api.NewerApi`) in-process, through httpx's ASGI transport. Once
`serve --newer-api` lands, the same scenario can run on the in-process
emulator by swapping the transport.
"""

from __future__ import annotations

import asyncio
import os
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reconciler.api import DashboardsClient
from reconciler.engine.plan import build_environment_plan
from reconciler.repo.config import Environment
from reconciler.repo.manifest import to_manifest
from reconciler.run.fetch import read_live
from reconciler.run.writes import apply_environment
from tests.e2e.newer_api import NewerApi

# a few seconds in the default run; DASHCTL_PROPERTY_EXAMPLES=2000 for a long one
EXAMPLES = int(os.environ.get("DASHCTL_PROPERTY_EXAMPLES", "40"))
NAMES = ["Alpha", "Beta", "Gamma"]
TILE_IDS = ["a", "b", "c", "d"]
MODELED_KEYS = {"id", "type", "position", "insight", "markdown", "query", "events", "name",
                "granularity", "aggregation", "visualization", "content", "x", "y", "w", "h"}
# where an unmodeled key may sit, and which body it needs to survive (None: any body)
SITES = {(): None, ("position",): None, ("insight",): "insight",
         ("insight", "query"): "insight", ("markdown",): "markdown"}

keys = st.text(string.ascii_letters + "_.-", min_size=1, max_size=6).filter(
    lambda key: key not in MODELED_KEYS)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=6)


@st.composite
def body(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"markdown": {"content": draw(st.sampled_from(["", "# Hi", "x\ny"]))}}
    return {"insight": {"query": {"events": [{"name": draw(st.sampled_from(["e1", "e2"]))}],
                                  "granularity": "GRANULARITY_DAY",
                                  "aggregation": "AGGREGATION_COUNT"},
                        "visualization": draw(st.sampled_from(["VISUALIZATION_LINE",
                                                               "VISUALIZATION_KPI"]))}}


def kind(tile: dict[str, Any]) -> str:
    return "insight" if "insight" in tile else "markdown"


@st.composite
def live_tiles(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[tuple[str, tuple, str, Any]]]:
    """Modeled tiles in bands of rows (no overlaps), with unmodeled fields injected, and
    unknown-type tiles below them; plus the record of every injection."""
    tiles: list[dict[str, Any]] = []
    injected: list[tuple[str, tuple, str, Any]] = []
    ids = draw(st.lists(st.sampled_from(TILE_IDS), unique=True, max_size=3))
    for band, tile_id in enumerate(ids):
        w = draw(st.integers(1, 12))
        tile = {"id": tile_id, "position": {"x": draw(st.integers(0, 12 - w)), "y": band * 4,
                                            "w": w, "h": 4}, **draw(body())}
        tile["type"] = f"TILE_TYPE_{kind(tile).upper()}"
        sites = [site for site, needs in SITES.items() if needs in (None, kind(tile))]
        for site, key, value in draw(st.lists(st.tuples(st.sampled_from(sites), keys, json_values),
                                              max_size=3, unique_by=lambda t: (t[0], t[1]))):
            holder = tile
            for part in site:
                holder = holder[part]
            holder[key] = value
            injected.append((tile_id, site, key, value))
        tiles.append(tile)
    for index in range(draw(st.integers(0, 2))):
        tiles.append({"id": draw(st.sampled_from(["f1", "f2", "a"]).filter(
                          lambda i: i not in {t["id"] for t in tiles})),
                      "type": draw(st.sampled_from(["TILE_TYPE_FUNNEL", "TILE_TYPE_RETENTION", 9])),
                      "position": {"x": 6 * index, "y": 20, "w": 6, "h": 4},
                      "funnel": draw(st.dictionaries(keys, json_values, max_size=2))})
    return tiles, injected


@st.composite
def manifest_tiles(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for row, tile_id in enumerate(draw(st.lists(st.sampled_from(TILE_IDS), unique=True,
                                                max_size=3))):
        w = draw(st.integers(1, 12))
        y = draw(st.sampled_from([row * 4, row * 4, 18]))  # 18: over a kept tile, sometimes
        out.append({"id": tile_id, "position": {"x": draw(st.integers(0, 12 - w)), "y": y,
                                                "w": w, "h": 4}, **draw(body())})
    boxes = [(t["position"]["x"], t["position"]["y"], t["position"]["w"]) for t in out]
    clear = all(not (y1 == y2 and x1 < x2 + w2 and x2 < x1 + w1)
                for i, (x1, y1, w1) in enumerate(boxes) for (x2, y2, w2) in boxes[i + 1:])
    return out if clear else [t for t in out if t["position"]["y"] != 18][:1]


scenario = st.fixed_dictionaries({
    "live": st.dictionaries(st.sampled_from([*NAMES, "Zeta"]), live_tiles(), max_size=3),
    "desired": st.dictionaries(st.sampled_from(NAMES), manifest_tiles(), max_size=3),
    "prune": st.booleans(),
})


def at(tile: Mapping[str, Any], site: tuple[str, ...]) -> Any:
    for part in site:
        tile = tile.get(part) if isinstance(tile, dict) else None  # type: ignore[assignment]
    return tile


async def run_scenario(data: dict[str, Any]) -> None:
    env = Environment(name="prop", url="http://newer.test", project="p", prune=data["prune"])
    manifests = [to_manifest({"name": n, "tiles": t}, Path(n), from_base=False)
                 for n, t in data["desired"].items()]
    transport = httpx.ASGITransport(app=NewerApi())
    async with DashboardsClient(base_url="http://newer.test", project="p", token="t",
                                transport=transport) as client:
        for name, (tiles, _) in data["live"].items():
            await client.upsert_tiles((await client.create_dashboard(name))["id"], tiles)
        before = {d["name"]: d for d in [await client.get_dashboard(s["id"])
                                         for s in await client.list_dashboards()]}
        plan = build_environment_plan(env, manifests, [], await read_live(client))
        if plan.refusal:
            return
        result = await apply_environment(client, plan, allow_delete=True)
        assert not result.failed, result.failed
        after = {d["name"]: d for d in [await client.get_dashboard(s["id"])
                                        for s in await client.list_dashboards()]}
        again = build_environment_plan(env, manifests, [], await read_live(client))
    assert again.changes == [], again.changes
    assert {e.message for e in again.errors} == {e.message for e in plan.errors}
    refused = {e.dashboard for e in plan.errors}
    event(f"refused dashboards: {len(refused)}")
    event(f"kept fields: {sum(len(p) for c in plan.changes for p in c.kept.values()) > 0}")
    for name, (tiles, injected) in data["live"].items():
        if name not in data["desired"]:
            assert (name in after) != data["prune"]
            continue
        if name in refused:
            assert after[name]["tiles"] == before[name]["tiles"]
            continue
        desired = {t["id"]: t for t in data["desired"][name]}
        now = {t["id"]: t for t in after[name]["tiles"]}
        for tile_id, site, key, value in injected:
            needs = SITES[site]
            if tile_id in desired and needs in (None, kind(desired[tile_id])):
                assert at(now[tile_id], site)[key] == value, (tile_id, site, key)
            elif tile_id in desired:
                event("a field hung off a body git replaced")
        for tile in tiles:
            if tile["type"] not in ("TILE_TYPE_INSIGHT", "TILE_TYPE_MARKDOWN"):
                assert now[tile["id"]] == tile  # an unknown-type tile comes back exactly


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario)
def test_apply_keeps_every_unmodeled_field_and_tile_and_converges(data: dict[str, Any]) -> None:
    asyncio.run(run_scenario(data))
