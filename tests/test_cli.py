"""The command line surface: help, version, schemas, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler import __version__
from reconciler.cli import cli
from reconciler.commands.schema import SCHEMA_NAMES
from tests.support.cli import run
from tests.support.repo import write_repo

COMMANDS = sorted(cli.commands)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and __version__ in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "Usage: dashctl" in out


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_prints_valid_json_schema(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", name)
    assert code == 0
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_usage_errors_exit_1_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", "--format", "yaml")
    assert code == 1 and "Invalid value" in err and "Traceback" not in err
    code, _, err = run(capsys, "no-such-command")
    assert code == 1 and "Traceback" not in err


def test_missing_repository_is_a_clean_error(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--root", str(tmp_path / "nowhere"), "plan")
    assert code == 1 and err.startswith("error: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["validate", "plan", "apply", "drift", "envs", "pull",
                                     "schema", "serve", "token"])
def test_global_options_come_after_the_command_too(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, command, "--version") == (0, f"dashctl, version {__version__}\n", "")


def test_the_repository_is_found_above_the_working_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path / "repo" / "dashboards", {"base/growth.yaml": "name: G\n"
                                                         "tiles: []\n"},
                      environments={"local": {"url": "sqlite:state.db"}})
    monkeypatch.delenv("DASHCTL_ROOT", raising=False)
    monkeypatch.chdir(root / "base")
    assert run(capsys, "validate")[0] == 0
    monkeypatch.chdir(tmp_path / "repo")  # above it: ./dashboards, as before
    assert run(capsys, "validate")[0] == 0
    monkeypatch.chdir(tmp_path)  # no repository here, nor in ./dashboards
    code, out, _ = run(capsys, "validate")
    assert code == 1 and "no dashboards repository at dashboards/" in out


@pytest.mark.parametrize("command", ["plan", "apply", "drift", "pull", "comment", "restore"])
def test_every_command_that_talks_to_a_server_takes_parallelism(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "--parallelism" in run(capsys, command, "--help")[1]


@pytest.mark.parametrize(("command", "says"), [
    ("token", "DASHCTL_JWT_SECRET"), ("comment", "GITHUB_TOKEN"), ("serve", "SQLite file"),
])
def test_help_says_where_secrets_and_files_come_from(
    command: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert says in " ".join(run(capsys, command, "--help")[1].split())
