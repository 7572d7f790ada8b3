"""Read the selected environments of a run: the wiring around `engine.read`.

The one place commands get a repository, its selected environments, their
clients and their plans. Environments are read concurrently; one that fails
is an error of its own and never stops the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from reconciler.clients import client_for
from reconciler.commands.options import Selected
from reconciler.engine.plan import Plan
from reconciler.engine.ports import DashboardsAPI
from reconciler.engine.read import (
    EnvironmentState,
    plan_state,
    read_desired,
    read_environment,
)
from reconciler.repo.loader import LoadCache, load_repo, repository_problems, select_environments
from reconciler.repo.models import Environment, Repo


def connector(
    repo: Repo, **options: object
) -> Callable[[Environment], AbstractAsyncContextManager[DashboardsAPI]]:
    """Open the client an environment asks for (HTTP or the in-process emulator)."""

    @asynccontextmanager
    async def connect(environment: Environment) -> AsyncIterator[DashboardsAPI]:
        async with client_for(repo, environment, **options) as client:
            yield client

    return connect


def selected(options: Selected) -> tuple[Repo, list[Environment]]:
    repo = load_repo(options.root)
    return repo, select_environments(repo, options.envs, options.shard)


async def read_all(repo: Repo, environments: list[Environment]) -> list[EnvironmentState]:
    connect = connector(repo)
    cache = LoadCache()
    repo_problems = repository_problems(repo)
    return list(await asyncio.gather(*(
        read_environment(repo, environment, connect, repo_problems=repo_problems, cache=cache)
        for environment in environments
    )))


def read_all_desired(repo: Repo, environments: list[Environment]) -> list[EnvironmentState]:
    """Every selected environment's manifests and problems, without live state."""
    cache = LoadCache()
    repo_problems = repository_problems(repo)
    return [read_desired(repo, environment, repo_problems=repo_problems, cache=cache)
            for environment in environments]


def make_plan(options: Selected) -> Plan:
    """Read and plan every selected environment."""
    repo, environments = selected(options)
    return Plan([plan_state(state) for state in asyncio.run(read_all(repo, environments))])
