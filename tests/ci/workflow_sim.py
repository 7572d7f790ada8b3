"""Whole workflows on the simulated runner: jobs in `needs` order, matrices, artifacts.

Each job (each matrix leg) gets a fresh Runner, as on GitHub; job `if:`,
`outputs:`, `needs.<job>.result`, `strategy.job-total`, `environment:` and
`concurrency:` are evaluated as GitHub does. Handlers stand in for the
third-party actions: checkout copies a repository folder into the
workspace, upload/download-artifact use a folder per artifact name.
"""

from __future__ import annotations

import fnmatch
import itertools
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.ci.actions_sim import GITHUB, Handler, Runner, StepFailed, StepResult, load_yaml
from tests.ci.expressions import Status, condition, to_string, value_of


@dataclass
class Leg:
    """One run of a job (one matrix combination)."""

    job: str
    name: str
    matrix: dict[str, Any]
    result: str  # success | failure | skipped
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    environment: str | None = None
    concurrency: str | None = None
    summary: str = ""

    def step(self, name: str) -> StepResult:
        (found,) = [s for s in self.steps if s.name == name]
        return found

    def log(self) -> str:
        return "".join(s.log() for s in self.steps)


def artifact_url(name: str) -> str:
    """Where GitHub would show the artifact ``name`` (upload-artifact's `artifact-url`)."""
    return f"https://github.com/acme/dashboards/actions/runs/1/artifacts/{name}"


@dataclass
class Artifacts:
    """upload-artifact and download-artifact over one folder (one per workflow run)."""

    root: Path

    def upload(
        self, runner: Runner, with_: dict[str, str], env: dict[str, str]
    ) -> dict[str, str]:
        name, source = with_["name"], runner.workspace / with_["path"]
        target = self.root / name
        if target.exists() and with_.get("overwrite") != "true":
            raise StepFailed(f"an artifact named {name} already exists")
        if not source.exists() or (source.is_dir() and not any(source.iterdir())):
            if with_.get("if-no-files-found", "warn") == "error":
                raise StepFailed(f"no files were found at {with_['path']}")
            return {}
        shutil.rmtree(target, ignore_errors=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.mkdir(parents=True)
            shutil.copy2(source, target / source.name)
        return {"artifact-id": name, "artifact-url": artifact_url(name)}

    def download(
        self, runner: Runner, with_: dict[str, str], env: dict[str, str]
    ) -> dict[str, str]:
        destination = runner.workspace / with_.get("path", ".")
        if with_.get("name"):
            source = self.root / with_["name"]
            if not source.is_dir():
                raise StepFailed(f"Artifact not found for name: {with_['name']}")
            shutil.copytree(source, destination, dirs_exist_ok=True)
        else:
            for found in sorted(self.root.iterdir()) if self.root.is_dir() else []:
                if fnmatch.fnmatch(found.name, with_.get("pattern", "*")):
                    shutil.copytree(found, destination / found.name, dirs_exist_ok=True)
        return {"download-path": str(destination)}


def checkout(repository: Path) -> Handler:
    """actions/checkout: the repository's files in the workspace."""
    def handler(runner: Runner, with_: dict[str, str], env: dict[str, str]) -> dict[str, str]:
        assert with_.get("persist-credentials") == "false"
        shutil.copytree(repository, runner.workspace, dirs_exist_ok=True)
        return {}
    return handler


@dataclass
class Workflow:
    path: Path
    base: Path
    github: dict[str, Any]
    secrets: dict[str, str]
    local_actions: dict[str, Path]
    handlers: dict[str, Handler]
    prepare: Callable[[Runner], None] = lambda runner: None  # e.g. PATH for a fake gh
    env_overrides: dict[str, str] = field(default_factory=dict)  # over the YAML's env:
    legs: dict[str, list[Leg]] = field(default_factory=dict)

    def run(self) -> dict[str, list[Leg]]:
        workflow = load_yaml(self.path)
        jobs: dict[str, Any] = workflow["jobs"]
        done: dict[str, Any] = {}
        while len(done) < len(jobs):
            ready = [name for name, job in jobs.items() if name not in done
                     and all(n in done for n in needs_of(job))]
            assert ready, "a cycle in needs"
            for name in ready:
                self.legs[name] = self.run_job(name, jobs[name], workflow, done)
                done[name] = summarize(self.legs[name])
        return self.legs

    def run_job(self, name: str, job: dict[str, Any], workflow: dict[str, Any],
                done: Mapping[str, Any]) -> list[Leg]:
        needs = {n: done[n] for n in needs_of(job)}
        base = {"github": {**GITHUB, **self.github}, "needs": needs, "vars": {}, "inputs": {}}
        status = Status(failed=any(n["result"] != "success" for n in needs.values()))
        if not condition(job.get("if"), base, status):
            return [Leg(name, name, {}, "skipped")]
        legs = []
        combinations = expand(job.get("strategy", {}).get("matrix"), base)
        for number, matrix in enumerate(combinations):
            strategy = {"job-index": number, "job-total": len(combinations)}
            scope = {**base, "matrix": matrix, "strategy": strategy}
            legs.append(self.run_leg(name, job, workflow, scope))
        return legs

    def run_leg(self, name: str, job: dict[str, Any], workflow: dict[str, Any],
                scope: dict[str, Any]) -> Leg:
        leg_name = str(value_of(job.get("name", name), scope))
        folder = self.base / "jobs" / leg_name.replace("/", "_").replace(" ", "_")
        runner = Runner(folder, handlers=dict(self.handlers), github=dict(self.github),
                        local_actions=self.local_actions)
        self.prepare(runner)
        env = {k: to_string(value_of(v, scope)) for k, v in
               {**(workflow.get("env") or {}), **(job.get("env") or {})}.items()}
        env |= self.env_overrides
        contexts = {**scope, "secrets": self.secrets, "env": env}
        steps = runner.run_steps(job["steps"], contexts, env)
        seen = {s.id: {"outputs": s.outputs, "outcome": s.outcome} for s in steps}
        outputs = {k: to_string(value_of(v, {**contexts, "steps": seen}))
                   for k, v in (job.get("outputs") or {}).items()}
        concurrency = job.get("concurrency")
        return Leg(
            name, leg_name, dict(scope["matrix"]),
            "failure" if any(s.conclusion == "failure" for s in steps) else "success",
            steps, outputs,
            environment=(str(value_of(job["environment"], scope))
                         if "environment" in job else None),
            concurrency=(str(value_of(concurrency["group"], scope))
                         if isinstance(concurrency, dict) else None),
            summary=runner.summary,
        )


def needs_of(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def summarize(legs: list[Leg]) -> dict[str, Any]:
    """needs.<job>: outputs (the last leg that set each wins, as on GitHub) and result."""
    results = {leg.result for leg in legs}
    result = ("failure" if "failure" in results else
              "skipped" if results == {"skipped"} else "success")
    outputs: dict[str, str] = {}
    for leg in legs:
        outputs.update({k: v for k, v in leg.outputs.items() if v})
    return {"result": result, "outputs": outputs}


def expand(matrix: Any, scope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A strategy.matrix as its list of combinations ([{}] without one)."""
    if matrix is None:
        return [{}]
    matrix = value_of(matrix, scope)
    values = {k: value_of(v, scope) for k, v in matrix.items()}
    include = values.pop("include", None) or []
    keys = list(values)
    combinations = [dict(zip(keys, combo, strict=True))
                    for combo in itertools.product(*(values[k] for k in keys))] if keys else []
    return combinations + [dict(item) for item in include]
