"""A small GitOps repository for pull tests: two environments, comments in every file."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from reconciler.api import DashboardsClient
from reconciler.cli import main
from reconciler.clients import client_for
from reconciler.engine.ports import WireDashboard
from reconciler.repo.loader import load_repo

T = TypeVar("T")

ENVIRONMENTS = """\
environments:
  staging:
    url: sqlite:.dashctl/staging.db
    vars: {site: staging}
    ignore: ["Scratch *"]
  production:
    url: sqlite:.dashctl/production.db
    vars: {site: production}
"""

GROWTH = """\
# yaml-language-server: $schema=../../schemas/dashboard.schema.json
# Every environment gets this one.
name: Growth KPIs (${site})   # the site shows in the title
tiles:
  # daily actives
  - id: dau
    position: {x: 0, y: 0, w: 6, h: 4}
    insight:
      query:
        events: [{name: page_view}]
        granularity: GRANULARITY_DAY   # API spelling on purpose
        aggregation: unique_users
      visualization: line
  # goals for the week
  - id: goals
    position: {x: 6, y: 0, w: 6, h: 2}
    markdown:
      content: |
        # Weekly Goals
"""

OPS = """\
# yaml-language-server: $schema=../../schemas/dashboard.schema.json
# Staging only: the on-call view.
name: Ops
formerNames: [Operations]
tiles:
  # errors first
  - id: errors
    position: {x: 0, y: 0, w: 12, h: 3}
    insight:
      query:
        events: [{name: error}]
        granularity: hour
        aggregation: count
      visualization: bar

  # then latency
  - id: latency
    position: {x: 0, y: 3, w: 6, h: 3}
    insight:
      query:
        events: [{name: slow_request}]
        granularity: hour
        aggregation: count
      visualization: line
  # runbook link
  - id: runbook
    position: {x: 6, y: 3, w: 6, h: 3}
    markdown:
      content: See the runbook.
"""


class Repo:
    """The repository under tmp_path, and the CLI and client around it."""

    def __init__(self, root: Path, environments: str = ENVIRONMENTS) -> None:
        self.root = root
        self.files: dict[str, str] = {}
        self.put("environments.yaml", environments)
        self.put("base/growth-kpis.yaml", GROWTH)
        self.put("staging/ops.yaml", OPS)
        (root / "production").mkdir()

    def put(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.files[relative] = text
        return path

    def text(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def unchanged_except(self, *relatives: str) -> list[str]:
        """The files put here that differ on disk, other than ``relatives``."""
        return [name for name, text in self.files.items()
                if name not in relatives and self.text(name) != text]

    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--root", str(self.root), "--no-color", *args])
        out, err = capsys.readouterr()
        return code, out, err

    def live(self, env: str, work: Callable[[DashboardsClient], Awaitable[T]]) -> T:
        async def go() -> T:
            repo = load_repo(self.root)
            async with client_for(repo, repo.environments[env]) as client:
                return await work(client)

        return asyncio.run(go())

    def dashboard(self, env: str, name: str) -> WireDashboard:
        async def fetch(client: DashboardsClient) -> WireDashboard:
            for summary in await client.list_dashboards():
                if summary["name"] == name:
                    return await client.get_dashboard(summary["id"])
            raise AssertionError(f"no live dashboard {name!r}")

        return self.live(env, fetch)

    def set_tiles(self, env: str, name: str, tiles: list[dict[str, Any]]) -> None:
        dashboard_id = self.dashboard(env, name)["id"]
        self.live(env, lambda client: client.upsert_tiles(dashboard_id, tiles))

    def rename(self, env: str, name: str, new_name: str) -> None:
        dashboard_id = self.dashboard(env, name)["id"]
        self.live(env, lambda client: client.update_dashboard(dashboard_id, new_name))

    def create(self, env: str, name: str, tiles: list[dict[str, Any]]) -> None:
        async def make(client: DashboardsClient) -> None:
            created = await client.create_dashboard(name)
            if tiles:
                await client.upsert_tiles(created["id"], tiles)

        self.live(env, make)


def wire_insight(tile_id: str, event: str, *, x: int = 0, y: int = 0, w: int = 6, h: int = 3,
                 granularity: str = "GRANULARITY_HOUR", aggregation: str = "AGGREGATION_COUNT",
                 visualization: str = "VISUALIZATION_LINE") -> dict[str, Any]:
    return {"id": tile_id, "type": "TILE_TYPE_INSIGHT",
            "position": {"x": x, "y": y, "w": w, "h": h},
            "insight": {"query": {"events": [{"name": event}], "granularity": granularity,
                                  "aggregation": aggregation},
                        "visualization": visualization}}


def wire_markdown(tile_id: str, content: str, *, x: int = 0, y: int = 0, w: int = 6,
                  h: int = 3) -> dict[str, Any]:
    return {"id": tile_id, "type": "TILE_TYPE_MARKDOWN",
            "position": {"x": x, "y": y, "w": w, "h": h}, "markdown": {"content": content}}
