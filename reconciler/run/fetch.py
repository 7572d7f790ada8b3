"""Reading live state through the Dashboards API: List, then a concurrent Get of each.

The one read of a project. Each answer is packed into its live form as it
arrives (`engine.live.PackedDashboards`), so the raw answers of a large
project are never all held at once. A Get that fails is that dashboard's
error; a List that fails, or anything else, is the environment's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from reconciler.engine.live import LiveState, PackedDashboards
from reconciler.engine.pair import is_ignored
from reconciler.engine.ports import DashboardsAPI
from reconciler.errors import DashctlError

log = logging.getLogger("dashctl.read")

Progress = Callable[[str], None]


async def read_live(client: DashboardsAPI, ignore: Sequence[str] = (), *, get: bool = True,
                    progress: Progress = lambda _: None) -> LiveState:
    """List the project, then Get every dashboard not ignored, concurrently (``get``)."""
    summaries = await client.list_dashboards()
    wanted = [str(item["id"]) for item in summaries
              if get and not is_ignored(str(item["name"]), ignore)]
    names = {str(item["id"]): str(item.get("name", "")) for item in summaries}
    dashboards = PackedDashboards()

    async def fetch(dashboard_id: str) -> None:
        dashboards.add(await client.get_dashboard(dashboard_id))
        progress(f"read {len(dashboards)} of {len(wanted)} dashboards")

    results = await asyncio.gather(*map(fetch, wanted), return_exceptions=True)
    errors: dict[str, str] = {}
    for dashboard_id, result in zip(wanted, results, strict=True):
        if isinstance(result, DashctlError):
            detail = str(result).removeprefix(f"Get {dashboard_id}: ")
            errors[dashboard_id] = f"reading {names[dashboard_id]!r}: {detail}"
        elif isinstance(result, BaseException):
            raise result
    return LiveState(summaries=summaries, dashboards=dashboards, errors=errors)
