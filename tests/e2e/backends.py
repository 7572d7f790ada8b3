"""Servers that keep what dashctl does not model, for end-to-end tests of other writers.

``writers_kit`` (a parametrised fixture, imported by the test modules) gives a
Kit on each of:

- ``test-server``: the test-only `newer_api.NewerApi` over real HTTP on
  127.0.0.1 (runs today);
- ``sqlite``: the in-process emulator of a ``sqlite:`` environment, which keeps
  unmodeled content once `serve --newer-api` lands (skipped until then: a
  probe upserts a tile with an unknown field and looks for it);
- ``serve-newer-api``: `dashctl serve --newer-api` over real HTTP (skipped
  until the flag exists).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.api import DashboardsClient
from reconciler.emulator.auth import mint_token
from tests.e2e.newer_api import NewerApi, serving
from tests.e2e.repo_kit import TOKEN_VAR, Kit, wire
from tests.support.server import ROOT, _wait_for_url, serve_command, stop

BACKENDS = ["test-server", "sqlite", "serve-newer-api"]
PROBE = {"id": "probe", "type": "TILE_TYPE_INSIGHT", "color": "blue",
         "position": {"x": 0, "y": 0, "w": 1, "h": 1},
         "insight": {"query": {"events": [{"name": "e"}], "granularity": "GRANULARITY_DAY",
                               "aggregation": "AGGREGATION_COUNT", "filters": [{"p": 1}]},
                     "visualization": "VISUALIZATION_LINE"}}


def keeps_unmodeled(kit: Kit) -> bool:
    """Does the kit's server store and return a field dashctl does not model?"""

    async def probe(client: DashboardsClient) -> bool:
        created = await client.create_dashboard("probe")
        try:
            await client.upsert_tiles(created["id"], [PROBE])
            tiles = (await client.get_dashboard(created["id"]))["tiles"]
        except Exception:
            return False
        finally:
            await client.delete_dashboard(created["id"])
        return bool(tiles) and tiles[0].get("color") == "blue"

    return kit.live(probe)


def http_kit(root: Path, url: str, monkeypatch: pytest.MonkeyPatch, token: str) -> Kit:
    monkeypatch.setenv(TOKEN_VAR, token)
    return Kit(root, {"url": url, "project": "proj_w", "token_env": TOKEN_VAR})


@pytest.fixture(params=BACKENDS)
def writers_kit(request: pytest.FixtureRequest, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Kit]:
    root = tmp_path / "repo"
    if request.param == "test-server":
        with serving(NewerApi()) as url:
            yield http_kit(root, url, monkeypatch, "any-token")
        return
    if request.param == "sqlite":
        kit = Kit(root, {"url": "sqlite:state.db"})
        if not keeps_unmodeled(kit):
            pytest.skip("the in-process emulator does not keep unmodeled fields yet")
        yield kit
        return
    secret = "writers-secret"
    command = [*serve_command(db_path=tmp_path / "newer.db", secret=secret), "--newer-api"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    env.pop("DASHCTL_JWT_SECRET", None)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        found = _wait_for_url(process, 20.0)
        if found is None:
            pytest.skip("dashctl serve has no --newer-api yet")
        kit = http_kit(root, found, monkeypatch, mint_token(secret=secret, project="proj_w",
                                                           ttl=3600))
        assert keeps_unmodeled(kit), "serve --newer-api dropped an unmodeled field"
        yield kit
    finally:
        stop(process)


# -- what the product's UI does ------------------------------------------------------------

FILTERS = [{"property": "country", "op": "eq", "value": "DE"}]
FUNNEL = {"id": "funnel", "type": "TILE_TYPE_FUNNEL",
          "position": {"x": 0, "y": 10, "w": 12, "h": 4},
          "funnel": {"steps": [{"event": "signup"}, {"event": "purchase"}], "window": "7d"}}


def by_name(kit: Kit) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in kit.dashboards()}


def ui_write(kit: Kit, name: str, tiles: list[dict[str, Any]]) -> None:
    """Replace a dashboard's tiles as the product's UI would (no dashctl involved)."""
    dashboard_id = by_name(kit)[name]["id"]
    kit.live(lambda client: client.upsert_tiles(dashboard_id, tiles))


def ui_edited(manifest_tile: dict[str, Any], title: str = "Daily users") -> dict[str, Any]:
    """A manifest tile as the UI leaves it after setting a title, filters and a colour."""
    tile = wire(manifest_tile)
    tile["color"] = "blue"
    tile["insight"]["title"] = title
    tile["insight"]["query"]["filters"] = FILTERS
    return tile

