"""`dashctl validate`: output formats, exit codes, paths, no network."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.commands import validate as validate_command
from tests.repo.samples import ENVIRONMENTS, GROWTH
from tests.support.cli import validate, validate_json
from tests.support.repo import write_repo

BROKEN = GROWTH.replace("granularity: day", "granularity: daily").replace(
    "  - id: goals\n", "  - id: goals\n    colour: red\n"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository at ./dashboards (the default --root), cwd at its parent."""
    monkeypatch.chdir(tmp_path)
    return write_repo(
        tmp_path / "dashboards",
        {"base/growth-kpis.yaml": GROWTH, "base/experiments.yaml": "name: Experiments\n"},
        environments=ENVIRONMENTS,
    )


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("validate opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_valid_repository_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(capsys, Path("dashboards"))
    assert (code, out) == (0, "")
    assert err.strip() == "valid: 5 manifests in 3 environments"


def test_text_format_points_at_each_offending_node(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "base" / "growth-kpis.yaml").write_text(BROKEN, encoding="utf-8")
    code, out, err = validate(capsys, Path("dashboards"))
    assert code == 1
    assert out.splitlines() == [
        "dashboards/base/growth-kpis.yaml:9:22: unknown granularity 'daily' (did you mean 'day'?"
        " known:"
        " GRANULARITY_HOUR, GRANULARITY_DAY, GRANULARITY_WEEK, GRANULARITY_MONTH,"
        " hour, day, week, month)",
        "dashboards/base/growth-kpis.yaml:13:5: unknown key 'colour' (expected one of:"
        " id, type, position, insight, markdown)",
    ]
    assert err.strip() == "invalid: 2 problems in 1 file"


def test_github_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "base" / "growth-kpis.yaml").write_text(BROKEN, encoding="utf-8")
    code, out, _ = validate(capsys, Path("dashboards"), "--format", "github", "--env", "local")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(
        "::error file=dashboards/base/growth-kpis.yaml,line=9,col=22::unknown granularity 'daily'"
    )


def test_github_format_escapes_properties_and_data() -> None:
    from reconciler.repo.problem import Problem
    from reconciler.report.validate_render import render_github

    line = render_github([Problem("a,b:c.yaml", 1, 2, "100% bad\nvalue")])
    assert line == "::error file=a%2Cb%3Ac.yaml,line=1,col=2::100%25 bad%0Avalue"


def test_json_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = validate_json(capsys, Path("dashboards"))
    assert (code, document) == (0, {"valid": True, "problems": []})
    (repo / "base" / "growth-kpis.yaml").write_text(BROKEN, encoding="utf-8")
    code, document = validate_json(capsys, Path("dashboards"))
    assert code == 1 and document["valid"] is False
    assert document["problems"][1] == {
        "file": "dashboards/base/growth-kpis.yaml",
        "line": 13,
        "column": 5,
        "message": "unknown key 'colour' (expected one of: id, type, position, insight, markdown)",
    }


def test_every_problem_is_reported_once_across_environments(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "base" / "growth-kpis.yaml").write_text(BROKEN, encoding="utf-8")
    code, document = validate_json(capsys, Path("dashboards"), "--env", "all")
    assert code == 1 and len(document["problems"]) == 2


def test_unknown_environment_is_a_problem(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(capsys, Path("dashboards"), "--env", "prod")
    assert code == 1
    assert out.strip() == (
        "dashboards/environments.yaml:1:1: unknown environment 'prod'"
        " (known: local, staging, production)"
    )


def test_missing_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = validate_json(capsys, tmp_path / "nowhere")
    assert code == 1
    assert "no dashboards repository" in document["problems"][0]["message"]


def test_dashctl_root_environment_variable(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHCTL_ROOT", str(repo))
    result = CliRunner().invoke(cli, ["validate", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"valid": True, "problems": []}


def test_click_runner_and_run_validate_agree(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "base" / "growth-kpis.yaml").write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", "dashboards", "validate"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    capsys.readouterr()
    assert validate_command.run(validate_command.ValidateOptions(root=Path("dashboards"))) == 1
    assert capsys.readouterr().out == result.stdout


def test_the_shipped_example_validates(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[2] / "dashboards"
    code, out, err = validate(capsys, example)
    assert (code, out) == (0, "")
    assert "valid:" in err
