"""Servers that keep what dashctl does not model, for end-to-end tests of other writers.

``writers_kit`` (a parametrised fixture, imported by the test modules) gives a
RepoKit on each of:

- ``test-server``: the test-only `newer_api.NewerApi` over real HTTP on 127.0.0.1;
- ``sqlite``: the in-process emulator of a ``sqlite:`` environment;
- ``serve-newer-api``: `dashctl serve --newer-api` over real HTTP.

Each is first probed: a tile with a field dashctl does not model must come back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.api import DashboardsClient
from tests.e2e.newer_api import NewerApi, serving
from tests.support.repo import TOKEN_VAR, RepoKit
from tests.support.server import running_server

BACKENDS = ["test-server", "sqlite", "serve-newer-api"]
PROBE = {"id": "probe", "type": "TILE_TYPE_INSIGHT", "color": "blue",
         "position": {"x": 0, "y": 0, "w": 1, "h": 1},
         "insight": {"query": {"events": [{"name": "e"}], "granularity": "GRANULARITY_DAY",
                               "aggregation": "AGGREGATION_COUNT", "filters": [{"p": 1}]},
                     "visualization": "VISUALIZATION_LINE"}}


def keeps_unmodeled(kit: RepoKit) -> bool:
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


def http_kit(root: Path, url: str, monkeypatch: pytest.MonkeyPatch, token: str) -> RepoKit:
    monkeypatch.setenv(TOKEN_VAR, token)
    return RepoKit(root, {"test": {"url": url, "project": "proj_w", "token_env": TOKEN_VAR}})


@pytest.fixture(params=BACKENDS)
def writers_kit(request: pytest.FixtureRequest, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[RepoKit]:
    root = tmp_path / "repo"
    if request.param == "test-server":
        with serving(NewerApi()) as url:
            yield http_kit(root, url, monkeypatch, "any-token")
    elif request.param == "sqlite":
        kit = RepoKit(root, {"test": {"url": "sqlite:state.db"}})
        assert keeps_unmodeled(kit), "the in-process emulator dropped an unmodeled field"
        yield kit
    else:
        with running_server(tmp_path, newer_api=True) as server:
            kit = http_kit(root, server.url, monkeypatch, server.token("proj_w"))
            assert keeps_unmodeled(kit), "serve --newer-api dropped an unmodeled field"
            yield kit


# -- what the product's UI does ------------------------------------------------------------

FUNNEL = {"id": "funnel", "type": "TILE_TYPE_FUNNEL",
          "position": {"x": 0, "y": 10, "w": 12, "h": 4},
          "funnel": {"steps": [{"event": "signup"}, {"event": "purchase"}], "window": "7d"}}


def by_name(kit: RepoKit) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in kit.dashboards()}

