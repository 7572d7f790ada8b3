"""Only regular files are read: a FIFO, socket or device is a located problem, never opened.

Through the real CLI in a subprocess with a timeout: opening a FIFO for
reading blocks until a writer comes, so a loader that opens one hangs.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.repo.yaml_io import load_roundtrip, load_yaml
from tests.repo.samples import GROWTH
from tests.support.cli import run_process
from tests.support.repo import write_repo

ENVIRONMENTS = "environments:\n  local:\n    url: sqlite:x.db\n"
FIFO_PROBLEM = "not a regular file (a FIFO): only regular files are read"


def validate(cwd: Path, root: str) -> tuple[int, list[str]]:
    """`dashctl --root ROOT validate --format json` from cwd; exit code and problems as text."""
    done = run_process("--root", root, "validate", "--format", "json", cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    found = json.loads(done.stdout)["problems"]
    lines = [f"{p['file']}:{p['line']}:{p['column']}: {p['message']}" for p in found]
    return done.returncode, lines


def test_a_fifo_manifest_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"base/growth.yaml": GROWTH}, environments=ENVIRONMENTS)
    os.mkfifo(root / "base" / "pipe.yaml")
    (root / "base" / "link.yaml").symlink_to(root / "base" / "pipe.yaml")
    code, problems = validate(tmp_path, "repo")
    assert code == 1
    assert problems == [
        f"repo/base/link.yaml:1:1: {FIFO_PROBLEM}",
        f"repo/base/pipe.yaml:1:1: {FIFO_PROBLEM}",
    ]


def test_a_fifo_environments_yaml_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"base/growth.yaml": GROWTH}, environments=ENVIRONMENTS)
    (root / "environments.yaml").unlink()
    os.mkfifo(root / "environments.yaml")
    code, problems = validate(tmp_path, "repo")
    assert (code, problems) == (1, [f"repo/environments.yaml:1:1: {FIFO_PROBLEM}"])


def test_devices_and_sockets_are_never_read(tmp_path: Path) -> None:
    (tmp_path / "null.yaml").symlink_to("/dev/null")  # a device, and out of the repository
    document = load_yaml(tmp_path / "null.yaml", root=tmp_path)
    assert [str(p) for p in document.problems] == [
        f"{tmp_path}/null.yaml:1:1: resolves outside the repository (a symbolic link out of"
        " it?): refused without reading it"
    ]
    document = load_yaml(tmp_path / "null.yaml", root=Path("/"))  # a repository holding /dev
    assert [str(p) for p in document.problems] == [
        f"{tmp_path}/null.yaml:1:1: not a regular file (a character device):"
        " only regular files are read"
    ]
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(tmp_path / "sock.yaml"))
        problem = load_yaml(tmp_path / "sock.yaml", root=tmp_path).problems[0]
        assert "not a regular file (a socket)" in problem.message


def test_pull_refuses_a_fifo_too(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(ManifestError, match="not a regular file"):
        load_roundtrip(tmp_path / "pipe.yaml", root=tmp_path)
