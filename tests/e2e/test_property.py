"""Property: for random desired sets and random live states, plan -> apply -> plan is empty,
and unmanaged dashboards survive unless pruned. Runs against the in-process emulator."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.clients import client_for
from reconciler.engine.changes import Action
from reconciler.engine.plan import build_environment_plan
from reconciler.repo.config import Environment, Repo
from reconciler.repo.manifest import to_manifest
from reconciler.run.fetch import read_live
from reconciler.run.writes import apply_environment

NAMES = ["Alpha", "Beta", "Gamma", "Delta"]
VIZ = ["VISUALIZATION_LINE", "VISUALIZATION_BAR", "VISUALIZATION_KPI"]


@st.composite
def tiles(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 4))
    out: list[dict[str, Any]] = []
    for index in range(count):
        w = draw(st.integers(1, 12))
        x = draw(st.integers(0, 12 - w))
        if draw(st.booleans()):
            body: dict[str, Any] = {"markdown": {"content": draw(st.sampled_from(["", "# Hi"]))}}
            kind = "TILE_TYPE_MARKDOWN"
        else:
            body = {"insight": {"query": {"events": [{"name": "page_view"}],
                                          "granularity": "GRANULARITY_DAY",
                                          "aggregation": "AGGREGATION_COUNT"},
                                "visualization": draw(st.sampled_from(VIZ))}}
            kind = "TILE_TYPE_INSIGHT"
        tile_id = draw(st.sampled_from(["a", "b", "c", "d", "e"]).filter(
            lambda i: bool(i not in {t["id"] for t in out})))
        out.append({"id": tile_id, "type": kind,
                    "position": {"x": x, "y": index * 3, "w": w, "h": 3}, **body})
    return out


scenario = st.fixed_dictionaries({
    "desired": st.dictionaries(st.sampled_from(NAMES), tiles(), max_size=4),
    "live": st.dictionaries(st.sampled_from([*NAMES, "Zeta", "Eta"]), tiles(), max_size=5),
    "prune": st.booleans(),
})


async def run_scenario(db: Path, data: dict[str, Any]) -> None:
    repo = Repo(root=db.parent)
    env = Environment(name="prop", url=f"sqlite:{db.name}", prune=data["prune"])
    manifests = [to_manifest({"name": n, "tiles": t}, Path(n), from_base=False)
                 for n, t in data["desired"].items()]
    async with client_for(repo, env) as client:
        for name, tile_list in data["live"].items():
            created = await client.create_dashboard(name)
            if tile_list:
                await client.upsert_tiles(created["id"], tile_list)
        plan = build_environment_plan(env, manifests, [], await read_live(client))
        if plan.refusal:
            return
        result = await apply_environment(client, plan, allow_delete=True)
        assert not result.failed, result.failed
        again = build_environment_plan(env, manifests, [], await read_live(client))
        assert again.changes == [] and again.errors == []
        live_names = {d["name"] for d in await client.list_dashboards()}
        unmanaged = set(data["live"]) - set(data["desired"])
        if data["prune"]:
            assert live_names == set(data["desired"])
            assert {c.dashboard for c in plan.changes if c.action is Action.DELETE} == unmanaged
        else:
            assert live_names == set(data["desired"]) | unmanaged


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario)
def test_plan_apply_plan_is_empty(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run_scenario(Path(folder) / "state.db", data))
