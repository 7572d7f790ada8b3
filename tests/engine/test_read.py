"""Reading environments: live fetch and manifest loading overlapped, one cache for the run."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from reconciler.commands.read import plan_all, read_all_desired
from reconciler.engine.plan import Action
from reconciler.engine.read import read_environment
from reconciler.errors import Unavailable
from reconciler.repo.loader import LoadCache, load_repo
from reconciler.repo.models import Environment
from tests.support.factories import insight
from tests.support.repo import write_repo


def make_repo(root: Path, environments: int, dashboards: int) -> None:
    boards = {f"base/board-{index}.yaml": {"name": f"Board {index} ${{site}}",
                                           "tiles": [insight("t1", events=f"e{index}")]}
              for index in range(dashboards)}
    write_repo(root, boards, environments={
        f"env{n}": {"url": f"sqlite:.dashctl/env{n}.db", "vars": {"site": f"s{n}"}}
        for n in range(environments)})


def test_every_environment_is_planned_from_one_shared_cache(tmp_path: Path) -> None:
    make_repo(tmp_path, environments=6, dashboards=12)
    repo = load_repo(tmp_path)
    environments = list(repo.environments.values())

    plan = asyncio.run(plan_all(repo, environments, parallelism=4))

    assert [item.name for item in plan.environments] == [e.name for e in environments]
    desired = read_all_desired(repo, environments)
    for item, state, n in zip(plan.environments, desired, range(6), strict=True):
        assert not item.errors
        created = sorted(change.dashboard for change in item.changes)
        assert all(change.action is Action.CREATE for change in item.changes)
        assert created == sorted(m.dashboard.name for m in state.manifests)
        assert created == sorted(f"Board {i} s{n}" for i in range(12))


class _Unreachable:
    async def list_dashboards(self) -> list[dict[str, Any]]:
        await asyncio.sleep(0)
        raise Unavailable("List: unavailable: connection failed (ConnectError)")


def test_a_failed_fetch_is_the_environments_error_with_its_manifests_loaded(
    tmp_path: Path,
) -> None:
    make_repo(tmp_path, environments=1, dashboards=3)
    repo = load_repo(tmp_path)
    loop_ran_during_load: list[bool] = []

    @asynccontextmanager
    async def connect(environment: Environment) -> AsyncIterator[Any]:
        # the fetch runs on the event loop while the load holds its own thread
        loop_ran_during_load.append(threading.current_thread() is threading.main_thread())
        yield _Unreachable()

    state = asyncio.run(read_environment(repo, repo.environments["env0"], connect,
                                         cache=LoadCache()))
    assert state.live is None
    assert state.error == "List: unavailable: connection failed (ConnectError)"
    assert len(state.manifests) == 3 and not state.problems
    assert loop_ran_during_load == [True]


def test_a_load_that_raises_cancels_the_fetch(tmp_path: Path) -> None:
    make_repo(tmp_path, environments=1, dashboards=1)
    repo = load_repo(tmp_path)
    fetch_finished: list[bool] = []

    class _Slow:
        async def list_dashboards(self) -> list[dict[str, Any]]:
            await asyncio.sleep(5)
            fetch_finished.append(True)
            return []

    @asynccontextmanager
    async def connect(environment: Environment) -> AsyncIterator[Any]:
        yield _Slow()

    class _Broken(LoadCache):
        def document(self, path: Path, text: str | None = None) -> Any:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        asyncio.run(read_environment(repo, repo.environments["env0"], connect, cache=_Broken()))
    assert fetch_finished == []
