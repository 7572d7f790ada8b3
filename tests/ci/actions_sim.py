"""A small simulated GitHub Actions runner for dashctl's action and templates.

It runs `run:` steps with bash exactly as GitHub's `shell: bash` does
(`bash --noprofile --norc -eo pipefail FILE`), with GITHUB_OUTPUT,
GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY, RUNNER_TEMP and
RUNNER_TOOL_CACHE pointing at files and folders of its own, `${{ }}`
evaluated by tests/ci/expressions.py, `if:` and step outcomes as GitHub
has them, and composite actions (this repository's action.yml) run step by
step. Third-party `uses:` steps are handed to Python handlers a test gives
(setup-python is the current interpreter, a cache is a folder, ...).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.ci.expressions import Status, condition, to_string, value_of

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
# The github context's values unless a test gives others (and `workspace`, the runner's).
GITHUB = {"event_name": "push", "repository": "acme/dashboards",
          "server_url": "https://github.com", "run_id": "4242", "sha": "0" * 40,
          "token": "ghs_simulated", "ref": "refs/heads/main", "ref_name": "main",
          "api_url": "http://127.0.0.1:9", "action_path": ""}
STEP_TIMEOUT_S = 300


@dataclass
class StepResult:
    id: str
    name: str
    outcome: str  # success | failure | skipped
    outputs: dict[str, str] = field(default_factory=dict)
    output: str = ""  # stdout and stderr as one stream, as in GitHub's log
    conclusion: str = ""  # the outcome after continue-on-error
    children: list[StepResult] = field(default_factory=list)

    def log(self) -> str:
        """Everything the step (and the steps of an action it used) printed."""
        return self.output + "".join(child.log() for child in self.children)


# A handler for a `uses:` step: (runner, with-values, step env) -> outputs, or raises StepFailed.
Handler = Callable[["Runner", dict[str, str], dict[str, str]], dict[str, str]]


class StepFailed(Exception):
    pass


def load_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text("utf-8"))
    return data


def read_key_values(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT / GITHUB_ENV file: `name=value` lines and `name<<DELIM` blocks."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    lines = iter(path.read_text("utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for item in lines:
                if item == delimiter:
                    break
                body.append(item)
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def setup_python(runner: Runner, with_: dict[str, str], env: dict[str, str]) -> dict[str, str]:
    """actions/setup-python: this interpreter stands in for the one it would install."""
    return {"python-path": sys.executable, "python-version": platform.python_version()}


@dataclass
class Runner:
    """One job's machine: a workspace, RUNNER_TEMP, a tool cache, handlers for `uses:`."""

    base: Path
    handlers: dict[str, Handler] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    path_entries: list[str] = field(default_factory=list)
    github: dict[str, Any] = field(default_factory=dict)
    local_actions: dict[str, Path] = field(default_factory=dict)  # `uses:` name -> folder
    summary_parts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for folder in (self.workspace, self.temp, self.tool_cache, self.files):
            folder.mkdir(parents=True, exist_ok=True)
        self.handlers.setdefault("actions/setup-python", setup_python)
        self.github = {"workspace": str(self.workspace), **GITHUB, **self.github}

    @property
    def workspace(self) -> Path:
        return self.base / "workspace"

    @property
    def temp(self) -> Path:
        return self.base / "runner-temp"

    @property
    def tool_cache(self) -> Path:
        return self.base / "tool-cache"

    @property
    def files(self) -> Path:
        return self.base / "runner-files"

    @property
    def summary(self) -> str:
        return "".join(self.summary_parts)

    def variables(self, step_env: Mapping[str, str]) -> dict[str, str]:
        """The process environment of a step: the runner's, the job's, then the step's."""
        path = os.pathsep.join([*reversed(self.path_entries), SYSTEM_PATH])
        return {
            "PATH": path, "HOME": str(self.base), "LANG": "C.UTF-8", "CI": "true",
            "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": str(self.temp), "RUNNER_TOOL_CACHE": str(self.tool_cache),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": str(self.github["repository"]),
            "GITHUB_SERVER_URL": str(self.github["server_url"]),
            "GITHUB_RUN_ID": str(self.github["run_id"]), "GITHUB_SHA": str(self.github["sha"]),
            "GITHUB_EVENT_NAME": str(self.github["event_name"]),
            "GITHUB_API_URL": str(self.github["api_url"]),
            **self.env, **step_env,
        }

    def contexts(self, extra: Mapping[str, Any]) -> dict[str, Any]:
        return {"github": self.github, "env": self.env,
                "runner": {"os": "Linux", "arch": "X64", "temp": str(self.temp),
                           "tool_cache": str(self.tool_cache)}, **extra}

    # --- steps ---------------------------------------------------------------------

    def run_steps(
        self, steps: list[dict[str, Any]], contexts: dict[str, Any],
        env: Mapping[str, str] | None = None,
    ) -> list[StepResult]:
        """Run steps in order as one job (or one composite action) does."""
        status = Status()
        results: list[StepResult] = []
        seen: dict[str, Any] = {}
        for number, step in enumerate(steps):
            step_id = str(step.get("id", f"__step{number}"))
            scope = {**self.contexts(contexts), "steps": seen,
                     "env": {**contexts.get("env", {}), **self.env}}  # with GITHUB_ENV's
            if not condition(step.get("if"), scope, status):
                result = StepResult(step_id, str(step.get("name", "")), "skipped")
            else:
                result = self.run_step(step_id, step, scope, dict(env or {}))
            result.conclusion = ("success" if step.get("continue-on-error")
                                 and result.outcome == "failure" else result.outcome)
            results.append(result)
            seen[step_id] = {"outputs": result.outputs, "outcome": result.outcome,
                             "conclusion": result.conclusion}
            if result.conclusion == "failure":
                status.failed = True
        return results

    def run_step(
        self, step_id: str, step: dict[str, Any], scope: dict[str, Any], env: dict[str, str],
    ) -> StepResult:
        step_env = {**env, **{k: to_string(value_of(v, scope)) for k, v in
                              (step.get("env") or {}).items()}}
        name = str(step.get("name", step.get("uses", step_id)))
        if "run" in step:
            return self.run_script(step_id, name, step, scope, step_env)
        with_ = {k: to_string(value_of(v, scope)) for k, v in (step.get("with") or {}).items()}
        uses = str(step["uses"])
        local = self.local_actions.get(uses) or self.local_actions.get(uses.split("@", 1)[0])
        handler = self.handlers.get(uses.split("@", 1)[0])
        if local is None and handler is None:
            raise KeyError(f"no handler for uses: {uses}")
        try:
            if local is not None:
                return self.run_action(local, with_, step_env, step_id=step_id, name=name)
            assert handler is not None
            return StepResult(step_id, name, "success", handler(self, with_, step_env))
        except StepFailed as failed:
            return StepResult(step_id, name, "failure", output=str(failed) + "\n")

    def run_script(
        self, step_id: str, name: str, step: dict[str, Any], scope: dict[str, Any],
        step_env: dict[str, str],
    ) -> StepResult:
        script = self.files / f"step-{step_id}.sh"
        script.write_text(str(value_of(step["run"], scope)), "utf-8")
        files = {key: self.files / f"{key.lower()}-{step_id}" for key in
                 ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
        for path in files.values():
            path.write_text("", "utf-8")
        cwd = Path(str(value_of(step.get("working-directory", str(self.workspace)), scope)))
        if not cwd.is_absolute():
            cwd = self.workspace / cwd
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd, env={**self.variables(step_env), **{k: str(v) for k, v in files.items()}},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
            timeout=STEP_TIMEOUT_S,
        )
        self.env.update(read_key_values(files["GITHUB_ENV"]))
        self.path_entries += files["GITHUB_PATH"].read_text("utf-8").split()
        self.summary_parts.append(files["GITHUB_STEP_SUMMARY"].read_text("utf-8"))
        outcome = "success" if process.returncode == 0 else "failure"
        return StepResult(step_id, name, outcome, read_key_values(files["GITHUB_OUTPUT"]),
                          process.stdout)

    # --- composite actions ---------------------------------------------------------

    def run_action(
        self, folder: Path, with_: Mapping[str, str], env: Mapping[str, str] | None = None,
        *, step_id: str = "action", name: str = "action",
    ) -> StepResult:
        """Run the composite action in ``folder`` (its action.yml) as a `uses:` step."""
        action = load_yaml(folder / "action.yml")
        assert action["runs"]["using"] == "composite"
        declared = action.get("inputs") or {}
        unknown = set(with_) - set(declared)
        assert not unknown, f"inputs the action does not declare: {sorted(unknown)}"
        inputs = {key: with_.get(key, str(spec.get("default", "")))
                  for key, spec in declared.items()}
        for key, spec in declared.items():
            if spec.get("required") and not inputs[key]:
                raise StepFailed(f"Input required and not supplied: {key}")
        saved = self.github
        self.github = {**saved, "action_path": str(folder)}
        try:
            children = self.run_steps(action["runs"]["steps"], {"inputs": inputs},
                                      {k: str(v) for k, v in (env or {}).items()})
            scope = {**self.contexts({"inputs": inputs}),
                     "steps": {c.id: {"outputs": c.outputs, "outcome": c.outcome}
                               for c in children}}
            outputs = {key: to_string(value_of(spec["value"], scope))
                       for key, spec in (action.get("outputs") or {}).items()}
        finally:
            self.github = saved
        failed = any(c.conclusion == "failure" for c in children)
        return StepResult(step_id, name, "failure" if failed else "success", outputs,
                          children=children)


def workflow_commands(log: str) -> list[str]:
    """The workflow commands GitHub would act on: those outside ::stop-commands:: blocks."""
    found, stopped_by = [], None
    for line in log.splitlines():
        if stopped_by is not None:
            if line == f"::{stopped_by}::":
                stopped_by = None
            continue
        started = re.fullmatch(r"::stop-commands::(.+)", line)
        if started:
            stopped_by = started[1]
        elif line.startswith("::"):
            found.append(line)
    return found
