"""A run: every selected environment read (manifests and live state) and planned, each
environment's failure its own; manifests loaded in place or in a worker process alike."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from reconciler.engine.changes import Action
from reconciler.repo.pipeline import Desired
from reconciler.run import Run, desired
from tests.support.factories import insight
from tests.support.repo import write_repo


def make_repo(root: Path, environments: int, dashboards: int) -> None:
    boards = {f"base/board-{index}.yaml": {"name": f"Board {index} ${{site}}",
                                           "tiles": [insight("t1", events=f"e{index}")]}
              for index in range(dashboards)}
    write_repo(root, boards, environments={
        f"env{n}": {"url": f"sqlite:.dashctl/env{n}.db", "vars": {"site": f"s{n}"}}
        for n in range(environments)})


def test_every_environment_is_planned(tmp_path: Path) -> None:
    make_repo(tmp_path, environments=6, dashboards=12)
    session = Run.open(tmp_path, parallelism=4)

    plan = session.plan()

    assert [item.name for item in plan.environments] == [e.name for e in session.environments]
    for item, state, n in zip(plan.environments, session.desired(), range(6), strict=True):
        assert not item.errors
        created = sorted(change.dashboard for change in item.changes)
        assert all(change.action is Action.CREATE for change in item.changes)
        assert created == sorted(m.name for m in state.manifests)
        assert created == sorted(f"Board {i} s{n}" for i in range(12))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_failed_fetch_is_the_environments_error_with_its_manifests_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boards = {f"base/board-{index}.yaml": {"name": f"Board {index}", "tiles": []}
              for index in range(3)}
    write_repo(tmp_path, boards, environments={
        "down": {"url": f"http://127.0.0.1:{closed_port()}", "project": "p",
                 "token_env": "DASHCTL_TOKEN_DOWN"},
        "local": {"url": "sqlite:.dashctl/local.db"}})
    monkeypatch.setenv("DASHCTL_TOKEN_DOWN", "token")

    down, local = Run.open(tmp_path).read()

    assert down.live is None and down.error is not None
    assert "unavailable: connection failed" in down.error
    assert len(down.manifests) == 3 and not down.problems
    assert local.live is not None and local.error is None


def test_a_load_that_raises_cancels_the_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_repo(tmp_path, environments=1, dashboards=1)

    async def broken(*_: object) -> list[Desired]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("reconciler.run.load_desired", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        Run.open(tmp_path).read()


def test_a_large_selection_loads_in_a_worker_process_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_repo(tmp_path / "repo", environments=2, dashboards=8)
    (tmp_path / "repo" / "base" / "broken.yaml").write_text("name: [\n", "utf-8")
    monkeypatch.chdir(tmp_path)  # problems name files relative to the working folder
    session = Run.open(Path("repo"))
    in_place = session.read()
    monkeypatch.setattr(desired, "WORKER_FILES", 5)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    assert desired.worth_a_worker(session.repo.root, session.environments) == (cores > 1)
    in_worker = session.read()
    assert [(s.manifests, s.problems) for s in in_worker] == [
        (s.manifests, s.problems) for s in in_place]
    assert in_place[0].problems
    assert str(in_place[0].problems[0]).startswith("repo/base/broken.yaml")
