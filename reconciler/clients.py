"""The client an environment of environments.yaml asks for: HTTP, or the emulator in-process.

The one module that knows both `reconciler.api` (the HTTP client) and
`reconciler.emulator` (the in-process server for ``sqlite:`` environments).

    client_for   one client of its own (tests, benchmarks, one-off calls)
    Clients      the clients of one run: one connection pool per server and
                 token, and one bound on concurrent calls across the whole run,
                 however many environments or fleet members it reads
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from reconciler.api import DashboardsClient
from reconciler.api.client import Pool
from reconciler.errors import ConfigError
from reconciler.repo.config import Environment, Repo

IN_PROCESS_URL = "http://dashctl.local"


def _token(environment: Environment) -> str:
    """The token of an http(s) environment, from the variable its token_env names."""
    label = environment.name or environment.public_url
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
    return token


def _database(repo: Repo, environment: Environment) -> Path:
    db_path = repo.sqlite_path(environment)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return db_path


def _in_process(db_path: Path) -> tuple[httpx.AsyncBaseTransport, Callable[[str], str]]:
    from reconciler.emulator.inprocess import inprocess_server

    return inprocess_server(db_path)


def client_for(repo: Repo, environment: Environment, **options: Any) -> DashboardsClient:
    """A client of its own for ``environment``; ``options`` go to :class:`DashboardsClient`.

    A ``sqlite:PATH`` environment gets the emulator in-process on that
    database file (no socket, no token to set up). An http(s) environment
    reads its token from the variable named by ``token_env``; a missing name
    or an empty variable is a ConfigError that names the variable, never a
    value.
    """
    project = environment.project_id
    if environment.is_sqlite:
        transport, mint = _in_process(_database(repo, environment))
        return DashboardsClient(base_url=IN_PROCESS_URL, project=project, token=mint(project),
                                transport=transport, **options)
    return DashboardsClient(base_url=environment.public_url, project=project,
                            token=_token(environment), **options)


class Clients:
    """The clients of one run, sharing pools; use as an async context manager."""

    def __init__(self, repo: Repo, *, concurrency: int = 16) -> None:
        self._repo = repo
        self._concurrency = concurrency
        self._gate: asyncio.Semaphore | None = None
        self._pools: dict[tuple[str, str], Pool] = {}
        self._minters: dict[str, Callable[[str], str]] = {}

    async def __aenter__(self) -> Clients:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()

    def _pool(self, key: tuple[str, str], base_url: str,
              transport: httpx.AsyncBaseTransport | None = None) -> Pool:
        if key not in self._pools:
            if self._gate is None:
                self._gate = asyncio.Semaphore(self._concurrency)
            pool = Pool.open(base_url, transport=transport, concurrency=self._concurrency)
            self._pools[key] = Pool(pool.http, self._gate)
        return self._pools[key]

    def client(self, environment: Environment) -> DashboardsClient:
        project = environment.project_id
        if environment.is_sqlite:
            db_path = str(_database(self._repo, environment).resolve())
            if db_path not in self._minters:
                transport, self._minters[db_path] = _in_process(Path(db_path))
                self._pool(("sqlite", db_path), IN_PROCESS_URL, transport)
            pool = self._pools[("sqlite", db_path)]
            return DashboardsClient(base_url=IN_PROCESS_URL, project=project,
                                    token=self._minters[db_path](project), pool=pool)
        token = _token(environment)
        pool = self._pool((environment.public_url, token), environment.public_url)
        return DashboardsClient(base_url=environment.public_url, project=project, token=token,
                                pool=pool)

    @asynccontextmanager
    async def connect(self, environment: Environment) -> AsyncIterator[DashboardsClient]:
        """A client of ``environment`` on the run's shared pool."""
        yield self.client(environment)
