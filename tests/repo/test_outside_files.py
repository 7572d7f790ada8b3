"""One rule for every file dashctl reads from a repository (SPEC §2): it resolves inside the
root, checked before it is opened; a file out of the repository is never read, nor shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_in
from tests.support.repo import write_repo

SECRET = "root:x:0:0:SECRET_TOKEN=ghs_abcdef0123456789"
GROWTH = "name: Growth\ntiles: []\n"
ENVIRONMENTS = {"local": {"url": "sqlite:state.db"}}


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secrets.yaml"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", "utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_a_manifest_linked_out_of_the_repository_is_refused_unread(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    root = write_repo(tmp_path / "repo", {"base/growth.yaml": GROWTH},
                      environments=ENVIRONMENTS)
    (root / "base" / "passwd.yaml").symlink_to(secret)

    code, out, err = run_in(capsys, root, "validate", "--format", fmt)

    assert code == 1
    assert "passwd.yaml" in out and "resolves outside the repository" in out
    assert "SECRET" not in out + err and "root:x" not in out + err


def test_a_base_folder_linked_out_of_the_repository_is_refused_unread(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_repo(tmp_path / "repo", environments=ENVIRONMENTS)
    (root / "base").symlink_to(secret.parent, target_is_directory=True)
    code, out, err = run_in(capsys, root, "plan", "--env", "local")
    assert code == 1
    assert "resolves outside the repository" in out and "SECRET" not in out + err


def test_environments_and_fleet_lists_linked_out_are_refused_unread(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "environments.yaml").symlink_to(secret)
    code, out, err = run_in(capsys, root, "validate")
    assert code == 1 and "resolves outside the repository" in out
    assert "SECRET" not in out + err

    (root / "environments.yaml").unlink()
    write_repo(root, environments="fleets:\n  tenants:\n    url: sqlite:f.db\n"
                                  "    projects: tenants.yaml\n")
    (root / "tenants.yaml").symlink_to(secret)
    code, out, err = run_in(capsys, root, "validate")
    assert code == 1 and "resolves outside the repository" in out
    assert "SECRET" not in out + err


def test_a_link_inside_the_repository_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_repo(tmp_path / "repo", {"shared/growth.yaml": GROWTH},
                      environments=ENVIRONMENTS)
    (root / "base").mkdir()
    (root / "base" / "growth.yaml").symlink_to(root / "shared" / "growth.yaml")
    code, out, _ = run_in(capsys, root, "validate", "--env", "local")
    assert code == 1  # shared/ is a stray folder; the link itself is read
    assert "resolves outside" not in out
    assert "folder 'shared' is not an environment" in out
