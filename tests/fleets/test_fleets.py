"""Fleets end to end: members from one set of manifests, seeded mode, shards, safety."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main
from reconciler.engine.changes import EnvironmentPlan, Plan
from reconciler.repo.repository import load_repo
from reconciler.repo.select import Shard, select_environments
from reconciler.report.plan_markdown import render_plan_markdown
from reconciler.report.plan_text import render_plan_text
from tests.support.cli import run_in
from tests.support.factories import insight, markdown
from tests.support.repo import dump_yaml


def make_repo(root: Path, *, projects: Any = "tenants.yaml", mode: str = "managed",
              listed: list[dict[str, Any]] | None = None, **fleet: Any) -> Path:
    entry = {"url": "sqlite:.dashctl/fleet.db", "projects": projects, "mode": mode, **fleet}
    dump_yaml(root / "environments.yaml", {
        "environments": {"local": {"url": "sqlite:.dashctl/local.db"}},
        "fleets": {"tenants": entry},
    })
    if isinstance(projects, str):
        members = listed if listed is not None else [
            {"project": "proj_a", "vars": {"customer": "A"}},
            {"project": "proj_b", "vars": {"customer": "B"}},
            {"project": "proj_c", "vars": {"customer": "C"}},
        ]
        dump_yaml(root / projects, {"projects": members})
    dump_yaml(root / "base" / "growth.yaml", {"name": "Growth", "tiles": [insight("dau")]})
    dump_yaml(root / "tenants" / "welcome.yaml",
              {"name": "Welcome", "tiles": [markdown("hi", "Hello ${customer}", x=0)]})
    return root


def plan_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, Any]:
    code, out, _ = run_in(capsys, root, "plan", "--format", "json", *args)
    return code, json.loads(out)


def test_members_are_planned_applied_and_then_in_sync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path)
    assert run_in(capsys, root, "validate")[0] == 0
    code, plan = plan_json(capsys, root, "--env", "tenants/*")
    assert code == 2
    assert [e["name"] for e in plan["environments"]] == [
        "tenants/proj_a", "tenants/proj_b", "tenants/proj_c"]
    assert all(e["summary"]["create"] == 2 for e in plan["environments"])
    assert run_in(capsys, root, "apply", "--env", "tenants/*", "--auto-approve")[0] == 0
    code, out, _ = run_in(capsys, root, "plan", "--env", "tenants/*")
    assert code == 0
    assert out.strip() == "Fleet tenants: 3 member(s): 3 in sync."


def test_per_project_vars_reach_the_overlay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path)
    main(["--root", str(root), "plan", "--env", "tenants/proj_b", "--out", str(tmp_path / "p")])
    capsys.readouterr()
    saved = json.loads((tmp_path / "p").read_text())
    (change,) = [c for c in saved["environments"][0]["changes"] if c["dashboard"] == "Welcome"]
    assert change["after"]["tiles"][0]["markdown"]["content"] == "Hello B"


@pytest.mark.parametrize(("listed", "message"), [
    ([], "lists no projects"),
    ([{"project": "proj_a"}, {"project": "proj_a"}], "lists project 'proj_a' twice"),
    ([{"project": "local"}], "same project as 'local'"),
])
def test_bad_lists_refuse_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], listed: list[dict[str, Any]],
    message: str,
) -> None:
    root = make_repo(tmp_path, listed=listed)
    if listed == [{"project": "local"}]:  # the fleet on the local environment's database
        data = json.loads(json.dumps({"url": "sqlite:.dashctl/local.db", "projects":
                                      "tenants.yaml"}))
        dump_yaml(root / "environments.yaml", {
            "environments": {"local": {"url": "sqlite:.dashctl/local.db"}},
            "fleets": {"tenants": data}})
    code, out, _ = run_in(capsys, root, "validate")
    assert code == 1 and message in out
    assert "tenants.yaml:" in out or "environments.yaml:" in out
    code, _, err = run_in(capsys, root, "apply", "--auto-approve")
    assert code == 1 and message in err


def test_an_unreadable_projects_file_refuses_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path)
    (root / "tenants.yaml").unlink()
    code, out, _ = run_in(capsys, root, "validate")
    assert code == 1 and "projects file tenants.yaml cannot be read" in out
    assert run_in(capsys, root, "plan", "--env", "local")[0] == 1


def test_a_project_removed_from_the_list_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path, prune=True)
    assert run_in(capsys, root, "apply", "--auto-approve", "--allow-delete")[0] == 0
    dump_yaml(root / "tenants.yaml", {"projects": [{"project": "proj_a",
                                                    "vars": {"customer": "A"}}]})
    code, plan = plan_json(capsys, root)
    assert code == 0
    assert [e["name"] for e in plan["environments"]] == ["local", "tenants/proj_a"]
    dump_yaml(root / "tenants.yaml", {"projects": [
        {"project": p, "vars": {"customer": p}} for p in ("proj_a", "proj_b", "proj_c")]})
    code, plan = plan_json(capsys, root, "--env", "tenants/proj_c")
    assert plan["environments"][0]["summary"]["unchanged"] == 1  # Growth is still there


def test_seeded_members_only_get_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path, mode="seeded", prune=True)
    assert run_in(capsys, root, "apply", "--env", "tenants/*", "--auto-approve")[0] == 0
    dump_yaml(root / "base" / "growth.yaml", {"name": "Growth", "tiles": [insight("dau", w=4)]})
    dump_yaml(root / "base" / "extra.yaml", {"name": "Extra", "tiles": []})
    code, plan = plan_json(capsys, root, "--env", "tenants/*")
    assert code == 2
    for env in plan["environments"]:
        assert [(c["action"], c["dashboard"]) for c in env["changes"]] == [("create", "Extra")]
    assert run_in(capsys, root, "apply", "--env", "tenants/*", "--auto-approve")[0] == 0
    code, out, _ = run_in(capsys, root, "drift", "--env", "tenants/*", "--format", "json")
    assert code == 0
    assert {e["status"] for e in json.loads(out)["environments"]} == {"in_sync"}


def test_one_members_problem_is_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path, listed=[{"project": "proj_a", "vars": {"customer": "A"}},
                                       {"project": "proj_b"}])
    code, plan = plan_json(capsys, root, "--env", "tenants/*")
    assert code == 1
    by_name = {e["name"]: e for e in plan["environments"]}
    assert by_name["tenants/proj_a"]["errors"] == []
    assert by_name["tenants/proj_a"]["summary"]["create"] == 2
    assert "customer" in by_name["tenants/proj_b"]["errors"][0]["message"]


def test_envs_json_and_shards_cover_every_member_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = [{"project": f"proj_{n:03d}", "vars": {"customer": str(n)}} for n in range(40)]
    root = make_repo(tmp_path, listed=listed)
    code, out, _ = run_in(capsys, root, "envs", "--env", "tenants/*", "--format", "json")
    members = json.loads(out)
    assert code == 0 and len(members) == 40
    assert members[0] == {"name": "tenants/proj_000", "kind": "sqlite", "project": "proj_000",
                          "fleet": "tenants", "prune": False, "token_env": None}
    seen: list[str] = []
    for k in range(1, 5):
        code, out, _ = run_in(capsys, root, "envs", "--env", "tenants/*", "--shard", f"{k}/4",
                           "--format", "json")
        seen += [m["name"] for m in json.loads(out)]
    assert sorted(seen) == sorted(m["name"] for m in members)
    repo = load_repo(root)
    before = {e.name for e in select_environments(repo.environments, ["tenants/*"], Shard(1, 4))}
    fewer = {k: v for k, v in repo.environments.items() if k != "tenants/proj_007"}
    after = {e.name for e in select_environments(fewer, ["tenants/*"], Shard(1, 4))}
    assert after == before - {"tenants/proj_007"}  # removing a member moves no other


@pytest.mark.parametrize("bad", [
    "0/4", "5/4", "x", "1/0", "", " 1/4", "1 / 4", "\uff11/4", "1/\u0664"])
def test_bad_shards_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                bad: str) -> None:
    code, _, err = run_in(capsys, make_repo(tmp_path), "envs", "--shard", bad)
    assert code == 1 and "--shard" in err and "Traceback" not in err


def test_a_thousand_members_stay_readable() -> None:
    quiet = [EnvironmentPlan(f"tenants/p{n}", f"p{n}", unchanged=10, fleet="tenants")
             for n in range(1000)]
    plan = Plan(quiet)
    assert render_plan_text(plan) == "Fleet tenants: 1000 member(s): 1000 in sync.\n"
    from reconciler.engine.changes import Action, Change

    busy = [EnvironmentPlan(f"tenants/p{n}", f"p{n}", fleet="tenants",
                            changes=[Change(Action.CREATE, f"D{i}", None, after={"name": "x",
                                                                                "tiles": []})
                                     for i in range(10)])
            for n in range(1000)]
    markdown = render_plan_markdown(Plan(busy))
    assert len(markdown) < 65_000
    assert "| `tenants/p0` | 10 | 0 | 0 | 0 |" in markdown
    assert "1000 changed" in markdown
