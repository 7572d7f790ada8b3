"""Real repositories for the record store's tests, and a git with no identity.

Every test here runs git (the store's and its own) with HOME set to an empty
folder, no system or global configuration, and ``user.useConfigOnly`` so that
git may not guess an identity from the machine: what a bare CI runner has.
The tests' own commits name their author explicitly (``commit_all``), so any
git process of the store that needed an identity would fail.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

IDENTITY = ("-c", "user.name=Test Author", "-c", "user.email=author@example.com")
IDENTITY_VARIABLES = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                      "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_DIR", "GIT_WORK_TREE",
                      "GIT_INDEX_FILE")
REAL_GIT = shutil.which("git")


@pytest.fixture(autouse=True)
def no_git_identity(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    for variable in IDENTITY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def git(where: Path, *args: str, stdin: bytes | None = None, locks: bool = True) -> str:
    """Run git in ``where`` as a user would (the test's side, not the store's);
    ``locks=False``: without optional locks (a ``git status`` that leaves the index be)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "1" if locks else "0"}
    done = subprocess.run([REAL_GIT or "git", *args], cwd=where, input=stdin, env=env,
                          capture_output=True, check=False)
    assert done.returncode == 0, (args, done.stderr.decode())
    return done.stdout.decode()


def commit_all(where: Path, message: str = "manifests") -> str:
    git(where, "add", "-A")
    git(where, *IDENTITY, "commit", "-q", "-m", message)
    return git(where, "rev-parse", "HEAD").strip()


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
