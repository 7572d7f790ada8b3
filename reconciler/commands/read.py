"""Read the selected environments of a run: the wiring around `engine.read`.

The one place commands get a repository, its selected environments, their
clients and their plans. Environments are read concurrently; one that fails
is an error of its own and never stops the others.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import TypeVar

from reconciler.clients import Clients
from reconciler.commands.options import DEFAULT_PARALLELISM, Selected
from reconciler.engine.plan import Plan
from reconciler.engine.read import (
    EnvironmentState,
    plan_state,
    read_desired,
    read_environment,
)
from reconciler.repo.loader import LoadCache, load_repo, repository_problems, select_environments
from reconciler.repo.models import Environment, Repo

T = TypeVar("T")


def selected(options: Selected) -> tuple[Repo, list[Environment]]:
    repo = load_repo(options.root)
    return repo, select_environments(repo, options.envs, options.shard)


async def read_all(
    repo: Repo, environments: list[Environment], *, parallelism: int = DEFAULT_PARALLELISM
) -> list[EnvironmentState]:
    """Every selected environment, read concurrently on the run's shared client pools."""
    return await _each_read(repo, environments, parallelism, lambda state: state)


async def plan_all(
    repo: Repo, environments: list[Environment], *, parallelism: int = DEFAULT_PARALLELISM
) -> Plan:
    """Every selected environment read and planned, each as soon as both its sides are read."""
    return Plan(await _each_read(repo, environments, parallelism, plan_state))


async def _each_read(
    repo: Repo, environments: list[Environment], parallelism: int,
    then: Callable[[EnvironmentState], T],
) -> list[T]:
    """``then`` of each environment's state, in the order of ``environments``.

    All the fetches start at once (bounded by the run's one concurrency gate);
    the manifests load in a worker thread meanwhile, one LoadCache for the run.
    """
    cache = LoadCache.of(repo.root)
    repo_problems = repository_problems(repo)
    gc.freeze()  # what start-up made lives to the end: no collection walks it again
    async with Clients(repo, concurrency=parallelism) as clients:

        async def one(environment: Environment) -> T:
            return then(await read_environment(repo, environment, clients.connect,
                                               repo_problems=repo_problems, cache=cache))

        return list(await asyncio.gather(*map(one, environments)))


def read_all_desired(repo: Repo, environments: list[Environment]) -> list[EnvironmentState]:
    """Every selected environment's manifests and problems, without live state."""
    cache = LoadCache.of(repo.root)
    repo_problems = repository_problems(repo)
    return [read_desired(repo, environment, repo_problems=repo_problems, cache=cache)
            for environment in environments]


def make_plan(
    options: Selected, selection: tuple[Repo, list[Environment]] | None = None
) -> Plan:
    """Read and plan every selected environment (``selection``: already loaded)."""
    repo, environments = selection if selection is not None else selected(options)
    return asyncio.run(plan_all(repo, environments, parallelism=options.parallelism))
