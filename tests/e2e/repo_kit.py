"""Build small GitOps repositories on disk and drive the CLI against them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from ruamel.yaml import YAML

from reconciler.api import DashboardsClient
from reconciler.cli import main
from reconciler.clients import client_for
from reconciler.model import Tile, tile_to_wire
from reconciler.repo.loader import load_repo

T = TypeVar("T")
TOKEN_VAR = "DASHCTL_TOKEN_TEST"


def dump_yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    yaml = YAML()
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def tile(tile_id: str, *, x: int = 0, y: int = 0, w: int = 6, h: int = 4,
         event: str = "page_view", viz: str = "line") -> dict[str, Any]:
    return {"id": tile_id, "position": {"x": x, "y": y, "w": w, "h": h},
            "insight": {"query": {"events": [{"name": event}], "granularity": "day",
                                  "aggregation": "unique_users"}, "visualization": viz}}


def wire(manifest_tile: dict[str, Any]) -> dict[str, Any]:
    """A manifest tile in the API's wire form (API enum spelling, with type)."""
    return dict(tile_to_wire(Tile.model_validate(manifest_tile)))


def note(tile_id: str, content: str, *, x: int = 6, y: int = 0) -> dict[str, Any]:
    return {"id": tile_id, "position": {"x": x, "y": y, "w": 6, "h": 2},
            "markdown": {"content": content}}


class Kit:
    """A repository under tmp_path with one environment `test`."""

    def __init__(self, root: Path, environment: dict[str, Any]) -> None:
        self.root = root
        dump_yaml(root / "environments.yaml", {"environments": {"test": environment}})
        (root / "base").mkdir(parents=True, exist_ok=True)

    def write(self, name: str, dashboard: dict[str, Any], folder: str = "base") -> Path:
        path = self.root / folder / f"{name}.yaml"
        dump_yaml(path, dashboard)
        return path

    def remove(self, name: str, folder: str = "base") -> None:
        (self.root / folder / f"{name}.yaml").unlink()

    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--root", str(self.root), "--no-color", *args])
        out, err = capsys.readouterr()
        return code, out, err

    def plan_json(self, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
        code, out, _ = self.run(capsys, "plan", "--env", "test", "--format", "json")
        return code, json.loads(out)

    def client(self) -> DashboardsClient:
        repo = load_repo(self.root)
        return client_for(repo, repo.environments["test"])

    def live(self, work: Callable[[DashboardsClient], Awaitable[T]]) -> T:
        async def go() -> T:
            async with self.client() as client:
                return await work(client)

        return asyncio.run(go())

    def dashboards(self) -> list[dict[str, Any]]:
        """Every live dashboard with its tiles (as free-form dicts, for tests to poke at)."""

        async def fetch(client: DashboardsClient) -> list[dict[str, Any]]:
            summaries = await client.list_dashboards()
            return [dict(await client.get_dashboard(s["id"])) for s in summaries]

        return self.live(fetch)
