"""The client an environment of environments.yaml asks for: HTTP, or the emulator in-process.

The one module that knows both `reconciler.api` (the HTTP client) and
`reconciler.emulator` (the in-process server for ``sqlite:`` environments).
"""

from __future__ import annotations

import os
from typing import Any

from reconciler.api import DashboardsClient
from reconciler.errors import ConfigError
from reconciler.repo.models import Environment, Repo

IN_PROCESS_URL = "http://dashctl.local"


def client_for(repo: Repo, environment: Environment, **options: Any) -> DashboardsClient:
    """A client for ``environment``; ``options`` go to :class:`DashboardsClient`.

    A ``sqlite:PATH`` environment gets the emulator in-process on that
    database file (no socket, no token to set up). An http(s) environment
    reads its token from the variable named by ``token_env``; a missing name
    or an empty variable is a ConfigError that names the variable, never a
    value.
    """
    if environment.is_sqlite:
        from reconciler.emulator.inprocess import inprocess_transport

        db_path = repo.sqlite_path(environment)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        transport, token = inprocess_transport(db_path, environment.project_id)
        return DashboardsClient(
            base_url=IN_PROCESS_URL,
            project=environment.project_id,
            token=token,
            transport=transport,
            **options,
        )
    label = environment.name or environment.url
    if not environment.url.startswith(("http://", "https://")):
        raise ConfigError(f"environment {label}: url must be http(s)://... or sqlite:PATH")
    if not environment.project_id:
        raise ConfigError(f"environment {label}: no project is set")
    if not environment.token_env:
        raise ConfigError(f"environment {label}: no token_env names the variable holding its token")
    token = os.environ.get(environment.token_env, "").strip()
    if not token:
        raise ConfigError(
            f"environment {label}: the variable {environment.token_env} (token_env) is not set"
        )
    return DashboardsClient(
        base_url=environment.url, project=environment.project_id, token=token, **options
    )
