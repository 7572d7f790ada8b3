"""Real git repositories for tests, and a git with no identity (as on a CI runner).

``no_git_identity`` (a fixture) runs every git of the test (dashctl's and the
test's own) with HOME set to an empty folder, no system or global
configuration, and ``user.useConfigOnly`` so that git may not guess an identity
from the machine. The tests' own commits name their author explicitly
(``commit_all``), so any git process of dashctl that needed an identity would fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

IDENTITY = ("-c", "user.name=Test Author", "-c", "user.email=author@example.com")
IDENTITY_VARIABLES = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                      "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_DIR", "GIT_WORK_TREE",
                      "GIT_INDEX_FILE")
REAL_GIT = shutil.which("git")


def isolate_git(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git for the rest of the test as on a bare CI runner: no identity, no configuration."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    for variable in IDENTITY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def no_git_identity(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path_factory.mktemp("home"), monkeypatch)


def git(where: Path, *args: str, stdin: bytes | None = None, locks: bool = True) -> str:
    """Run git in ``where`` as a user would (the test's side, not dashctl's);
    ``locks=False``: without optional locks (a ``git status`` that leaves the index be)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "1" if locks else "0"}
    done = subprocess.run([REAL_GIT or "git", *args], cwd=where, input=stdin, env=env,
                          capture_output=True, check=False)
    assert done.returncode == 0, (args, done.stderr.decode())
    return done.stdout.decode()


def init_repo(top: Path) -> Path:
    """An empty repository at ``top`` on branch main."""
    top.mkdir(parents=True, exist_ok=True)
    git(top, "init", "-q", "-b", "main")
    return top


def commit_all(where: Path, message: str = "manifests") -> str:
    git(where, "add", "-A")
    git(where, *IDENTITY, "commit", "-q", "-m", message)
    return git(where, "rev-parse", "HEAD").strip()
