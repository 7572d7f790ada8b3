"""Reading one environment's live state through the API client (I/O edge)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from reconciler.api import DashboardsClient
from reconciler.engine.pair import is_ignored
from reconciler.engine.plan import LiveState
from reconciler.errors import DashctlError


async def read_live(client: DashboardsClient, ignore: Sequence[str] = ()) -> LiveState:
    """List the project, then Get every dashboard not ignored, concurrently."""
    summaries = await client.list_dashboards()
    wanted = [str(item["id"]) for item in summaries if not is_ignored(str(item["name"]), ignore)]
    results = await asyncio.gather(
        *(client.get_dashboard(dashboard_id) for dashboard_id in wanted), return_exceptions=True
    )
    dashboards: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for dashboard_id, result in zip(wanted, results, strict=True):
        if isinstance(result, DashctlError):
            errors[dashboard_id] = str(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            dashboards[dashboard_id] = result
    return LiveState(summaries=summaries, dashboards=dashboards, errors=errors)
