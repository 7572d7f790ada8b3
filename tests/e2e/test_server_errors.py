"""Errors from servers say what failed and what to check (SPEC §8), over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.factories import insight
from tests.support.repo import http_repo
from tests.support.server import Server


def test_a_refused_token_names_the_environment_server_action_and_variable(
    tmp_path: Path, server: Server, project: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kit = http_repo(tmp_path / "repo", monkeypatch, url=server.url, token="not-a-jwt",
                    project=project)
    kit.write("growth", {"name": "Growth KPIs", "tiles": [insight("dau")]})
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    host_port = server.url.removeprefix("http://")
    assert code == 1
    assert (f"environment test at http://{host_port}: listing dashboards: unauthenticated"
            in out)
    assert "check the token in DASHCTL_TOKEN_TEST" in out
    assert "not-a-jwt" not in out
    assert "Plan incomplete: live state could not be read" in out


def test_a_token_of_another_project_says_which_project_it_must_grant(
    tmp_path: Path, server: Server, project: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kit = http_repo(tmp_path / "repo", monkeypatch, url=server.url,
                    token=server.token("proj_someone_else"), project=project)
    kit.write("growth", {"name": "Growth KPIs", "tiles": [insight("dau")]})
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    assert code == 1 and "permission_denied" in out
    assert f"does it grant project {project}?" in out
