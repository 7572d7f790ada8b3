"""`dashctl restore FILE...`: put dashboards back as an apply backup recorded them.

Idempotent: a dashboard that still exists (by id, else by name: a restore
run before recreated it) is written in place, so restoring one backup twice
leaves one dashboard. Tiles go back exactly as recorded, order and unmodeled
fields included, and only into the project the backup recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.clients import client_for
from reconciler.commands import console
from reconciler.commands.options import Common
from reconciler.documents import Backup, read_backup
from reconciler.engine.normalize import fingerprint
from reconciler.engine.ports import DashboardsAPI
from reconciler.errors import ConfigError, DashctlError, NotFound
from reconciler.repo.config import Repo
from reconciler.repo.repository import load_repo
from reconciler.run import DEFAULT_PARALLELISM


@dataclass(frozen=True, kw_only=True)
class RestoreOptions(Common):
    files: tuple[Path, ...] = ()
    parallelism: int = DEFAULT_PARALLELISM


def _order(dashboard: Mapping[str, Any]) -> list[str]:
    return [str(tile.get("id")) for tile in dashboard.get("tiles") or [] if isinstance(tile, dict)]


async def restore_one(client: DashboardsAPI, backup: Backup) -> str:
    wanted = backup.dashboard
    name = str(wanted.get("name", ""))
    tiles = list(wanted.get("tiles") or [])
    dashboard_id = str(wanted.get("id", ""))
    try:
        live = await client.get_dashboard(dashboard_id)
    except NotFound:
        same_name = [d for d in await client.list_dashboards() if d.get("name") == name]
        if len(same_name) > 1:
            raise DashctlError(f"{name!r}: {len(same_name)} live dashboards have this name; "
                               "restore one by hand") from None
        if not same_name:
            created = await client.create_dashboard(name)
            await client.upsert_tiles(str(created["id"]), tiles)
            return f"recreated {name!r} as {created['id']}"
        dashboard_id = str(same_name[0]["id"])
        live = await client.get_dashboard(dashboard_id)
    if fingerprint(live) == fingerprint(wanted) and _order(live) == _order(wanted):
        return f"{name!r} already matches the backup ({dashboard_id})"
    if live.get("name") != name:
        await client.update_dashboard(dashboard_id, name)
    await client.upsert_tiles(dashboard_id, tiles)
    return f"restored {name!r} ({dashboard_id})"


async def restore_file(repo: Repo, path: Path, parallelism: int = DEFAULT_PARALLELISM) -> str:
    backup = read_backup(path)
    environment = repo.environments.get(backup.environment)
    if environment is None:
        raise ConfigError(f"{path}: environment {backup.environment!r} is unknown")
    if environment.project_id != backup.project:
        raise ConfigError(
            f"{path}: the backup is of project {backup.project!r} but environment "
            f"{environment.name!r} now points at {environment.project_id!r}; nothing restored")
    async with client_for(repo, environment, concurrency=parallelism) as client:
        return await restore_one(client, backup)


def run(options: RestoreOptions) -> int:
    repo = load_repo(options.root)
    failed = False
    for path in options.files:
        try:
            console.line(f"{path}: {asyncio.run(restore_file(repo, path, options.parallelism))}")
        except DashctlError as error:
            failed = True
            console.error(str(error))
    return 1 if failed else 0
