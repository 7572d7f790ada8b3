"""What the engine needs of the Dashboards API: a Protocol the engine owns, and its types.

`reconciler.api.DashboardsClient` satisfies it; so does any test double. The
engine never imports `reconciler.api` (an import-linter contract keeps it so):
the command layer hands it a client.

The answers are typed by the keys SPEC §1 names (``WireSummary``,
``WireDashboard``, with tiles as `reconciler.dashboard.WireTile`), each optional
where proto3 JSON may leave it out; the client checks that each holds a string
``id`` and fills in an empty ``tiles``. A server may send more keys (other
writers, SPEC §4): the types do not list them, and code that reads them takes a
``WireObject`` and checks what it finds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, Required, TypedDict

from reconciler.dashboard import WireTile

__all__ = ["DashboardsAPI", "Desired", "WireDashboard", "WireObject", "WireSummary", "WireTile"]

WireObject = Mapping[str, object]
"""A JSON object as a server (or a file it was saved to) holds it: known keys or not."""


class WireSummary(TypedDict, total=False):
    """A dashboard as List returns it: no tiles."""

    id: Required[str]
    name: str
    createdAt: str  # RFC 3339
    updatedAt: str


class WireDashboard(WireSummary, total=False):
    """A dashboard as Get, Create, Update and Upsert return it."""

    tiles: list[WireTile]


class Desired(TypedDict):
    """A manifest as apply would send it: its name, and its tiles in wire form."""

    name: str
    tiles: list[WireTile]


class DashboardsAPI(Protocol):
    """The six calls of ``dashboards.v1.DashboardsService`` for one project."""

    async def list_dashboards(self) -> list[WireSummary]: ...

    async def get_dashboard(self, dashboard_id: str) -> WireDashboard: ...

    async def create_dashboard(self, name: str) -> WireDashboard: ...

    async def update_dashboard(self, dashboard_id: str, name: str) -> WireDashboard: ...

    async def upsert_tiles(
        self, dashboard_id: str, tiles: Sequence[WireObject]
    ) -> WireDashboard:
        """Replace every tile: ``WireTile``s, with whatever other writers' fields and
        tiles apply keeps for them (a backup's tiles go back as they were)."""
        ...

    async def delete_dashboard(self, dashboard_id: str) -> None: ...
