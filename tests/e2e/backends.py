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
from tests.support.repo import RepoKit, http_repo
from tests.support.server import Server

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


@pytest.fixture(params=BACKENDS)
def writers_kit(request: pytest.FixtureRequest, tmp_path: Path, project: str,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[RepoKit]:
    root = tmp_path / "repo"
    if request.param == "test-server":
        with serving(NewerApi()) as url:
            yield http_repo(root, monkeypatch, url=url, token="any-token", project=project)
    elif request.param == "sqlite":
        kit = RepoKit(root, {"test": {"url": "sqlite:state.db"}})
        assert keeps_unmodeled(kit), "the in-process emulator dropped an unmodeled field"
        yield kit
    else:  # the module's `dashctl serve --newer-api`
        server: Server = request.getfixturevalue("newer_server")
        kit = http_repo(root, monkeypatch, url=server.url, token=server.token(project),
                        project=project)
        assert keeps_unmodeled(kit), "serve --newer-api dropped an unmodeled field"
        yield kit


# -- what the product's UI does ------------------------------------------------------------

FUNNEL = {"id": "funnel", "type": "TILE_TYPE_FUNNEL",
          "position": {"x": 0, "y": 10, "w": 12, "h": 4},
          "funnel": {"steps": [{"event": "signup"}, {"event": "purchase"}], "window": "7d"}}


def by_name(kit: RepoKit) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in kit.dashboards()}

