"""What the engine needs of the Dashboards API: a Protocol the engine owns.

`reconciler.api.DashboardsClient` satisfies it; so does any test double. The
engine never imports `reconciler.api` (an import-linter contract keeps it so):
the command layer hands it a client.
"""

from __future__ import annotations

from typing import Any, Protocol

WireDashboard = dict[str, Any]  # {"id", "name", "tiles": [...], "createdAt", "updatedAt"}
WireSummary = dict[str, Any]  # {"id", "name", "createdAt", "updatedAt"} as List returns it
WireTile = dict[str, Any]  # {"id", "type", "position", "insight" | "markdown" | ...}


class DashboardsAPI(Protocol):
    """The six calls of ``dashboards.v1.DashboardsService`` for one project."""

    async def list_dashboards(self) -> list[WireSummary]: ...

    async def get_dashboard(self, dashboard_id: str) -> WireDashboard: ...

    async def create_dashboard(self, name: str) -> WireDashboard: ...

    async def update_dashboard(self, dashboard_id: str, name: str) -> WireDashboard: ...

    async def upsert_tiles(self, dashboard_id: str, tiles: list[WireTile]) -> WireDashboard: ...

    async def delete_dashboard(self, dashboard_id: str) -> None: ...
