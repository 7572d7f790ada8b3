"""The workflow templates, action.yml and dashctl's own workflows, read against SPEC §5.

Schemas: GitHub's workflow and action schemas as check-jsonschema vendors them
(no network). Then the conventions, each checked on every template: explicit
least permissions per job, third-party actions pinned to a commit, secrets
only in the steps that use them, no `${{ }}` inside a script, matrices from
`dashctl envs --format json`, and for applies a GitHub environment, one
concurrency group per environment, `apply --plan`, `--allow-delete` only
where prune is on.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ci.actions_sim import load_yaml
from tests.ci.workflow_sim import needs_of

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "examples" / "workflows"
OWN = ROOT / ".github" / "workflows"
TEMPLATE_NAMES = ("dashboards-plan.yml", "dashboards-apply.yml", "dashboards-drift.yml",
                  "dashboards-fleet.yml")
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
ACTION = "your-org/dashctl@v0"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+\s*$")

# The least each job needs, by what its steps do. Writing to the repository: only
# the apply jobs (their applied records) and the adopt job (its branch and pull request).
PERMISSIONS = {
    "dashboards-plan.yml": {"validate": {"contents": "read"},
                            "plan": {"contents": "read", "pull-requests": "write"}},
    "dashboards-apply.yml": {"environments": {"contents": "read"}, "plan": {"contents": "read"},
                             "collect": {}, "apply": {"contents": "write"}},
    "dashboards-drift.yml": {"environments": {"contents": "read"},
                             "drift": {"contents": "read", "issues": "write"},
                             "outside": {},
                             "adopt": {"contents": "write", "pull-requests": "write"}},
    "dashboards-fleet.yml": {"plan": {"contents": "read"}, "collect": {},
                             "apply": {"contents": "write"}},
}
# The commands that read the applied records (SPEC §7), so must have them fetched first.
READ_RECORDS = ("plan", "apply", "drift", "pull")
FETCH_RECORDS = "git fetch --no-tags origin '+refs/dashctl/applied/*:refs/dashctl/applied/*'"
BOT = "41898282+github-actions[bot]@users.noreply.github.com"


def template(name: str) -> dict[str, Any]:
    return load_yaml(TEMPLATES / name)


def steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_name, job in workflow["jobs"].items():
        for item in job["steps"]:
            yield job_name, item


def dashctl_args(item: dict[str, Any]) -> list[str]:
    """The words of a dashctl step's `args` ([] for any other step)."""
    if item.get("uses") not in (ACTION, "./"):
        return []
    return shlex.split(" ".join(str(item["with"]["args"]).split()))


def command(item: dict[str, Any]) -> str:
    words = [w for w in dashctl_args(item) if not w.startswith("-")]
    return words[0] if words else ""


def named(job: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in job["steps"] if s.get("name") == name]
    return found


def position(job: dict[str, Any], name: str) -> int:
    return job["steps"].index(named(job, name))


def git_commands(script: str) -> list[str]:
    """The git command lines of a script, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [m.group(0) for m in re.finditer(r"\bgit (?:-c \S+ )*[a-z-]+[^\n;|)]*", joined)]


# --- (a) schemas ---------------------------------------------------------------------------


def check(schema: str, *files: Path) -> None:
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, files)],
        capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_templates_are_the_four_of_spec_5() -> None:
    assert sorted(p.name for p in TEMPLATES.glob("*.yml")) == sorted(TEMPLATE_NAMES)
    assert sorted(p.name for p in OWN.glob("*.yml")) == ["ci.yml", "self-test.yml"]


@pytest.mark.parametrize("schema", ["vendor.github-workflows",
                                    "custom.github-workflows-require-timeout"])
def test_every_workflow_validates(schema: str) -> None:
    check(schema, *sorted(TEMPLATES.glob("*.yml")), *sorted(OWN.glob("*.yml")))


def test_the_action_validates() -> None:
    check("vendor.github-actions", ROOT / "action.yml")


# --- (b) conventions, template by template ----------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_permissions_are_explicit_and_least_per_job(name: str) -> None:
    workflow = template(name)
    assert workflow["permissions"] == {}  # nothing by default
    assert {job: spec["permissions"] for job, spec in workflow["jobs"].items()} == \
        PERMISSIONS[name]


@pytest.mark.parametrize("path", [*(TEMPLATES / n for n in TEMPLATE_NAMES),
                                  OWN / "ci.yml", OWN / "self-test.yml", ROOT / "action.yml"])
def test_every_third_party_action_is_pinned_to_a_commit(path: Path) -> None:
    for line in path.read_text("utf-8").splitlines():
        found = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)", line)
        if not found or found[1] in (ACTION, "./"):
            continue
        assert PINNED.match(line), f"{path.name}: not pinned to a SHA with its version: {line}"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_checkout_keeps_no_credentials_and_scripts_hold_no_expressions(name: str) -> None:
    for _, item in steps(template(name)):
        if str(item.get("uses", "")).startswith("actions/checkout@"):
            assert item["with"]["persist-credentials"] is False
        assert "${{" not in item.get("run", "")  # values reach scripts through env: only
    for job in template(name)["jobs"].values():
        assert job["timeout-minutes"] <= 60
        assert "env" not in job  # no job-wide variables, so no job-wide secret


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_secrets_are_only_in_the_steps_that_use_them(name: str) -> None:
    workflow = template(name)
    text = (TEMPLATES / name).read_text("utf-8")
    assert "env" not in workflow
    for job_name, item in steps(workflow):
        values = {**item.get("with", {}), **item.get("env", {})}
        for key, value in values.items():
            if "secrets" not in str(value):
                continue
            if str(value).endswith("!= '' }}"):
                assert key == "TOKEN_SET"  # only whether it is set, not the token
            else:
                assert key == "token", f"{job_name}: a secret in {key}"
                assert command(item) in READ_RECORDS, item
        if "github.token" in str(values):
            script = item.get("run", "")
            assert (command(item) == "comment" or "gh issue" in script or "gh pr" in script
                    or re.search(r"\bgit (fetch|push)\b", script)), item
            assert key_of(item, "${{ github.token }}") in ("GITHUB_TOKEN", "GH_TOKEN"), item
    # The only secret is each environment's (or the fleet's) own API token.
    assert set(re.findall(r"secrets\[([\w.-]+)\]", text)) <= {
        "matrix.token_env", "steps.members.outputs.token-env"}
    assert not re.findall(r"secrets\.\w+", text)


def key_of(item: dict[str, Any], value: str) -> str:
    (key,) = [k for k, v in item.get("env", {}).items() if v == value]
    return key


@pytest.mark.parametrize("name", ["dashboards-plan.yml", "dashboards-apply.yml",
                                  "dashboards-drift.yml"])
def test_matrices_come_from_dashctl_envs(name: str) -> None:
    workflow = template(name)
    listing = [job for job, spec in workflow["jobs"].items()
               if any(dashctl_args(s)[:3] == ["envs", "--format", "json"] for s in spec["steps"])]
    assert listing == [next(iter(workflow["jobs"]))]
    for job_name, job in workflow["jobs"].items():
        matrix = job.get("strategy", {}).get("matrix")
        if matrix is None:
            continue
        assert job["strategy"]["fail-fast"] is False
        (include,) = matrix.values()
        assert re.fullmatch(r"\$\{\{ fromJSON\(needs\.(\w+)\.outputs\.environments\) \}\}",
                            include), job_name
    matrix_step = next(s for _, s in steps(workflow) if s.get("id") == "matrix")
    assert 'select(.kind == "http" and .fleet == null)' in matrix_step["run"]  # not sqlite:


def test_plan_validates_for_everyone_and_plans_only_the_repositorys_own_branches() -> None:
    workflow = template("dashboards-plan.yml")
    assert set(workflow["on"]) == {"pull_request"}  # never pull_request_target
    validate, plan = workflow["jobs"]["validate"], workflow["jobs"]["plan"]
    assert dashctl_args(validate["steps"][1]) == ["validate", "--format", "github"]
    assert "if" not in validate
    fork = "github.event.pull_request.head.repo.full_name"
    assert f"{fork} == github.repository" in plan["if"]
    notice = [s for s in validate["steps"] if s.get("if") == f"{fork} != github.repository"]
    assert notice and "::notice" in notice[0]["run"]
    by_command = {command(s): s for s in plan["steps"] if command(s)}
    assert set(by_command) == {"plan", "preview", "comment"}
    assert "--out" in dashctl_args(by_command["plan"])
    comment = dashctl_args(by_command["comment"])
    assert comment[:2] == ["comment", "--pr"] and "--env" in comment and "--plan" in comment
    assert by_command["comment"]["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    preview = by_command["preview"]
    assert "--plan" in dashctl_args(preview) and "token" not in preview["with"]  # no API call
    uploads = [s for s in plan["steps"] if str(s.get("uses", "")).startswith(
        "actions/upload-artifact@")]
    assert [s["with"]["name"] for s in uploads] == [
        "dashctl-preview-${{ matrix.slug }}", "dashctl-plan-${{ matrix.slug }}"]


@pytest.mark.parametrize("name", ["dashboards-apply.yml", "dashboards-fleet.yml"])
def test_apply_runs_the_approved_saved_plan_in_its_environment(name: str) -> None:
    workflow = template(name)
    assert workflow["on"]["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    plan, apply = jobs["plan"], jobs["apply"]
    assert "environment" not in plan  # the plan is made and shown before any approval
    planned = [s for s in plan["steps"] if command(s) == "plan"]
    assert len(planned) == 1 and "--out" in dashctl_args(planned[0])
    summary = [s for s in plan["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert summary, "the plan goes to the job summary"

    key = "name" if name == "dashboards-apply.yml" else "shard"
    expected_env = "${{ matrix.name }}" if key == "name" else "tenants"
    assert apply["environment"] == expected_env
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert f"${{{{ matrix.{key} }}}}" in apply["concurrency"]["group"]
    assert needs_of(apply) == ["collect"] and "plan" in needs_of(jobs["collect"])

    (applying,) = [s for s in apply["steps"] if command(s) == "apply"]
    args = " ".join(str(applying["with"]["args"]).split())
    assert "--plan ${{ runner.temp }}/dashctl-plan/plan.json" in args
    assert "--auto-approve" in args and "--backup-dir" in args
    assert args.count("--allow-delete") == 1
    assert "${{ matrix.prune && '--allow-delete' || '' }}" in args  # only where prune is on
    download = apply["steps"][apply["steps"].index(applying) - 1]
    assert download["uses"].startswith("actions/download-artifact@")
    assert download["with"]["path"] == "${{ runner.temp }}/dashctl-plan"
    stale = [s for s in apply["steps"] if "moved since the plan was made" in s.get("run", "")]
    assert stale and "Re-run all jobs" in stale[0]["run"]
    backups = apply["steps"][-1]
    assert backups["uses"].startswith("actions/upload-artifact@")
    assert backups["if"] == "${{ always() }}"


def test_the_fleet_template_takes_one_shard_per_job() -> None:
    plan = template("dashboards-fleet.yml")["jobs"]["plan"]
    assert plan["strategy"]["matrix"] == {"shard": [1, 2, 3, 4]}
    assert named(plan, "The shard's members")["with"]["args"] == (
        "envs --env 'tenants/*' --shard ${{ matrix.shard }}/${{ strategy.job-total }}"
        " --format json")


def test_drift_runs_nightly_and_keeps_one_issue_per_environment() -> None:
    workflow = template("dashboards-drift.yml")
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    assert len(workflow["on"]["schedule"][0]["cron"].split()) == 5
    drift = workflow["jobs"]["drift"]
    assert "environment" not in drift  # a nightly read never waits for an approval
    (checking,) = [s for s in drift["steps"] if command(s) == "drift"]
    assert "--report-dir" in dashctl_args(checking)
    issue = drift["steps"][-1]
    assert issue["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert 'title="Dashboard drift: $ENV_NAME"' in issue["run"]
    assert {"gh issue create", "gh issue edit", "gh issue close"} <= set(
        re.findall(r"gh issue \w+", issue["run"]))


# --- (c) applied records and adopt pull requests (SPEC §5, §7) -----------------------------


def jobs_of_every_template() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name in TEMPLATE_NAMES:
        for job_name, job in template(name)["jobs"].items():
            yield name, job_name, job


def test_records_are_fetched_before_every_command_that_reads_them() -> None:
    fetch_steps = []
    for name, job_name, job in jobs_of_every_template():
        readers = [i for i, s in enumerate(job["steps"]) if command(s) in READ_RECORDS]
        fetches = [s for s in job["steps"] if s.get("name") == "Fetch the applied records"]
        if not readers:
            assert not fetches, f"{name} {job_name}: fetches records it never reads"
            continue
        (fetch,) = fetches
        where = f"{name} {job_name}"
        assert fetch["id"] == "records", where
        at = job["steps"].index(fetch)
        assert at == 1 and job["steps"][0]["uses"].startswith("actions/checkout@"), where
        assert at < min(readers), where
        fetch_steps.append(fetch)
    assert len(fetch_steps) == 7  # plan; apply: plan, apply; drift: drift, adopt; fleet: 2
    first = fetch_steps[0]
    assert all(s == first for s in fetch_steps)  # one step, the same everywhere
    script = first["run"]
    assert FETCH_RECORDS in script  # a glob: a repository with no records yet fetches nothing
    assert "--depth" not in script and "unshallow" not in script  # the records' own history
    assert "if" not in first  # a failed fetch stops the job: no plan that ignores records
    assert first["env"] == {"GH_TOKEN": "${{ github.token }}",
                            "SERVER_URL": "${{ github.server_url }}"}
    # the token reaches git through its environment, never .git/config or the command line
    assert 'GIT_CONFIG_KEY_0="http.$SERVER_URL/.extraheader"' in script
    assert "::add-mask::$basic" in script


@pytest.mark.parametrize("name", ["dashboards-apply.yml", "dashboards-fleet.yml"])
def test_the_apply_job_pushes_the_records_it_wrote_also_after_a_failure(name: str) -> None:
    apply = template(name)["jobs"]["apply"]
    push = named(apply, "Push the applied records")
    (applying,) = [s for s in apply["steps"] if command(s) == "apply"]
    assert apply["steps"].index(applying) < apply["steps"].index(push)
    # always(): also when the apply failed part-way (or was cancelled), once the records were
    # fetched (the refs to push are those that moved since)
    assert push["if"] == "${{ always() && steps.records.outcome == 'success' }}"
    script = push["run"]
    assert '"$RUNNER_TEMP/dashctl-records-fetched"' in script
    pushes = [c for c in git_commands(script) if c.startswith("git push")]
    assert pushes == ['git push --porcelain origin "${specs[@]}" > "$out" 2>&1 ']
    assert 'specs+=("$ref:$ref")' in script  # each ref to itself, no "+": never forced
    assert not any("--force" in c or " -f " in c for c in git_commands(script))
    # a rejected ref is fetched aside, merged onto, and pushed again; what cannot be, said
    assert 'git fetch --no-tags origin "+$ref:$incoming"' in script
    assert "git merge-tree --write-tree" in script and "git commit-tree" in script
    assert "::warning title=Applied records not pushed::" in script
    assert "::error title=Applied records not pushed::" in script
    assert script.count("$GITHUB_STEP_SUMMARY") == 2
    assert push["env"]["GH_TOKEN"] == "${{ github.token }}"


def test_the_two_apply_templates_push_alike() -> None:
    steps_of = [named(template(name)["jobs"]["apply"], "Push the applied records")
                for name in ("dashboards-apply.yml", "dashboards-fleet.yml")]
    assert steps_of[0] == steps_of[1]


def test_only_the_apply_and_adopt_jobs_write_and_only_they_push() -> None:
    for name, job_name, job in jobs_of_every_template():
        writes = job["permissions"].get("contents") == "write"
        assert writes == (job_name in ("apply", "adopt")), (name, job_name)
        if job["permissions"].get("pull-requests") == "write":
            assert (name, job_name) in {("dashboards-plan.yml", "plan"),  # the sticky comment
                                        ("dashboards-drift.yml", "adopt")}
        pushes = [c for s in job["steps"] for c in git_commands(s.get("run", ""))
                  if c.startswith("git push")]
        assert bool(pushes) == writes, (name, job_name)
    for name in TEMPLATE_NAMES:
        text = (TEMPLATES / name).read_text("utf-8")
        assert not re.search(r"\bgit config\b", text)  # no identity or credential left behind


def test_drift_adopts_outside_edits_in_a_job_of_its_own() -> None:
    jobs = template("dashboards-drift.yml")["jobs"]
    drift, outside, adopt = jobs["drift"], jobs["outside"], jobs["adopt"]
    assert needs_of(outside) == ["environments", "drift"] and needs_of(adopt) == ["outside"]
    assert "!cancelled()" in outside["if"]
    assert outside["permissions"] == {}
    assert outside["outputs"] == {"environments": "${{ steps.outside.outputs.environments }}"}
    selecting = named(outside, "Environments with edits made outside git")["run"]
    assert '.cause == "outside" or .cause == "both"' in selecting
    assert 'select(.status == "drifted")' in selecting
    assert named(drift, "Keep the reports")["with"]["name"] == "dashctl-drift-${{ matrix.slug }}"
    assert "needs.outside.outputs.environments != '[]'" in adopt["if"]

    report = named(adopt, "Fetch the drift report")
    assert report["with"] == {"name": "dashctl-drift-${{ matrix.slug }}",
                              "path": "${{ runner.temp }}/dashctl-drift"}
    (pulling,) = [s for s in adopt["steps"] if command(s) == "pull"]
    assert dashctl_args(pulling) == ["pull", "--env", "${{", "matrix.name", "}}"]
    step = adopt["steps"][-1]
    assert adopt["steps"].index(pulling) == len(adopt["steps"]) - 2
    assert "if" not in step  # only after a pull that succeeded
    env, script = step["env"], step["run"]
    assert env["BRANCH"] == "dashctl/adopt/${{ matrix.slug }}"  # a member's / becomes __
    assert env["REPORT"] == "${{ runner.temp }}/dashctl-drift/drift-${{ matrix.slug }}.md"
    assert env["GH_TOKEN"] == "${{ github.token }}" and env["BASE"] == "${{ github.ref_name }}"
    commits = [c for c in git_commands(script) if " commit " in c]
    assert len(commits) == 1 and commits[0].startswith(
        'git -c user.name="$bot_name" -c user.email="$bot_email" commit ')  # this commit only
    assert f"bot_email='{BOT}'" in script and "bot_name='github-actions[bot]'" in script
    assert 'git add --all -- "$MANIFESTS"' in script and env["MANIFESTS"] == "dashboards"
    assert "git diff --cached --quiet" in script  # nothing pulled: nothing happens
    assert 'git push --force-with-lease="refs/heads/$BRANCH:$remote" origin' in script
    assert "HEAD^{tree}" in script  # an unchanged branch is not pushed again
    assert {"gh pr list", "gh pr edit", "gh pr create"} <= set(re.findall(r"gh pr \w+", script))
    assert '--body-file "$RUNNER_TEMP/adopt-pr.md"' in script
    assert 'head -c 60000 "$REPORT"' in script  # the drift report is the body


def test_templates_reference_the_action_as_a_placeholder() -> None:
    for name in TEMPLATE_NAMES:
        uses = {str(s.get("uses")) for _, s in steps(template(name)) if s.get("uses")}
        assert ACTION in uses
        assert not any(u.startswith("./") for u in uses)  # works in any repository


# --- dashctl's own workflows ---------------------------------------------------------------


def test_own_workflows_never_touch_the_example_environments() -> None:
    for path in OWN.glob("*.yml"):
        text = path.read_text("utf-8")
        assert "pip install ." not in text
        assert "secrets." not in text and "secrets[" not in text
        assert not re.search(r"--env\s+(staging|production|all)\b", text), path.name
    self_test = load_yaml(OWN / "self-test.yml")
    (job,) = self_test["jobs"].values()
    for item in job["steps"]:
        if item.get("uses") == "./" and command(item) not in ("", "--version"):
            assert item["with"]["root"] == "${{ env.SELFTEST_ROOT }}", item
    commands = {command(s) for s in job["steps"]}
    assert {"validate", "envs", "plan", "apply", "drift"} <= commands


def test_ci_runs_the_projects_own_checks() -> None:
    workflow = load_yaml(OWN / "ci.yml")
    (job,) = workflow["jobs"].values()
    assert [s["run"] for s in job["steps"] if "run" in s] == ["bash .ci/run"]
