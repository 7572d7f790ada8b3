"""The workflow templates run whole on the simulated runner, against `dashctl serve`.

A dashboards repository as a user has it (no pyproject.toml; `local` on
sqlite, `staging` and `production` behind the emulator on 127.0.0.1) is
published to a bare git repository, `origin` (tests/ci/git_sim.py), and
checked out shallow into each job as actions/checkout does, so the applied
records are fetched from and pushed to a real remote; `your-org/dashctl@v0`
is this checkout's action.yml; artifacts go through a folder; comments and
pull requests go to the fake GitHub (tests/ci/fake_pulls.py), issues and
pull requests through the fake `gh` of tests/ci/fakes. The templates list
environments with `dashctl envs`, so these tests need the CLI half of issue
12 (envs, `comment --plan`) and are skipped without it. They take minutes on
a shared machine: .ci/run runs them, `make test` skips them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from reconciler.emulator.auth import PROJECTS_CLAIM
from tests.ci.actions_sim import Runner, load_yaml, workflow_commands
from tests.ci.conftest import PR, REPO, SLOW_CI, TOKEN, slow_ci
from tests.ci.fake_pulls import FakeGitHubWithPulls
from tests.ci.git_sim import RECORDS, Origin, git
from tests.ci.git_sim import checkout as git_checkout
from tests.ci.refusing_proxy import refusing_proxy
from tests.ci.test_action import Cache
from tests.ci.workflow_sim import Artifacts, Leg, Workflow, artifact_url, checkout
from tests.support.fake_github import FakeGitHub
from tests.support.repo import dump_yaml
from tests.support.server import Server

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "examples" / "workflows"
PLAN, APPLY, DRIFT = (TEMPLATES / f"dashboards-{name}.yml" for name in ("plan", "apply", "drift"))
FAKES = Path(__file__).resolve().parent / "fakes"
DASHCTL = Path(sys.executable).parent / "dashctl"
SEED_VENV = Path(sys.prefix)  # the cache "restores" this test run's venv


def cli_has(*words: str) -> bool:
    result = subprocess.run([str(DASHCTL), *words, "--help"], capture_output=True, text=True,
                            check=False, timeout=60)
    return result.returncode == 0


NEEDS_ENVS = pytest.mark.skipif(  # asked only when the slow tests run at all
    bool(os.environ.get(SLOW_CI)) and not cli_has("envs"),
    reason="needs the lead's CLI half of issue 12 (dashctl envs)")
NEEDS_JQ = pytest.mark.skipif(shutil.which("jq") is None, reason="the templates' scripts use jq")
pytestmark = [NEEDS_ENVS, NEEDS_JQ, slow_ci]


class Site:
    """The user's dashboards repository and its two API environments on the emulator."""

    def __init__(self, base: Path, server: Server) -> None:
        self.base = base
        self.server = server
        self.repository = base / "repository"
        tag = hashlib.sha256(str(base).encode()).hexdigest()[:10]
        self.projects = {"staging": f"proj_stg_{tag}", "production": f"proj_prd_{tag}"}
        shutil.copytree(ROOT / "dashboards" / "base", self.repository / "dashboards" / "base")
        dump_yaml(self.repository / "dashboards" / "environments.yaml", {"environments": {
            "local": {"url": "sqlite:local.db", "vars": {"site": "local"}},
            "staging": {"url": server.url, "project": self.projects["staging"],
                        "token_env": "DASHCTL_TOKEN_STAGING", "prune": True,
                        "vars": {"site": "staging"}},
            "production": {"url": server.url, "project": self.projects["production"],
                           "token_env": "DASHCTL_TOKEN_PRODUCTION", "vars": {"site": "production"}},
        }})
        (self.repository / ".gitignore").write_text(".dashctl/\n*.db\n", "utf-8")
        self.origin = Origin.create(base / "origin.git")
        self.runs = 0

    def token(self, env: str) -> str:
        return self.server.token(self.projects[env])

    def secrets(self, *envs: str) -> dict[str, str]:
        return {f"DASHCTL_TOKEN_{env.upper()}": self.token(env) for env in envs}

    def rpc(self, env: str, method: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(self.server.rpc_url(method), json=body,
                              headers=self.server.headers(self.projects[env]), timeout=30)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def names(self, env: str) -> list[str]:
        return sorted(d["name"] for d in self.rpc(env, "List", {}).get("dashboards", []))

    def board(self, env: str, name: str) -> dict[str, Any]:
        (found,) = [d for d in self.rpc(env, "List", {})["dashboards"] if d["name"] == name]
        board: dict[str, Any] = self.rpc(env, "Get", {"id": found["id"]})["dashboard"]
        return board

    def edit_in_the_ui(self, env: str, name: str, tile: str, change: dict[str, Any]) -> None:
        """What someone does in the product's editor: one tile of a live dashboard changed."""
        board = self.board(env, name)
        tiles = [deep_merge(t, change) if t["id"] == tile else t for t in board["tiles"]]
        assert tiles != board["tiles"]
        self.rpc(env, "Upsert", {"dashboardId": board["id"], "tiles": tiles})

    def workflow(self, path: Path, github: dict[str, Any], secrets: dict[str, str],
                 **options: Any) -> Workflow:
        """A run of ``path`` on the repository as it is now (published to origin's main
        first, unless ``repository`` names a folder to copy instead of a checkout)."""
        self.runs += 1
        run = self.base / f"run-{self.runs}"
        artifacts = options.pop("artifacts", Artifacts(run / "artifacts"))
        copied = options.pop("repository", None)
        if copied is None:
            self.origin.publish(self.repository, f"Dashboards as of run {self.runs}")
        handlers = {
            "actions/checkout": checkout(copied) if copied else git_checkout(self.origin),
            "actions/cache": Cache(SEED_VENV),
            "actions/upload-artifact": artifacts.upload,
            "actions/download-artifact": options.pop("download", artifacts.download),
        }
        actions = options.pop("actions", {"your-org/dashctl@v0": ROOT})
        return Workflow(path, run, {"run_id": str(1000 + self.runs), **github},
                        secrets, actions, handlers, **options)


def deep_merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``change`` merged in, nested mappings merged key by key."""
    merged = dict(base)
    for key, value in change.items():
        merged[key] = (deep_merge(base[key], value)
                       if isinstance(value, dict) and isinstance(base.get(key), dict) else value)
    return merged


@pytest.fixture
def site(tmp_path: Path, server: Server) -> Site:
    return Site(tmp_path, server)


def all_logs(legs: dict[str, list[Leg]]) -> str:
    return "".join(leg.log() for job in legs.values() for leg in job)


def only(legs: list[Leg], name: str) -> Leg:
    (found,) = [leg for leg in legs if leg.matrix.get("name") == name]
    return found


# --- dashboards-plan.yml ---------------------------------------------------------------------


def pull_request(head: str, api_url: str) -> dict[str, Any]:
    return {"event_name": "pull_request", "repository": REPO, "token": TOKEN, "api_url": api_url,
            "event": {"pull_request": {"number": PR, "head": {"repo": {"full_name": head}}}}}


def test_plan_comments_each_environment_whose_secret_is_set(
    site: Site, github: FakeGitHub
) -> None:
    secrets = site.secrets("staging")  # no production secret in this repository
    artifacts = Artifacts(site.base / "plan-artifacts")
    legs = site.workflow(PLAN, pull_request(REPO, github.url), secrets,
                         artifacts=artifacts).run()

    (validate,) = legs["validate"]
    assert validate.result == "success", validate.log()
    planned = json.loads(validate.outputs["environments"])
    assert [e["name"] for e in planned] == ["staging", "production"]  # never local

    staging, production = only(legs["plan"], "staging"), only(legs["plan"], "production")
    assert staging.result == "success", staging.log()
    assert staging.step("Plan").outputs["exit-code"] == "2"
    assert "Growth KPIs" in staging.summary
    assert production.result == "success"
    assert production.step("Plan").outcome == "skipped"
    assert any(line.startswith("::notice title=Plan skipped for production::")
               for line in workflow_commands(production.log()))

    (comment,) = github.bodies(REPO, PR)
    assert comment.startswith("<!-- dashctl:plan env=staging -->")
    assert "Growth KPIs" in comment
    # the layout preview of the saved plan, kept as an artifact, linked from both
    preview = artifact_url("dashctl-preview-staging")
    assert f"[layout preview, before and after]({preview})" in comment
    assert f"[Layout preview, before and after]({preview})" in staging.summary
    pages = artifacts.root / "dashctl-preview-staging"
    assert "Growth KPIs" in (pages / "staging" / "index.html").read_text("utf-8")
    assert site.secrets("staging")["DASHCTL_TOKEN_STAGING"] not in all_logs(legs)


def test_a_fork_is_validated_and_not_planned(site: Site, github: FakeGitHub) -> None:
    legs = site.workflow(PLAN, pull_request("someone/fork", github.url), {}).run()
    (validate,) = legs["validate"]
    assert validate.result == "success"
    assert any(line.startswith("::notice title=Plan skipped::")
               for line in workflow_commands(validate.log()))
    assert [leg.result for leg in legs["plan"]] == ["skipped"]
    assert github.bodies(REPO, PR) == []


# --- dashboards-apply.yml --------------------------------------------------------------------

PUSH = {"event_name": "push", "ref": "refs/heads/main"}


def pushed(leg: Leg) -> list[str]:
    """The record refs a leg's push step pushed."""
    return re.findall(r"^pushed (\S+)$", leg.step("Push the applied records").output,
                      re.MULTILINE)


def test_apply_applies_each_approved_plan_then_has_nothing_to_do(
    site: Site, github: FakeGitHub
) -> None:
    site.rpc("staging", "Create", {"name": "Growth KPIs"})  # managed: updated
    site.rpc("staging", "Create", {"name": "Made in the UI"})  # staging prunes it
    site.rpc("production", "Create", {"name": "Made in the UI"})  # production keeps it
    secrets = site.secrets("staging", "production")
    legs = site.workflow(APPLY, PUSH, secrets).run()

    codes = [leg.step("Plan").outputs["exit-code"] for leg in legs["plan"]]
    assert codes == ["2", "2"], all_logs(legs)
    assert "applies exactly this plan" in only(legs["plan"], "production").summary
    preview = artifact_url("dashctl-preview-production")
    assert f"[Layout preview, before and after]({preview})" in only(
        legs["plan"], "production").summary
    assert f"[Layout preview of the applied plan, before and after]({preview})" in only(
        legs["apply"], "production").summary
    applied = legs["apply"]
    assert sorted(leg.matrix["name"] for leg in applied) == ["production", "staging"]
    for leg in applied:
        assert leg.result == "success", leg.log()
        assert leg.environment == leg.matrix["name"]
        assert leg.concurrency == f"dashctl-apply-{leg.matrix['name']}"
        assert pushed(leg) == [f"{RECORDS}{leg.matrix['name']}"]  # its own ref, no other
    assert "Made in the UI" not in site.names("staging")
    assert "Made in the UI" in site.names("production")
    assert "Growth KPIs" in site.names("production")
    records = site.origin.refs()
    assert sorted(records) == [f"{RECORDS}production", f"{RECORDS}staging"]
    for env in ("staging", "production"):  # every managed dashboard
        assert len(site.origin.records(env)) == len(list((ROOT / "dashboards" / "base").iterdir()))

    again = site.workflow(APPLY, PUSH, secrets).run()
    assert [leg.step("Plan").outputs["exit-code"] for leg in again["plan"]] == ["0", "0"]
    assert json.loads(again["collect"][0].outputs["environments"]) == []
    assert [leg.result for leg in again["apply"]] == ["skipped"]
    assert site.origin.refs() == records

    # An edit in the product's editor: with the records fetched, the plan of a pull request
    # keeps it (no change to make); without them it would revert it.
    site.edit_in_the_ui("staging", "Growth KPIs", "dau",
                        {"insight": {"visualization": "VISUALIZATION_BAR"}})
    without_records = subprocess.run(
        [str(DASHCTL), "--root", str(site.repository / "dashboards"), "plan", "--env", "staging"],
        env={**os.environ, **site.secrets("staging")}, capture_output=True, text=True,
        check=False, timeout=120)
    assert without_records.returncode == 2, without_records.stdout + without_records.stderr
    planned = site.workflow(PLAN, pull_request(REPO, github.url), site.secrets("staging")).run()
    staging = only(planned["plan"], "staging")
    assert staging.step("Fetch the applied records").outcome == "success"
    assert "2 record ref(s) fetched" in staging.step("Fetch the applied records").output
    assert staging.step("Plan").outputs["exit-code"] == "0", staging.log()
    assert "Edited outside git since the last apply" in staging.summary
    (comment,) = github.bodies(REPO, PR)
    assert "Edited outside git since the last apply" in comment
    assert "layout preview" not in comment  # nothing to change: nothing to preview
    assert staging.step("Preview of the plan").outcome == "skipped"


def test_records_are_pushed_after_an_apply_that_failed_part_way(site: Site) -> None:
    path = site.repository / "dashboards" / "environments.yaml"
    environments = load_yaml(path)
    with refusing_proxy(site.server.url, refuse="Retention") as url:
        environments["environments"]["staging"]["url"] = url  # staging refuses one create
        dump_yaml(path, environments)
        legs = site.workflow(APPLY, PUSH, site.secrets("staging", "production")).run()

    staging, production = only(legs["apply"], "staging"), only(legs["apply"], "production")
    assert production.result == "success"
    assert staging.result == "failure"
    assert staging.step("Apply the approved plan").outcome == "failure"
    push = staging.step("Push the applied records")
    assert push.outcome == "success", staging.log()
    assert pushed(staging) == [f"{RECORDS}staging"]
    recorded = [json.loads(line)["name"] for line in site.origin.records("staging")]
    assert sorted(recorded) == ["Activation Funnel", "Experiments", "Growth KPIs", "KPI Board"]
    assert "Retention" not in site.names("staging")


def test_a_plan_that_went_stale_is_refused_with_a_re_run_message(site: Site) -> None:
    artifacts = Artifacts(site.base / "stale-artifacts")

    def someone_edits_staging_first(runner: Runner, with_: dict[str, str],
                                    env: dict[str, str]) -> dict[str, str]:
        if with_.get("name") == "dashctl-plan-staging":  # while the approval waits
            site.rpc("staging", "Create", {"name": "Growth KPIs"})
        return artifacts.download(runner, with_, env)

    legs = site.workflow(APPLY, PUSH, site.secrets("staging", "production"),
                         artifacts=artifacts, download=someone_edits_staging_first).run()
    staging, production = only(legs["apply"], "staging"), only(legs["apply"], "production")
    assert production.result == "success"
    assert staging.result == "failure"
    assert any(line.startswith("::error title=Stale plan for staging::")
               and "Re-run all jobs" in line for line in workflow_commands(staging.log()))
    assert site.names("staging") == ["Growth KPIs"]  # nothing written


def test_a_failed_plan_holds_back_only_its_own_environment(site: Site) -> None:
    legs = site.workflow(APPLY, PUSH, site.secrets("staging")).run()
    assert only(legs["plan"], "production").result == "failure"  # its secret is missing
    assert [leg.matrix["name"] for leg in legs["apply"]] == ["staging"]
    assert legs["apply"][0].result == "success"


# --- dashboards-drift.yml --------------------------------------------------------------------


def gh_state(site: Site) -> Path:
    state = site.base / "gh.json"
    if not state.exists():
        state.write_text(json.dumps({"issues": [], "calls": []}), "utf-8")
    return state


def drift(site: Site, github: FakeGitHubWithPulls, *envs: str) -> dict[str, list[Leg]]:
    """One night's drift run: issues through the fake gh, pull requests to the fake GitHub."""
    state = gh_state(site)
    github.origin = site.origin

    def fake_gh(runner: Runner) -> None:
        runner.path_entries.append(str(FAKES))
        runner.env |= {"FAKE_GH_STATE": str(state), "FAKE_PYTHON": sys.executable}

    schedule = {"event_name": "schedule", "token": TOKEN, "api_url": github.url}
    return site.workflow(DRIFT, schedule, site.secrets(*(envs or ("staging",))),
                         prepare=fake_gh).run()


def issues(site: Site) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(gh_state(site).read_text("utf-8"))["issues"]
    return found


def test_drift_opens_updates_and_closes_one_issue_per_environment(
    site: Site, github_pulls: FakeGitHubWithPulls
) -> None:
    env = {**os.environ, **site.secrets("staging")}
    root = site.repository / "dashboards"
    subprocess.run([str(DASHCTL), "--root", str(root), "apply", "--env", "staging",
                    "--auto-approve"], env=env, check=True, capture_output=True, timeout=120)

    legs = drift(site, github_pulls)
    staging, production = only(legs["drift"], "staging"), only(legs["drift"], "production")
    assert staging.step("Drift").outputs["exit-code"] == "0", staging.log()
    assert any("Drift not checked for production" in line
               for line in workflow_commands(production.log()))
    assert issues(site) == []

    (board,) = [d for d in site.rpc("staging", "List", {})["dashboards"]
                if d["name"] == "Growth KPIs"]
    site.rpc("staging", "Upsert", {"dashboardId": board["id"], "tiles": []})  # a UI edit
    for _night in range(2):
        staging = only(drift(site, github_pulls)["drift"], "staging")
        assert staging.result == "success", staging.log()
        assert staging.step("Drift").outputs["exit-code"] == "2"
        assert "Growth KPIs" in staging.summary
        (issue,) = issues(site)
        assert (issue["title"], issue["state"]) == ("Dashboard drift: staging", "open")
        assert "Growth KPIs" in issue["body"]
        assert f"actions/runs/{1000 + site.runs}" in issue["body"]
    calls = json.loads(gh_state(site).read_text("utf-8"))["calls"]
    assert [c for c in calls if not c.startswith("issue list")] == [
        "label create dashctl-drift", "issue create 'Dashboard drift: staging'", "issue edit 1"]

    subprocess.run([str(DASHCTL), "--root", str(root), "apply", "--env", "staging",
                    "--auto-approve"], env=env, check=True, capture_output=True, timeout=120)
    drift(site, github_pulls)
    (issue,) = issues(site)
    assert issue["state"] == "closed"


BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
ADOPT_BRANCH = "refs/heads/dashctl/adopt/staging"
STAGING_GROWTH = "dashboards/staging/growth-kpis.yaml"


def test_drift_adopts_edits_made_outside_git_in_one_pull_request_per_environment(
    site: Site, github_pulls: FakeGitHubWithPulls
) -> None:
    applied = site.workflow(APPLY, PUSH, site.secrets("staging", "production")).run()
    assert all(leg.result == "success" for leg in applied["apply"]), all_logs(applied)
    assert len(site.origin.refs()) == 2  # the records both applies pushed
    # staging: edited in the product's editor; production: a change in git not applied yet
    site.edit_in_the_ui("staging", "Growth KPIs", "dau",
                        {"insight": {"visualization": "VISUALIZATION_BAR"}})
    production = site.repository / "dashboards" / "production" / "growth-kpis.yaml"
    production.parent.mkdir(parents=True)
    production.write_text((ROOT / "dashboards" / "base" / "growth-kpis.yaml").read_text(
        "utf-8").replace("5% week over week", "7% week over week"), "utf-8")

    legs = drift(site, github_pulls, "staging", "production")
    assert {leg.matrix["name"]: leg.step("Drift").outputs["exit-code"]
            for leg in legs["drift"]} == {"staging": "2", "production": "2"}, all_logs(legs)
    causes = {env: [d["cause"] for e in drift_report(site, env)["environments"]
                    for d in e["drifted"]] for env in ("staging", "production")}
    assert causes == {"staging": ["outside"], "production": ["git"]}
    (outside,) = legs["outside"]
    assert [e["name"] for e in json.loads(outside.outputs["environments"])] == ["staging"]
    (adopt,) = legs["adopt"]  # nothing for production: its drift is git's own
    assert adopt.matrix["name"] == "staging" and adopt.result == "success", adopt.log()
    assert adopt.step("Fetch the applied records").outcome == "success"
    main = site.origin.rev("refs/heads/main")
    assert main is not None
    (commit,) = site.origin.log(f"{main}..{ADOPT_BRANCH}", "%P %ae")
    assert commit == f"{main} {BOT_EMAIL}"
    assert git_diff_names(site, main, ADOPT_BRANCH) == [STAGING_GROWTH]
    assert "visualization: bar" in site.origin.show(ADOPT_BRANCH, STAGING_GROWTH)
    assert site.origin.rev("refs/heads/dashctl/adopt/production") is None
    (pull,) = github_pulls.pulls
    assert (pull["head"]["ref"], pull["base"]["ref"]) == ("dashctl/adopt/staging", "main")
    assert pull["title"] == "Adopt the outside edits of staging"
    assert "Growth KPIs" in pull["body"] and f"actions/runs/{1000 + site.runs}" in pull["body"]
    first = site.origin.rev(ADOPT_BRANCH)

    # The next night, nothing new: the branch is not pushed again, the pull request updated.
    legs = drift(site, github_pulls, "staging", "production")
    (adopt,) = legs["adopt"]
    assert adopt.result == "success", adopt.log()
    assert "already holds these edits: not pushed again" in adopt.log()
    assert site.origin.rev(ADOPT_BRANCH) == first
    (pull,) = github_pulls.pulls
    assert pull["edits"] == 1 and f"actions/runs/{1000 + site.runs}" in pull["body"]

    # Another edit in the editor: the branch is rewritten, still one pull request.
    site.edit_in_the_ui("staging", "Growth KPIs", "goals",
                        {"markdown": {"content": "# Goals, as edited in the UI"}})
    legs = drift(site, github_pulls, "staging", "production")
    (adopt,) = legs["adopt"]
    assert adopt.result == "success", adopt.log()
    assert site.origin.rev(ADOPT_BRANCH) != first
    adopted = site.origin.show(ADOPT_BRANCH, STAGING_GROWTH)
    assert "visualization: bar" in adopted and "Goals, as edited in the UI" in adopted
    (pull,) = github_pulls.pulls
    assert pull["edits"] == 2
    assert site.token("staging") not in all_logs(legs)


def drift_report(site: Site, env: str) -> dict[str, Any]:
    """The JSON drift report of ``env`` the last run kept as an artifact."""
    folder = site.base / f"run-{site.runs}" / "artifacts" / f"dashctl-drift-{env}"
    report: dict[str, Any] = json.loads((folder / f"drift-{env}.json").read_text("utf-8"))
    return report


def git_diff_names(site: Site, old: str, new: str) -> list[str]:
    return git(site.origin.path, "diff", "--name-only", old, new).splitlines()


# --- dashboards-fleet.yml (issue 14) ----------------------------------------------------------

FLEETS = "fleets" in (ROOT / "schemas" / "environments.schema.json").read_text("utf-8")


@pytest.mark.skipif(not FLEETS, reason="needs fleets in environments.yaml (issue 14)")
def test_the_fleets_shards_cover_every_member_once(site: Site) -> None:
    members = [f"proj_t{n}_{site.projects['staging'][-10:]}" for n in range(6)]
    dump_yaml(site.repository / "dashboards" / "environments.yaml", {
        "environments": {"local": {"url": "sqlite:local.db", "vars": {"site": "local"}}},
        "fleets": {"tenants": {"url": site.server.url, "token_env": "DASHCTL_TOKEN_TENANTS",
                               "projects": [{"project": p} for p in members],
                               "vars": {"site": "tenant"}}}})
    now = int(time.time())
    token = jwt.encode({"sub": "dashctl", PROJECTS_CLAIM: members, "iat": now,
                        "exp": now + 3600}, site.server.secret, algorithm="HS256")
    legs = site.workflow(TEMPLATES / "dashboards-fleet.yml", PUSH,
                         {"DASHCTL_TOKEN_TENANTS": token}).run()

    shards = [re.findall(r"^- `tenants/(\S+)`$", leg.summary, re.MULTILINE)
              for leg in legs["plan"]]
    assert len(shards) == 4
    assert sorted(m for shard in shards for m in shard) == sorted(members)  # each once
    applied = legs["apply"]
    assert applied and all(leg.result == "success" for leg in applied), all_logs(legs)
    assert {leg.environment for leg in applied} == {"tenants"}
    assert all(leg.concurrency == f"dashctl-apply-tenants-shard-{leg.matrix['shard']}"
               for leg in applied)
    for project in members:
        site.projects[project] = project
        assert "Growth KPIs" in site.names(project)
    assert token not in all_logs(legs)
    # each shard pushed its own members' records, and together every member's
    by_shard = [pushed(leg) for leg in applied]
    assert all(refs for refs in by_shard)
    assert sorted(ref for refs in by_shard for ref in refs) == sorted(
        f"{RECORDS}tenants/{p}" for p in members)
    assert sorted(site.origin.refs()) == sorted(f"{RECORDS}tenants/{p}" for p in members)


# --- dashctl's own self-test workflow ---------------------------------------------------------


def test_the_self_test_workflow_passes(site: Site, tmp_path: Path) -> None:
    """self-test.yml on the simulated runner (its emulator on a free port instead of 8765)."""
    workflow = site.workflow(
        ROOT / ".github" / "workflows" / "self-test.yml", PUSH, {},
        repository=tracked_files(tmp_path / "checkout"), actions={"./": ROOT},
        env_overrides={"SELFTEST_PORT": str(free_port())})
    try:
        legs = workflow.run()
    finally:
        stop_servers_under(workflow.base)
    (job,) = legs["templates"]
    assert job.result == "success", job.log()
    assert "Growth KPIs" in job.summary


def tracked_files(target: Path) -> Path:
    """This checkout as actions/checkout gives it: the tracked files only."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True,
                            check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_servers_under(folder: Path) -> None:
    """SIGTERM the `dashctl serve` processes a simulated step started under ``folder``."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "serve" in command and str(folder) in command:
            os.kill(int(proc.name), signal.SIGTERM)
