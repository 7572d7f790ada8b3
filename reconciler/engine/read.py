"""Read one environment: its desired state, its live state, and every problem.

The one read that plan, apply, drift, pull and preview share. Anything that
goes wrong with one environment (its config, the connection, the server's
answer) becomes that environment's error; it never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from reconciler.engine.live import LiveState, read_live
from reconciler.engine.plan import EnvironmentPlan, PlanError, build_environment_plan
from reconciler.engine.ports import DashboardsAPI
from reconciler.errors import DashctlError
from reconciler.repo.loader import LoadCache, load_manifests
from reconciler.repo.models import Environment, Manifest, Problem, Repo
from reconciler.repo.urls import redact_userinfo

log = logging.getLogger("dashctl.read")

Connect = Callable[[Environment], AbstractAsyncContextManager[DashboardsAPI]]

_LOADING = threading.Lock()
"""Manifests load in worker threads one environment at a time: a `LoadCache` is
shared across the environments of a run and is not safe to use from two
threads at once (and loading is CPU work under the GIL: two threads would not
be faster)."""


@dataclass(frozen=True)
class EnvironmentState:
    """Desired and live state of one environment; ``error`` when live could not be read."""

    environment: Environment
    manifests: list[Manifest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    live: LiveState | None = None
    error: str | None = None


def describe(error: BaseException) -> str:
    """One line for an error of one environment (a DashctlError is already one)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]  # a task group's failure: say what failed inside it
    if isinstance(error, DashctlError):
        return str(error)
    if isinstance(error, UnicodeEncodeError):
        return ("the project or the token holds a character that an HTTP header cannot carry "
                "(ASCII only)")
    return redact_userinfo(f"{type(error).__name__}: {error}")


def read_desired(
    repo: Repo,
    environment: Environment,
    *,
    repo_problems: Sequence[Problem] = (),
    cache: LoadCache | None = None,
) -> EnvironmentState:
    """The manifests of one environment and their problems (no live state).

    ``repo_problems`` (a stray folder, ...) count as problems of every
    environment, so that no environment deletes while the repository is broken.
    """
    manifests, problems = load_manifests(repo, environment, cache=cache)
    return EnvironmentState(environment, manifests, [*repo_problems, *problems])


async def read_environment(
    repo: Repo,
    environment: Environment,
    connect: Connect,
    *,
    repo_problems: Sequence[Problem] = (),
    cache: LoadCache | None = None,
) -> EnvironmentState:
    """Live state through ``connect`` and, meanwhile, the manifests in a worker thread.

    The fetch is started first and waits on the network; the manifests (CPU
    work) load in a thread meanwhile, so the whole read takes about the longer
    of the two rather than their sum.
    """
    fetch = asyncio.ensure_future(_read_live(environment, connect))
    try:
        desired = await asyncio.to_thread(
            _read_desired_locked, repo, environment, repo_problems, cache)
    except BaseException:
        fetch.cancel()
        raise
    live, error = await fetch
    return EnvironmentState(environment, desired.manifests, desired.problems, live=live,
                            error=error)


def _read_desired_locked(
    repo: Repo, environment: Environment, repo_problems: Sequence[Problem],
    cache: LoadCache | None,
) -> EnvironmentState:
    with _LOADING:
        return read_desired(repo, environment, repo_problems=repo_problems, cache=cache)


async def _read_live(
    environment: Environment, connect: Connect
) -> tuple[LiveState | None, str | None]:
    """The live state of one environment, or why it could not be read."""
    try:
        async with connect(environment) as client:
            # a seeded member's dashboards are never compared: List is all it needs
            return await read_live(client, environment.ignore, get=not environment.seeded), None
    except Exception as error:  # one environment's failure is its own error line
        log.debug("reading %s failed", environment.name, exc_info=True)
        return None, describe(error)


def plan_state(state: EnvironmentState) -> EnvironmentPlan:
    """The plan of one environment read by `read_environment`. Pure."""
    environment = state.environment
    if state.live is None:
        errors = [PlanError(None, str(problem)) for problem in state.problems]
        errors.append(PlanError(None, state.error or "live state was not read"))
        return EnvironmentPlan(environment.name, environment.project_id, errors=errors,
                               prune=environment.prune, problems=len(state.problems),
                               url=environment.public_url, fleet=environment.fleet)
    return build_environment_plan(environment, state.manifests, state.problems, state.live)
