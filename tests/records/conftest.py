"""Real repositories for the record store's tests, and a git with no identity.

Every test here runs git (the store's and its own) with HOME set to an empty
folder, no system or global configuration, and ``user.useConfigOnly`` so that
git may not guess an identity from the machine: what a bare CI runner has.
The tests' own commits name their author explicitly (``commit_all``), so any
git process of the store that needed an identity would fail.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.git import IDENTITY, REAL_GIT, commit_all, git, isolate_git

__all__ = ["IDENTITY", "REAL_GIT", "commit_all", "git"]

@pytest.fixture(autouse=True)
def no_git_identity(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path_factory.mktemp("home"), monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with one commit: a dashboards root holding one manifest."""
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    root = top / "dashboards"
    (root / "base").mkdir(parents=True)
    (root / "environments.yaml").write_text("environments: {}\n", "utf-8")
    (root / "base" / "growth.yaml").write_text("name: Growth\ntiles: []\n", "utf-8")
    commit_all(top)
    return top


@pytest.fixture
def root(repo: Path) -> Path:
    return repo / "dashboards"


@pytest.fixture
def git_wrapper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A ``git`` first on PATH that logs each command's name to the returned file."""
    folder = tmp_path / "wrapped-bin"
    folder.mkdir()
    log = tmp_path / "git-calls.log"
    log.touch()
    wrapper = folder / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{REAL_GIT}" "$@"\n', "utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    yield log


def calls(log: Path) -> list[str]:
    return log.read_text("utf-8").split()
