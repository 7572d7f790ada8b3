"""Reading one environment's live state through the API client (I/O edge)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from reconciler.api import DashboardsClient
from reconciler.engine.normalize import PackedDashboards
from reconciler.engine.pair import is_ignored
from reconciler.engine.plan import LiveState
from reconciler.errors import DashctlError


async def read_live(client: DashboardsClient, ignore: Sequence[str] = ()) -> LiveState:
    """List the project, then Get every dashboard not ignored, concurrently.

    Each answer is packed into its canonical form as it arrives, so the raw
    answers of a large project are never all held at once.
    """
    summaries = await client.list_dashboards()
    wanted = [str(item["id"]) for item in summaries if not is_ignored(str(item["name"]), ignore)]
    dashboards = PackedDashboards()

    async def fetch(dashboard_id: str) -> None:
        dashboards.add(await client.get_dashboard(dashboard_id))

    results = await asyncio.gather(*map(fetch, wanted), return_exceptions=True)
    errors: dict[str, str] = {}
    for dashboard_id, result in zip(wanted, results, strict=True):
        if isinstance(result, DashctlError):
            errors[dashboard_id] = str(result)
        elif isinstance(result, BaseException):
            raise result
    return LiveState(summaries=summaries, dashboards=dashboards, errors=errors)
