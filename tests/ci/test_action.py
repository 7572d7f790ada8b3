"""action.yml run step by step in a simulated runner, against `dashctl serve` on 127.0.0.1.

The runner (tests/ci/actions_sim.py) runs the action's `run:` steps with bash
as GitHub does; setup-python is this interpreter, and the cache step restores
this test run's own virtual environment (a symlink), so the install step finds
dashctl ready. test_a_cache_miss_installs_dashctl_from_the_actions_own_files
takes the real install path once: a fresh venv, pip, the action's files
(about 90 s on a shared machine: .ci/run runs it, `make test` skips it; the
self-test workflow takes the same path on GitHub on every push).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

from tests.ci.actions_sim import Runner, StepFailed, StepResult, workflow_commands
from tests.ci.conftest import slow_ci
from tests.support.repo import dump_yaml
from tests.support.server import Server

ROOT = Path(__file__).resolve().parents[2]
TOKEN_ENV = "DASHCTL_TOKEN_CI"


class Cache:
    """actions/cache, keyed like GitHub's: a hit restores the saved folder at the same path.

    ``seed`` pre-fills every key with a symlink to that folder (this test run's
    venv); ``save`` is the cache's post-job step, which stores what the path holds.
    """

    def __init__(self, seed: Path | None = None) -> None:
        self.seed = seed
        self.saved: dict[str, Path] = {}
        self.calls: list[dict[str, str]] = []

    def __call__(
        self, runner: Runner, with_: dict[str, str], env: dict[str, str]
    ) -> dict[str, str]:
        self.calls.append(with_)
        if not with_["key"] or not with_["path"]:
            raise StepFailed("Input required and not supplied: path / key")
        path = Path(with_["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.seed is not None:
            path.symlink_to(self.seed, target_is_directory=True)
        elif with_["key"] in self.saved:
            shutil.copytree(self.saved[with_["key"]], path, symlinks=True)
        else:
            return {"cache-hit": "false"}
        return {"cache-hit": "true"}

    def save(self, store: Path) -> None:
        for number, call in enumerate(self.calls):
            if call["key"] not in self.saved and Path(call["path"]).is_dir():
                self.saved[call["key"]] = store / str(number)
                shutil.copytree(call["path"], store / str(number), symlinks=True)


def dashboards_repo(workspace: Path, server: Server) -> Path:
    """A dashboards repository as a user has it: no pyproject.toml, the shipped manifests.

    Its environment `ci` is a project of its own on the shared server.
    """
    root = workspace / "dashboards"
    shutil.copytree(ROOT / "dashboards" / "base", root / "base")
    dump_yaml(root / "environments.yaml", {"environments": {"ci": {
        "url": server.url, "project": project_of(workspace), "token_env": TOKEN_ENV,
        "prune": True, "vars": {"site": "ci"}}}})
    return root


def project_of(workspace: Path) -> str:
    return "proj_" + hashlib.sha256(str(workspace).encode()).hexdigest()[:12]


def token_for(runner: Runner, server: Server) -> str:
    return server.token(project_of(runner.workspace))


def action(runner: Runner, args: str, token: str = "", **inputs: str) -> StepResult:
    with_ = {"args": args, **inputs}
    if token:
        with_ |= {"token-env": TOKEN_ENV, "token": token}
    return runner.run_action(ROOT, with_)


def stdout_of(result: StepResult) -> str:
    return Path(result.outputs["stdout-file"]).read_text("utf-8")


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    cache = Cache(Path(sys.prefix))
    return Runner(tmp_path, handlers={"actions/cache": cache})


# --- the main path: validate, plan, apply, plan again ------------------------------------


def test_validate_plan_apply_plan_again(runner: Runner, server: Server) -> None:
    dashboards_repo(runner.workspace, server)
    token = token_for(runner, server)

    validate = action(runner, "validate --format github")
    assert validate.outcome == "success", validate.log()
    assert validate.outputs["exit-code"] == "0"

    plan = action(runner, "plan --env ci --format markdown --out plan.json", token)
    assert plan.outcome == "success", plan.log()  # exit 2 is not a failure of the step
    assert plan.outputs["exit-code"] == "2"
    assert "Growth KPIs" in stdout_of(plan)
    assert (runner.workspace / "plan.json").is_file()  # run from the workspace

    apply = action(runner, "apply --env ci --plan plan.json --auto-approve --allow-delete", token)
    assert apply.outcome == "success", apply.log()
    assert apply.outputs["exit-code"] == "0"

    again = action(runner, "plan --env ci", token)
    assert again.outcome == "success", again.log()
    assert again.outputs["exit-code"] == "0"

    for result in (validate, plan, apply, again):
        assert token not in result.log()
        assert token not in stdout_of(result)
        assert token not in Path(result.outputs["stderr-file"]).read_text("utf-8")
    # One job, one install: only the first use restored the venv.
    cache = runner.handlers["actions/cache"]
    assert isinstance(cache, Cache)
    assert len(cache.calls) == 1
    assert cache.calls[0]["key"].startswith("dashctl-venv-Linux-X64-py3.")
    assert Path(validate.outputs["dashctl"]).name == "dashctl"


def test_an_error_fails_the_step_and_keeps_the_outputs(runner: Runner, server: Server) -> None:
    dashboards_repo(runner.workspace, server)
    result = action(runner, "plan --env ci")  # no token given
    assert result.outcome == "failure"
    assert result.outputs["exit-code"] == "1"
    assert "DASHCTL_TOKEN_CI (token_env) is not set" in stdout_of(result)
    assert "::error title=dashctl plan::dashctl plan exited with code 1" in workflow_commands(
        result.log())


def test_exit_2_fails_commands_other_than_plan_and_drift(runner: Runner, server: Server) -> None:
    dashboards_repo(runner.workspace, server)
    token = token_for(runner, server)
    drift = action(runner, "drift --env ci", token)  # nothing applied: drift
    assert (drift.outcome, drift.outputs["exit-code"]) == ("success", "2")
    # validate never exits 2; `dashctl` with an unknown command does (click's usage error)
    result = action(runner, "no-such-command")
    assert result.outputs["exit-code"] != "0"
    assert result.outcome == "failure"


def test_root_input_and_global_options_before_the_command(runner: Runner, server: Server) -> None:
    elsewhere = runner.workspace / "infra" / "analytics"
    elsewhere.parent.mkdir(parents=True)
    dashboards_repo(runner.workspace, server).rename(elsewhere)
    assert action(runner, "validate", root="infra/analytics").outcome == "success"
    result = action(runner, "--root infra/analytics --no-color plan --env ci",
                    token_for(runner, server))
    assert (result.outcome, result.outputs["exit-code"]) == ("success", "2")


# --- args are data, never shell ------------------------------------------------------------


def test_args_are_split_like_words_and_never_expanded(runner: Runner, server: Server) -> None:
    dashboards_repo(runner.workspace, server)
    marker = runner.workspace / "pwned"
    hostile = f"--root '$(touch {marker})' validate; touch {marker} `touch {marker}` $HOME"
    result = action(runner, hostile)
    assert result.outcome == "failure"
    assert not marker.exists()
    assert "No such command 'validate;'" in Path(result.outputs["stderr-file"]).read_text("utf-8")
    literal = action(runner, f"--root '$(touch {marker})' validate")
    assert literal.outcome == "failure"
    assert f"$(touch {marker})" in literal.log()  # the root dashctl was given, verbatim
    assert not marker.exists()

    quoted = action(runner, "dashctl validate --env 'ci' --format \"text\"")
    assert quoted.outcome == "success", quoted.log()

    unbalanced = action(runner, "validate --env 'ci")
    assert unbalanced.outcome == "failure"
    assert any("cannot split args" in line for line in workflow_commands(unbalanced.log()))
    empty = action(runner, "   ")
    assert any("args is empty" in line for line in workflow_commands(empty.log()))


def test_a_command_word_cannot_forge_a_workflow_command(runner: Runner, server: Server) -> None:
    """The action's own lines name the command; a newline or `::` in it stays text."""
    dashboards_repo(runner.workspace, server)
    result = action(runner, "'plan\n::warning title=forged::forged,%0A' --env ci")
    assert result.outcome == "failure"
    found = workflow_commands(result.log())
    assert not any("forged" in line and not line.startswith("::error title=dashctl ")
                   for line in found), found
    assert any(line.startswith("::error title=dashctl plan___warning_title_forged__forged__0A::")
               for line in found), found


def test_a_bad_token_env_name_is_refused(runner: Runner, server: Server) -> None:
    dashboards_repo(runner.workspace, server)
    result = runner.run_action(ROOT, {"args": "validate", "token-env": "X=1; touch y",
                                      "token": "t"})
    assert result.outcome == "failure"
    assert not (runner.workspace / "y").exists()


def test_only_validate_github_output_becomes_workflow_commands(
    runner: Runner, server: Server
) -> None:
    root = dashboards_repo(runner.workspace, server)
    (root / "base" / "broken.yaml").write_text("name: Broken\ntiles: 3\n", "utf-8")
    github = action(runner, "validate --format github")
    assert github.outcome == "failure"
    found = workflow_commands(github.log())
    assert any(line.startswith("::error file=") and "broken.yaml" in line for line in found)

    text = action(runner, "validate --format text")
    assert "broken.yaml" in stdout_of(text)
    assert all(not line.startswith("::error file=") for line in workflow_commands(text.log()))


# --- the real install path -------------------------------------------------------------------


def copy_action(target: Path) -> Path:
    """The files `uses: OWNER/dashctl@REF` brings: this checkout without its venv."""
    target.mkdir(parents=True)
    for name in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "reconciler", target / "reconciler",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


@slow_ci
def test_a_cache_miss_installs_dashctl_from_the_actions_own_files(
    tmp_path: Path, server: Server
) -> None:
    """The one test of the real install: pip from PyPI into a fresh venv."""
    cache = Cache()
    base = tmp_path / "job"
    action_dir = copy_action(tmp_path / "action")

    runner = Runner(base, handlers={"actions/cache": cache})
    dashboards_repo(runner.workspace, server)
    first = runner.run_action(action_dir, {"args": "validate"})
    assert first.outcome == "success", first.log()
    venv = Path(cache.calls[0]["path"])
    assert venv.parent == runner.temp and not venv.is_symlink()
    assert first.outputs["dashctl"] == str(venv / "bin" / "dashctl")
    assert f"installed from {action_dir}" in step(first, "Install dashctl").output
    # Installed, not linked: the venv holds its own copy of the package.
    (package,) = venv.glob("lib/python*/site-packages/reconciler/cli/__init__.py")
    assert package.is_file()

    # The next use in the same job finds it ready: no cache lookup, no install.
    again = runner.run_action(action_dir, {"args": "validate"})
    assert again.outcome == "success"
    assert len(cache.calls) == 1
    assert step(again, "Install dashctl").outcome == "skipped"

    # The next run (a fresh runner, same paths): restored from the cache.
    cache.save(tmp_path / "cache-store")
    shutil.rmtree(base)
    runner = Runner(base, handlers={"actions/cache": cache})
    dashboards_repo(runner.workspace, server)
    restored = runner.run_action(action_dir, {"args": "validate"})
    assert restored.outcome == "success", restored.log()
    assert "restored from the cache" in step(restored, "Install dashctl").output

    # Another version of the action (its files changed): another key, another venv.
    (action_dir / "reconciler" / "added.py").write_text("", "utf-8")
    seeded = Cache(Path(sys.prefix))
    runner = Runner(tmp_path / "next", handlers={"actions/cache": seeded})
    assert runner.run_action(action_dir, {"args": "--version"}).outcome == "success"
    assert seeded.calls[0]["key"] != cache.calls[0]["key"]


def step(result: StepResult, name: str) -> StepResult:
    (found,) = [child for child in result.children if child.name == name]
    return found
