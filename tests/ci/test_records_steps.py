"""The templates' git steps, run as they are on the simulated runner against a real git remote.

Each test checks out a bare `origin` (tests/ci/git_sim.py) shallow, as
actions/checkout does, then runs the very steps of the templates: the fetch
of the applied records, the push after apply (a Python stand-in writes the
records dashctl would, and another writer may move the remote ref
meanwhile), the selection of the environments to adopt, and the adopt step
with the fake `gh` and the fake GitHub's pull requests. No dashctl and no API
here: tests/ci/test_templates_run.py runs whole workflows.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.ci.actions_sim import Runner, StepFailed, StepResult, load_yaml, workflow_commands
from tests.ci.conftest import REPO, TOKEN
from tests.ci.fake_pulls import FakeGitHubWithPulls
from tests.ci.git_sim import RECORDS, Origin, checkout, git, write_records

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "examples" / "workflows"
FAKES = Path(__file__).resolve().parent / "fakes"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
BASE_RECORDS = "".join(f"{{\"id\":\"dash_{c}\",\"v\":1}}\n" for c in "abcdef")

Apply = Callable[[Runner], object]


def template_step(template: str, job: str, name: str) -> dict[str, Any]:
    steps = load_yaml(TEMPLATES / template)["jobs"][job]["steps"]
    (found,) = [s for s in steps if s.get("name") == name]
    return found


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    """The dashboards repository on "GitHub": two commits on main."""
    origin = Origin.create(tmp_path / "origin.git")
    files = tmp_path / "files"
    (files / "dashboards" / "staging").mkdir(parents=True)
    (files / "dashboards" / "environments.yaml").write_text("environments: {}\n", "utf-8")
    origin.publish(files, "first")
    (files / "dashboards" / "staging" / "growth.yaml").write_text(
        "name: Growth\ntiles: []  # a comment\n", "utf-8")
    origin.publish(files, "second")
    return origin


def runner_for(tmp_path: Path, origin: Origin, name: str = "job",
               api_url: str = "http://127.0.0.1:9") -> Runner:
    runner = Runner(tmp_path / name, github={"repository": REPO, "token": TOKEN,
                                             "api_url": api_url})
    checkout(origin)(runner, {"persist-credentials": "false"}, {})
    return runner


def run(runner: Runner, steps: list[dict[str, Any]], matrix: dict[str, Any] | None = None,
        needs: dict[str, Any] | None = None) -> list[StepResult]:
    contexts = {"matrix": matrix or {}, "needs": needs or {}, "secrets": {}, "env": {}}
    return runner.run_steps(steps, contexts, {})


def local(runner: Runner, *args: str) -> str:
    return git(runner.workspace, *args)


# --- the fetch of the records: every job that plans, applies, drifts or pulls -------------------

FETCH = template_step("dashboards-apply.yml", "plan", "Fetch the applied records")


def test_a_repository_without_records_yet_fetches_nothing_and_goes_on(
    tmp_path: Path, origin: Origin
) -> None:
    runner = runner_for(tmp_path, origin)
    (fetched,) = run(runner, [FETCH])
    assert fetched.outcome == "success", fetched.output
    assert "0 record ref(s) fetched" in fetched.output
    assert local(runner, "for-each-ref", RECORDS) == ""


def test_the_records_come_whole_after_a_shallow_checkout(tmp_path: Path, origin: Origin) -> None:
    parent = None
    for version in range(3):
        parent = origin.write_records("staging", {"records.jsonl": f"v{version}\n"}, parent)
    origin.write_records("tenants/proj_acme", {"records.jsonl": "member\n"}, None)
    runner = runner_for(tmp_path, origin)
    assert local(runner, "rev-parse", "--is-shallow-repository") == "true"

    (fetched,) = run(runner, [FETCH])
    assert fetched.outcome == "success", fetched.output
    assert "2 record ref(s) fetched" in fetched.output
    assert local(runner, "rev-list", "--count", f"{RECORDS}staging") == "3"  # its whole history
    assert local(runner, "show", f"{RECORDS}tenants/proj_acme:records.jsonl") == "member"
    assert local(runner, "rev-list", "--count", "HEAD") == "1"  # the branch stays shallow
    assert local(runner, "config", "--list", "--local").count("extraheader") == 0


# --- the push after apply ------------------------------------------------------------------------

PUSH = template_step("dashboards-apply.yml", "apply", "Push the applied records")


def apply_then_push(runner: Runner, apply: Apply) -> list[StepResult]:
    """The apply job's fetch, an apply (``apply`` plays dashctl), then the push."""
    def handler(runner: Runner, with_: dict[str, str], env: dict[str, str]) -> dict[str, str]:
        apply(runner)
        return {}
    runner.handlers["test/apply"] = handler
    return run(runner, [FETCH, {"name": "Apply", "id": "apply", "uses": "test/apply"}, PUSH],
               {"name": "staging", "slug": "staging"})


def records_on_top(runner: Runner, env: str, content: str) -> str:
    """What dashctl apply does: one commit on the environment's ref, its parent the fetched."""
    parent = git(runner.workspace, "rev-parse", "--verify", "--quiet", f"{RECORDS}{env}",
                 check=False) or None
    return write_records(runner.workspace, env, {"records.jsonl": content}, parent)


def test_the_apply_job_pushes_only_the_refs_its_apply_moved(tmp_path: Path, origin: Origin) -> None:
    staging = origin.write_records("staging", {"records.jsonl": BASE_RECORDS}, None)
    production = origin.write_records("production", {"records.jsonl": BASE_RECORDS}, None)
    runner = runner_for(tmp_path, origin)
    made: dict[str, str] = {}

    def apply(runner: Runner) -> None:
        made["staging"] = records_on_top(runner, "staging", BASE_RECORDS + "{\"id\":\"dash_g\"}\n")
        made["member"] = records_on_top(runner, "tenants/proj_acme", "{\"id\":\"dash_a\"}\n")
        # production's ref moved on GitHub meanwhile, not here: not this job's to push
        origin.write_records("production", {"records.jsonl": "other\n"}, production)

    _, _, push = apply_then_push(runner, apply)
    assert push.outcome == "success", push.output
    assert origin.refs() == {f"{RECORDS}staging": made["staging"],
                             f"{RECORDS}tenants/proj_acme": made["member"],
                             f"{RECORDS}production": origin.log(f"{RECORDS}production")[0]}
    assert origin.log(f"{RECORDS}staging")[1] == staging  # a fast-forward
    assert origin.show(f"{RECORDS}production", "records.jsonl") == "other"
    assert f"pushed {RECORDS}staging" in push.output
    assert f"{RECORDS}production" not in push.output
    assert runner.summary == ""


def test_an_apply_that_recorded_nothing_pushes_nothing(tmp_path: Path, origin: Origin) -> None:
    origin.write_records("staging", {"records.jsonl": BASE_RECORDS}, None)
    runner = runner_for(tmp_path, origin)
    before = origin.refs()
    _, _, push = apply_then_push(runner, lambda runner: None)
    assert push.outcome == "success"
    assert "No new records to push." in push.output
    assert origin.refs() == before


def test_records_are_pushed_after_an_apply_that_failed_part_way(
    tmp_path: Path, origin: Origin
) -> None:
    runner = runner_for(tmp_path, origin)
    made: list[str] = []

    def apply(runner: Runner) -> None:
        made.append(records_on_top(runner, "staging", "{\"id\":\"dash_a\"}\n"))
        raise StepFailed("dashctl apply exited with code 1")  # after recording what it did

    _, applied, push = apply_then_push(runner, apply)
    assert applied.outcome == "failure"
    assert push.outcome == "success", push.output
    assert origin.refs() == {f"{RECORDS}staging": made[0]}


def test_a_ref_another_apply_moved_is_merged_onto_and_pushed_again(
    tmp_path: Path, origin: Origin
) -> None:
    base = origin.write_records("staging", {"records.jsonl": BASE_RECORDS}, None)
    runner = runner_for(tmp_path, origin)
    theirs: list[str] = []

    def apply(runner: Runner) -> None:
        records_on_top(runner, "staging", BASE_RECORDS.replace('_e","v":1', '_e","v":2'))
        # another apply of staging (someone's laptop) pushed first: another dashboard
        theirs.append(origin.write_records("staging", {
            "records.jsonl": BASE_RECORDS.replace('_b","v":1', '_b","v":3'),
            "notes.txt": "a later format's entry\n"}, base))

    _, _, push = apply_then_push(runner, apply)
    assert push.outcome == "success", push.output
    assert "[rejected]" in push.output
    assert f"{RECORDS}staging: merged onto the records another apply pushed meanwhile" \
        in push.output
    tip = origin.log(f"{RECORDS}staging", "%H %P %ae")[0].split()
    assert tip[1:] == [theirs[0], "dashctl@localhost"]  # on top of theirs, no identity needed
    merged = origin.records("staging")
    assert '{"id":"dash_b","v":3}' in merged and '{"id":"dash_e","v":2}' in merged
    assert len(merged) == 6
    assert origin.show(f"{RECORDS}staging", "notes.txt") == "a later format's entry"
    assert runner.summary == ""


@pytest.mark.parametrize("first_apply", [False, True],
                         ids=["the same dashboard", "two first applies"])
def test_records_that_cannot_be_merged_stay_as_the_other_apply_pushed_them(
    tmp_path: Path, origin: Origin, first_apply: bool
) -> None:
    base = None if first_apply else origin.write_records(
        "staging", {"records.jsonl": BASE_RECORDS}, None)
    runner = runner_for(tmp_path, origin)
    theirs: list[str] = []

    def apply(runner: Runner) -> None:
        records_on_top(runner, "staging", BASE_RECORDS.replace('_c","v":1', '_c","v":2'))
        theirs.append(origin.write_records(
            "staging", {"records.jsonl": BASE_RECORDS.replace('_c","v":1', '_c","v":9')}, base))

    _, _, push = apply_then_push(runner, apply)
    assert push.outcome == "success", push.output  # the dashboards were applied
    assert origin.refs() == {f"{RECORDS}staging": theirs[0]}  # never forced over
    (warning,) = [c for c in workflow_commands(push.output) if c.startswith("::warning")]
    assert warning.startswith(f"::warning title=Applied records not pushed::{RECORDS}staging: "
                              "another apply pushed records meanwhile that these do not merge "
                              "with")
    assert "> [!WARNING]" in runner.summary and f"`{RECORDS}staging:" in runner.summary


def test_a_push_github_refuses_fails_the_step_and_says_why(
    tmp_path: Path, origin: Origin
) -> None:
    origin.hook("pre-receive", "echo 'permission denied: contents: read' >&2\nexit 1\n")
    runner = runner_for(tmp_path, origin)
    _, _, push = apply_then_push(runner, lambda runner: records_on_top(runner, "staging", "x\n"))
    assert push.outcome == "failure"
    assert origin.refs() == {}
    assert any(c.startswith(f"::error title=Applied records not pushed::{RECORDS}staging")
               for c in workflow_commands(push.output))
    assert "> [!CAUTION]" in runner.summary and "contents: write" in runner.summary


# --- which environments are adopted --------------------------------------------------------------

NEEDS_JQ = pytest.mark.skipif(shutil.which("jq") is None, reason="the step uses jq")


def report(name: str, status: str, *causes: str) -> dict[str, Any]:
    drifted = [{"dashboard": f"Board {n}", "id": f"dash_{n}", "renamed": False, "cause": cause,
                "tiles": {"added": [], "changed": ["dau"], "removed": []}}
               for n, cause in enumerate(causes)]
    return {"formatVersion": 1, "environments": [
        {"name": name, "status": status, "drifted": drifted, "missing": [], "unmanaged": [],
         "errors": ["boom"] if status == "error" else []}]}


@NEEDS_JQ
def test_only_environments_with_edits_made_outside_git_are_adopted(
    tmp_path: Path, origin: Origin
) -> None:
    reports = {"staging": report("staging", "drifted", "git", "outside"),
               "production": report("production", "drifted", "git", "unknown"),
               "qa": report("qa", "drifted", "both"),
               "dev": report("dev", "in_sync"),
               "broken": report("broken", "error", "outside"),
               "tenants__proj_a": report("tenants/proj_a", "drifted", "outside")}
    runner = Runner(tmp_path / "outside")
    for slug, content in reports.items():
        folder = runner.workspace / "reports" / f"dashctl-drift-{slug}"
        folder.mkdir(parents=True)
        (folder / f"drift-{slug}.json").write_text(json.dumps(content), "utf-8")
    environments = [{"name": r["environments"][0]["name"], "slug": slug, "token_env": "T"}
                    for slug, r in reports.items()] + [{"name": "unread", "slug": "unread"}]
    step = template_step("dashboards-drift.yml", "outside",
                         "Environments with edits made outside git")
    (selected,) = run(runner, [step], needs={"environments": {
        "outputs": {"environments": json.dumps(environments)}}})
    assert selected.outcome == "success", selected.output
    chosen = json.loads(selected.outputs["environments"])
    assert [e["name"] for e in chosen] == ["staging", "qa", "tenants/proj_a"]
    assert chosen[2] == {"name": "tenants/proj_a", "slug": "tenants__proj_a", "token_env": "T"}


@NEEDS_JQ
def test_no_reports_no_adoption(tmp_path: Path) -> None:
    runner = Runner(tmp_path / "outside")
    step = template_step("dashboards-drift.yml", "outside",
                         "Environments with edits made outside git")
    (selected,) = run(runner, [step], needs={"environments": {
        "outputs": {"environments": '[{"name": "staging", "slug": "staging"}]'}}})
    assert selected.outcome == "success", selected.output
    assert selected.outputs["environments"] == "[]"


# --- the adopt step: a branch and one pull request per environment --------------------------------

ADOPT = template_step("dashboards-drift.yml", "adopt", "Open or update the pull request")
MANIFEST = "dashboards/staging/growth.yaml"


def adopt(tmp_path: Path, origin: Origin, github: FakeGitHubWithPulls, night: int,
          edit: str | None, env: tuple[str, str] = ("staging", "staging")) -> StepResult:
    """One night's adopt job: checkout, `pull` (``edit`` written into the manifest, or
    nothing), the drift report in RUNNER_TEMP, then the template's step."""
    github.origin = origin
    runner = runner_for(tmp_path, origin, f"night-{night}", api_url=github.url)
    runner.github["run_id"] = str(night)
    runner.path_entries.append(str(FAKES))
    runner.env["FAKE_PYTHON"] = sys.executable
    if edit is not None:
        (runner.workspace / MANIFEST).write_text(edit, "utf-8")
    name, slug = env
    report = runner.temp / "dashctl-drift" / f"drift-{slug}.md"
    report.parent.mkdir(parents=True)
    report.write_text(f"### Drift: `{name}`, night {night}\n", "utf-8")
    (step,) = run(runner, [ADOPT], {"name": name, "slug": slug})
    assert git(runner.workspace, "config", "--get-regexp", "^user\\.", check=False) == ""
    return step


@pytest.mark.parametrize("env", [("staging", "staging"),
                                 ("tenants/proj_acme", "tenants__proj_acme")])
def test_adopt_commits_as_the_bot_and_opens_one_pull_request(
    tmp_path: Path, origin: Origin, github_pulls: FakeGitHubWithPulls, env: tuple[str, str]
) -> None:
    step = adopt(tmp_path, origin, github_pulls, 1, "name: Growth\ntiles: [dau]\n", env)
    assert step.outcome == "success", step.output
    branch = f"refs/heads/dashctl/adopt/{env[1]}"
    (commit,) = origin.log(f"refs/heads/main..{branch}", "%P|%an|%ae|%cn|%ce|%s")
    parent, *names, subject = commit.split("|")
    assert parent == origin.rev("refs/heads/main")  # onto the branch the drift ran on
    assert names == ["github-actions[bot]", BOT_EMAIL] * 2
    assert subject == f"Adopt the dashboards edited outside git in {env[0]}"
    assert git(origin.path, "diff", "--name-only", "refs/heads/main", branch) == MANIFEST
    (pull,) = github_pulls.pulls
    assert (pull["head"]["ref"], pull["base"]["ref"]) == (f"dashctl/adopt/{env[1]}", "main")
    assert pull["title"] == f"Adopt the outside edits of {env[0]}"
    assert pull["body"].startswith(f"### Drift: `{env[0]}`, night 1\n")
    assert "actions/runs/1" in pull["body"]


def test_adopt_keeps_one_branch_and_one_pull_request_night_after_night(
    tmp_path: Path, origin: Origin, github_pulls: FakeGitHubWithPulls
) -> None:
    assert adopt(tmp_path, origin, github_pulls, 1, "name: Growth\ntiles: [dau]\n").outcome \
        == "success"
    branch = "refs/heads/dashctl/adopt/staging"
    first = origin.rev(branch)

    same = adopt(tmp_path, origin, github_pulls, 2, "name: Growth\ntiles: [dau]\n")
    assert same.outcome == "success", same.output
    assert "dashctl/adopt/staging already holds these edits: not pushed again." in same.output
    assert origin.rev(branch) == first
    (pull,) = github_pulls.pulls
    assert pull["edits"] == 1 and "night 2" in pull["body"]

    other = adopt(tmp_path, origin, github_pulls, 3, "name: Growth\ntiles: [dau, wau]\n")
    assert other.outcome == "success", other.output
    assert origin.rev(branch) != first
    assert origin.log(f"refs/heads/main..{branch}", "%P") == [origin.rev("refs/heads/main")]
    assert "wau" in origin.show(branch, MANIFEST)
    (pull,) = github_pulls.pulls
    assert pull["edits"] == 2 and "night 3" in pull["body"]


def test_a_pull_that_changed_no_manifest_adopts_nothing(
    tmp_path: Path, origin: Origin, github_pulls: FakeGitHubWithPulls
) -> None:
    step = adopt(tmp_path, origin, github_pulls, 1, None)
    assert step.outcome == "success", step.output
    assert "dashctl pull changed no manifest of staging: nothing to adopt." in step.output
    assert origin.rev("refs/heads/dashctl/adopt/staging") is None
    assert github_pulls.requests == [] and github_pulls.pulls == []


def test_a_branch_someone_committed_to_is_left_alone(
    tmp_path: Path, origin: Origin, github_pulls: FakeGitHubWithPulls
) -> None:
    assert adopt(tmp_path, origin, github_pulls, 1, "name: Growth\ntiles: [dau]\n").outcome \
        == "success"
    branch = "refs/heads/dashctl/adopt/staging"
    clone = tmp_path / "reviewer"
    git(tmp_path, "clone", "--quiet", "--branch", "dashctl/adopt/staging", origin.url, str(clone))
    (clone / MANIFEST).write_text("name: Growth\ntiles: [dau]  # reviewed\n", "utf-8")
    git(clone, "-c", "user.name=Reviewer", "-c", "user.email=reviewer@example.com",
        "commit", "--quiet", "--all", "-m", "Review")
    git(clone, "push", "--quiet", "origin", "HEAD")
    theirs = origin.rev(branch)

    step = adopt(tmp_path, origin, github_pulls, 2, "name: Growth\ntiles: [mau]\n")
    assert step.outcome == "success", step.output
    assert origin.rev(branch) == theirs
    assert any(c.startswith("::warning title=Outside edits of staging not adopted::")
               for c in workflow_commands(step.output))
    (pull,) = github_pulls.pulls
    assert pull["edits"] == 0
