"""The GitHub workflows: valid against GitHub's schema, and saying what they should.

Schema checks run the vendored schemas of check-jsonschema (no network).
The shell of the steps that matter runs here too, under the same
`bash -eo pipefail` GitHub uses for `shell: bash`, with fake `dashctl` and
`gh` commands on PATH: that is where exit codes 1 and 2 are told apart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.ci.conftest import ENVIRONMENTS, PR, REPO, TOKEN, make_repo
from tests.ci.fake_github import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("plan.yml", "apply.yml", "drift.yml", "ci.yml")
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
FAKES = Path(__file__).resolve().parent / "fakes"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load((WORKFLOWS / name).read_text("utf-8"))
    return data


def step(job: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in job["steps"] if s.get("name") == name]
    return found


def uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    (found,) = [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]
    return found


# --- schema ------------------------------------------------------------------------------


def test_the_four_workflows_exist() -> None:
    assert sorted(p.name for p in WORKFLOWS.glob("*.yml")) == sorted(NAMES)


@pytest.mark.parametrize("schema", ["vendor.github-workflows",
                                    "custom.github-workflows-require-timeout"])
@pytest.mark.parametrize("name", NAMES)
def test_valid_against_the_github_workflow_schema(name: str, schema: str) -> None:
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(WORKFLOWS / name)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- what every workflow does --------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_common_hygiene(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"]["contents"] == "read"
    assert workflow["defaults"]["run"]["shell"] == "bash"
    for job in workflow["jobs"].values():
        assert "permissions" not in job  # nothing widens the workflow's permissions
        assert job["timeout-minutes"] <= 30
        assert uses(job, "actions/checkout")["with"]["persist-credentials"] is False
        for item in job["steps"]:
            # Expressions go through env:, never into a script (no injection).
            assert "${{" not in item.get("run", "")


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml", "drift.yml"])
def test_dashctl_jobs_install_it_on_python_311(name: str) -> None:
    for job in load(name)["jobs"].values():
        assert uses(job, "actions/setup-python")["with"]["python-version"] == "3.11"
        assert step(job, "Install dashctl")["run"] == "python -m pip install ."


# --- plan.yml ---------------------------------------------------------------------------


def test_plan_runs_on_pull_requests_touching_manifests_or_schemas() -> None:
    workflow = load("plan.yml")
    assert workflow["on"] == {"pull_request": {"paths": ["dashboards/**", "schemas/**"]}}
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_plan_validates_plans_and_comments() -> None:
    (job,) = load("plan.yml")["jobs"].values()
    assert job["env"]["DASHCTL_TOKEN_STAGING"] == "${{ secrets.DASHCTL_TOKEN_STAGING }}"
    assert job["env"]["DASHCTL_TOKEN_PRODUCTION"] == "${{ secrets.DASHCTL_TOKEN_PRODUCTION }}"
    runs = [s.get("run", "") for s in job["steps"]]
    validate = runs.index("dashctl validate --format github")
    plan = runs.index('dashctl plan --env all --format markdown >> "$GITHUB_STEP_SUMMARY"'
                      " || [ $? -eq 2 ]")
    comment = step(job, "Plan comment on the pull request")
    assert validate < plan < job["steps"].index(comment)
    assert comment["run"] == 'dashctl comment --pr "$PR_NUMBER"'
    assert comment["env"] == {"GITHUB_TOKEN": "${{ github.token }}",
                              "PR_NUMBER": "${{ github.event.pull_request.number }}"}
    assert comment["if"] == "${{ !cancelled() && steps.validate.outcome == 'success' }}"


@pytest.mark.parametrize(("exit_code", "step_fails"), [(0, False), (2, False), (1, True)])
def test_plan_fails_on_errors_not_on_changes(
    tmp_path: Path, exit_code: int, step_fails: bool
) -> None:
    (job,) = load("plan.yml")["jobs"].values()
    result = run_step(tmp_path, step(job, "Plan (run summary)"), dashctl_exit=exit_code)
    assert (result.returncode != 0) is step_fails
    assert result.calls == ["dashctl plan --env all --format markdown"]
    assert "fake output of dashctl plan" in result.summary


@pytest.mark.parametrize(("exit_code", "step_fails"), [(0, False), (1, True)])
def test_plan_fails_on_validation_errors(tmp_path: Path, exit_code: int, step_fails: bool) -> None:
    (job,) = load("plan.yml")["jobs"].values()
    result = run_step(tmp_path, step(job, "Validate"), dashctl_exit=exit_code)
    assert (result.returncode != 0) is step_fails


def test_plan_job_end_to_end_with_the_real_dashctl(tmp_path: Path, github: FakeGitHub) -> None:
    """validate, plan and comment as plan.yml runs them, on two emulator environments."""
    (job,) = load("plan.yml")["jobs"].values()
    make_repo(tmp_path / "dashboards")
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url,
           "PR_NUMBER": str(PR), **job["env"]}
    names = ["Validate", "Plan (run summary)", "Plan comment on the pull request"]
    for push in range(2):
        results = [run_step(tmp_path, step(job, name), env=env, real=True) for name in names]
        assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
        summary = results[1].summary
        assert summary.startswith("<!-- dashctl:plan env=staging -->\n")
        assert "<!-- dashctl:plan env=production -->\n" in summary
        assert all(TOKEN not in r.stderr for r in results)
        outcome = "created" if push == 0 else "unchanged"
        assert results[2].stdout.splitlines() == [
            f"{name}: plan comment {outcome} on {REPO}#{PR}" for name in ENVIRONMENTS]
    assert [body.split("\n", 1)[0] for body in github.bodies(REPO, PR)] == [
        f"<!-- dashctl:plan env={name} -->" for name in ENVIRONMENTS]


# --- apply.yml --------------------------------------------------------------------------


def test_apply_runs_on_push_to_main() -> None:
    workflow = load("apply.yml")
    assert workflow["on"] == {"push": {"branches": ["main"], "paths": ["dashboards/**"]}}
    assert workflow["permissions"] == {"contents": "read"}


def test_apply_one_job_per_environment_never_two_at_once() -> None:
    jobs = load("apply.yml")["jobs"]
    assert list(jobs) == list(ENVIRONMENTS)
    for name, job in jobs.items():
        assert job["concurrency"] == {"group": f"dashctl-apply-{name}",
                                      "cancel-in-progress": False}
        assert job["environment"] == name
        token = f"DASHCTL_TOKEN_{name.upper()}"
        # Each job sees its own environment's token and no other.
        assert job["env"] == {"DASHCTL_ENV": name, token: f"${{{{ secrets.{token} }}}}",
                              "NO_COLOR": "1"}
        upload = uses(job, "actions/upload-artifact")
        assert upload["uses"] == "actions/upload-artifact@v4"
        assert upload["if"] == "always()"
        assert upload["with"]["path"] == f"backups/{name}/"
        assert upload["with"]["name"] == f"dashctl-backups-{name}"
    assert jobs["production"]["environment"] == "production"
    assert jobs["production"]["needs"] == "staging"
    assert step(jobs["staging"], "Apply") == step(jobs["production"], "Apply")


@pytest.mark.parametrize("exit_code", [0, 1])
def test_apply_step_writes_the_summary_and_keeps_the_exit_code(
    tmp_path: Path, exit_code: int
) -> None:
    job = load("apply.yml")["jobs"]["production"]
    result = run_step(tmp_path, step(job, "Apply"), env=job["env"], dashctl_exit=exit_code)
    assert result.returncode == exit_code
    assert result.calls == [
        "dashctl apply --env production --auto-approve --backup-dir backups/production"]
    assert result.summary == (
        "### dashctl apply: production\n```\n"
        "fake output of dashctl apply\nprogress on stderr\n```\n"
    )


# --- drift.yml --------------------------------------------------------------------------


def test_drift_runs_nightly_and_by_hand_over_a_matrix() -> None:
    workflow = load("drift.yml")
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    assert len(workflow["on"]["schedule"][0]["cron"].split()) == 5
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}
    (job,) = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["environment"] == list(ENVIRONMENTS)
    assert job["strategy"]["fail-fast"] is False
    assert "environment" not in job  # nightly reads never wait for a production approval
    upload = uses(job, "actions/upload-artifact")
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "reports/"
    assert step(job, "Fail on a drift error")["if"] == (
        "${{ steps.drift.outputs.code != '0' && steps.drift.outputs.code != '2' }}")


@pytest.mark.parametrize("exit_code", [0, 1, 2])
def test_drift_step_never_fails_and_records_the_exit_code(tmp_path: Path, exit_code: int) -> None:
    (job,) = load("drift.yml")["jobs"].values()
    result = run_step(tmp_path, step(job, "Drift"), env={"DASHCTL_ENV": "staging"},
                      dashctl_exit=exit_code)
    assert result.returncode == 0
    assert result.calls == ["dashctl drift --env staging --report-dir reports"]
    assert result.outputs == f"code={exit_code}\n"
    assert result.summary == "# drift report staging\n"


DRIFT_TITLE = "Dashboard drift: staging"


def issue(number: int, title: str = DRIFT_TITLE, label: str = "dashctl-drift") -> dict[str, Any]:
    return {"number": number, "title": title, "labels": [label], "state": "open", "body": ""}


@pytest.mark.parametrize(
    ("code", "issues", "expected"),
    [
        # drift, no issue yet: the label is made sure of, one issue opened
        ("2", [issue(3, "Dashboard drift: production")],
         ["label create dashctl-drift", "issue create 'Dashboard drift: staging'"]),
        # drift again: the open issue gets the latest report
        ("2", [issue(4, "Dashboard drift: production"), issue(5)], ["issue edit 5"]),
        # back in sync: the issue is closed
        ("0", [issue(6)], ["issue close 6"]),
        # in sync and no issue: nothing to do
        ("0", [issue(7, "Dashboard drift: staging-eu")], []),
        # an error is not "in sync": the issue stays open
        ("1", [issue(8)], []),
        # an issue with the same title but not ours is not touched
        ("0", [issue(9, label="bug")], []),
    ],
)
def test_drift_issue_is_opened_updated_and_closed(
    tmp_path: Path, code: str, issues: list[dict[str, Any]], expected: list[str]
) -> None:
    (job,) = load("drift.yml")["jobs"].values()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "drift-staging.md").write_text("# staging drifted\n", "utf-8")
    state = tmp_path / "gh.json"
    state.write_text(json.dumps({"issues": issues, "calls": []}), "utf-8")
    env = {"DASHCTL_ENV": "staging", "DRIFT_CODE": code, "FAKE_GH_STATE": str(state),
           "RUN_URL": "https://github.com/acme/dashboards/actions/runs/1"}
    result = run_step(tmp_path, step(job, "Open, update or close the drift issue"), env=env)
    assert result.returncode == 0, result.stderr
    after = json.loads(state.read_text("utf-8"))
    assert [c for c in after["calls"] if not c.startswith("issue list")] == expected
    if expected and expected[-1].startswith(("issue create", "issue edit")):
        (ours,) = [i for i in after["issues"] if i["title"] == DRIFT_TITLE and i["state"] == "open"]
        assert ours["labels"] == ["dashctl-drift"]
        assert ours["body"].startswith("# staging drifted\n")
        assert "https://github.com/acme/dashboards/actions/runs/1" in ours["body"]
        assert "dashctl pull --env staging" in ours["body"]


# --- ci.yml -----------------------------------------------------------------------------


def test_ci_runs_the_projects_own_checks() -> None:
    workflow = load("ci.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    (job,) = workflow["jobs"].values()
    assert step(job, "Tests, ruff and mypy")["run"] == "bash .ci/run"
    # .ci/run installs Debian's chromium as root: a Debian container gives it both.
    assert job["container"] == "python:${{ matrix.python-version }}-bookworm"
    assert "3.11" in job["strategy"]["matrix"]["python-version"]
    assert (ROOT / ".ci" / "run").is_file()


# --- running a step ------------------------------------------------------------------------


class StepResult:
    def __init__(self, process: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
        self.returncode = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        log = tmp_path / "calls.log"
        self.calls = log.read_text("utf-8").splitlines() if log.exists() else []
        self.summary = (tmp_path / "summary.md").read_text("utf-8")
        self.outputs = (tmp_path / "outputs.txt").read_text("utf-8")


def run_step(
    tmp_path: Path, item: dict[str, Any], *, env: dict[str, str] | None = None,
    dashctl_exit: int = 0, real: bool = False,
) -> StepResult:
    """Run one step's script as GitHub's `shell: bash` does.

    Fake `dashctl` and `gh` come first on PATH, or with ``real`` the
    installed dashctl (this interpreter's scripts).
    """
    for name in ("summary.md", "outputs.txt"):
        (tmp_path / name).write_text("", "utf-8")
    script = tmp_path / "step.sh"
    script.write_text(item["run"], "utf-8")
    variables = {
        "PATH": f"{Path(sys.executable).parent if real else FAKES}{os.pathsep}{os.environ['PATH']}",
        "FAKE_PYTHON": sys.executable,
        "FAKE_EXIT": str(dashctl_exit),
        "FAKE_LOG": str(tmp_path / "calls.log"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "outputs.txt"),
        **{k: str(v) for k, v in (env or {}).items()},
    }
    process = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=tmp_path, env=variables, capture_output=True, text=True, check=False, timeout=60,
    )
    return StepResult(process, tmp_path)
