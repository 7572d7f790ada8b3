"""The repository every pull test starts from, applied to both its environments."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pull.kit import pull_repo
from tests.support.repo import RepoKit


@pytest.fixture
def repo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> RepoKit:
    repo = pull_repo(tmp_path / "dashboards")
    code, out, err = repo.run(capsys, "apply", "--env", "all", "--auto-approve")
    assert code == 0, out + err
    return repo
