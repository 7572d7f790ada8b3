"""The command line surface: help, version, schemas, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler import __version__
from reconciler.cli import cli
from reconciler.commands.schema import SCHEMA_NAMES
from tests.support.cli import run

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
