"""The first hour of apply (SPEC §8): it names its environments, says what it did per
dashboard (or as JSON), asks by name on a terminal, and never asks when nothing is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest

from reconciler.commands import apply as apply_command
from tests.support.factories import insight, wire
from tests.support.repo import RepoKit

TWO = {"dev": {"url": "sqlite:dev.db"}, "prod": {"url": "sqlite:prod.db", "project": "p_prod",
                                                  "prune": True}}


@pytest.fixture
def kit(tmp_path: Path) -> RepoKit:
    made = RepoKit(tmp_path / "repo", TWO)
    made.write("growth", {"name": "Growth KPIs", "tiles": [insight("dau")]})
    return made


def test_apply_without_env_on_several_environments_is_refused_and_writes_nothing(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = kit.run(capsys, "apply", "--auto-approve")
    assert code == 1
    assert "this repository has 2 environments (dev, prod)" in err and "--env all" in err
    assert kit.dashboards("dev") == [] and kit.dashboards("prod") == []
    assert kit.run(capsys, "apply", "--env", "all", "--auto-approve")[0] == 0
    assert len(kit.dashboards("prod")) == 1


def test_one_line_per_dashboard_says_what_apply_did(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kit.run(capsys, "apply", "--env", "all", "--auto-approve")[0] == 0
    kit.write("growth", {"name": "Growth KPIs", "tiles": [insight("dau", viz="bar")]})
    kit.write("retention", {"name": "Retention", "tiles": [insight("ret")]})
    kit.create("Stray", [wire(insight("x"))], env="prod")
    code, out, _ = kit.run(capsys, "apply", "--env", "all", "--auto-approve")
    assert code == 0
    growth = kit.dashboard("Growth KPIs", env="dev")["id"]
    lines = out.splitlines()
    assert f'dev: updated "Growth KPIs" ({growth})' in lines
    assert any(line.startswith('dev: created "Retention" (dash_') for line in lines)
    assert 'prod: skipped delete of "Stray" (no --allow-delete)' in lines
    assert "Apply dev: 1 created, 1 updated." in lines
    assert "Apply prod: 1 created, 1 updated, 1 skipped." in lines


def test_apply_format_json_gives_what_was_written_per_dashboard(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = kit.run(capsys, "apply", "--env", "dev", "--auto-approve",
                             "--format", "json")
    assert code == 0 and "Environment dev" in err  # the plan goes to stderr
    document = json.loads(out)
    (env,) = document["environments"]
    assert env["name"] == "dev" and env["failure"] is None
    assert [(d["action"], d["dashboard"], d["result"]) for d in env["dashboards"]] == [
        ("create", "Growth KPIs", "created")]
    assert env["dashboards"][0]["id"] == kit.dashboard("Growth KPIs", env="dev")["id"]
    code, out, _ = kit.run(capsys, "apply", "--env", "dev", "--auto-approve",
                           "--format", "json")
    assert code == 0 and json.loads(out)["environments"][0]["dashboards"] == []


def test_the_prompt_names_each_environment_and_project_and_none_when_nothing_changes(
    kit: RepoKit, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def confirm(text: str, **_: Any) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr(click, "confirm", confirm)
    assert kit.run(capsys, "apply", "--env", "all")[0] == 0
    assert asked == ["Apply these changes to dev (project local), prod (project p_prod)?"]
    assert kit.run(capsys, "apply", "--env", "all")[0] == 0
    assert len(asked) == 1  # nothing to write: no question
    assert apply_command.confirmed.__doc__  # the one place the question is asked
