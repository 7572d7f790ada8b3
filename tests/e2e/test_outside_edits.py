"""Git and the visual editor end to end (SPEC §7), in real git repositories made by the test.

Each repository is `git init`ed under tmp_path, its manifests committed by the
test, and dashctl run through the CLI with no git identity (as on a CI runner):
apply records what it applied in `refs/dashctl/applied/<env>`, and edits made
live afterwards (as the product's UI would: dashctl not involved) are kept,
merged, reverted or a conflict, never reverted silently. The main scenarios run
on the in-process emulator and on `dashctl serve --newer-api` over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import insight, markdown, wire
from tests.support.git import commit_all, git, init_repo
from tests.support.repo import RepoKit, http_repo, yaml_text
from tests.support.server import Server

GROWTH = {"name": "Growth KPIs", "tiles": [insight("dau"), markdown("goals", "# Weekly Goals")]}
RETENTION = {"name": "Retention", "tiles": [insight("ret", events="signup", viz="bar")]}


def growth(*, viz: str = "line", goals: str = "# Weekly Goals") -> list[dict[str, Any]]:
    """Growth KPIs' tiles in wire form, as the UI would write them."""
    return [wire(insight("dau", viz=viz)), wire(markdown("goals", goals))]


@pytest.fixture(params=["sqlite", "serve-newer-api"])
def kit(request: pytest.FixtureRequest, tmp_path: Path, no_git_identity: None,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[RepoKit]:
    """A git repository whose dashboards/ has environment `test`, Growth KPIs applied."""
    top = init_repo(tmp_path / "repo")
    (top / ".gitignore").write_text("*.db*\n.dashctl/\n", "utf-8")
    root = top / "dashboards"
    if request.param == "sqlite":
        made = RepoKit(root, {"test": {"url": "sqlite:state.db"}})
    else:
        server: Server = request.getfixturevalue("newer_server")
        project = request.getfixturevalue("project")
        made = http_repo(root, monkeypatch, url=server.url, token=server.token(project),
                         project=project)
    made.write("growth", GROWTH)
    commit_all(top)
    yield made


def top(kit: RepoKit) -> Path:
    return kit.root.parent


def apply(kit: RepoKit, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code, out, err = kit.run(capsys, "apply", "--env", "test", "--auto-approve", *args)
    return code, out + err


def plan(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, document = kit.plan_json(capsys)
    return code, document["environments"][0]


def drift(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = kit.run(capsys, "drift", "--env", "test", "--format", "json")
    return code, json.loads(out)["environments"][0]


def records(kit: RepoKit, env: str = "test") -> dict[str, dict[str, Any]]:
    text = git(top(kit), "show", f"refs/dashctl/applied/{env}:records.jsonl")
    return {entry["id"]: entry for entry in map(json.loads, text.splitlines())}


def commits_of(kit: RepoKit, ref: str = "refs/dashctl/applied/test") -> list[str]:
    return git(top(kit), "log", "--format=%H %an", ref).splitlines()


def tile(kit: RepoKit, name: str, tile_id: str) -> dict[str, Any]:
    return next(t for t in kit.dashboard(name)["tiles"] if t["id"] == tile_id)


def ui_edit_and_git_change(kit: RepoKit, message: str) -> None:
    """A UI edit of dau's chart, and a git change elsewhere (Q4 goals), committed."""
    kit.set_tiles("Growth KPIs", growth(viz="bar"))
    kit.write("growth", {"name": "Growth KPIs",
                         "tiles": [insight("dau"), markdown("goals", "# Q4 Goals")]})
    commit_all(top(kit), message)


# -- the records -----------------------------------------------------------------------------


def test_apply_records_what_it_applied_in_git_and_touches_nothing_else(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    head = git(top(kit), "rev-parse", "HEAD").strip()
    index = (top(kit) / ".git" / "index").read_bytes()

    code, out = apply(kit, capsys)

    assert code == 0, out
    dashboard = kit.dashboard("Growth KPIs")
    (entry,) = records(kit).values()
    assert entry["id"] == dashboard["id"] and entry["name"] == "Growth KPIs"
    assert entry["commit"] == head and entry["project"]
    assert [t["id"] for t in entry["tiles"]] == ["dau", "goals"]
    assert entry["updatedAt"] == dashboard["updatedAt"]
    (commit,) = commits_of(kit)
    assert commit.endswith(" dashctl")
    assert git(top(kit), "rev-parse", "HEAD").strip() == head
    assert git(top(kit), "branch", "--format=%(refname)").split() == ["refs/heads/main"]
    assert git(top(kit), "status", "--porcelain", locks=False) == ""
    assert (top(kit) / ".git" / "index").read_bytes() == index
    code, out = apply(kit, capsys)  # nothing to write, every record up to date: no commit
    assert code == 0 and "Nothing to apply" in out
    assert len(commits_of(kit)) == 1


def test_an_environment_applied_before_gets_its_records_without_a_write(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    kit.create("Growth KPIs", growth())  # what an apply without records left
    code, out = apply(kit, capsys)
    assert code == 0 and "Nothing to apply" in out
    assert [entry["name"] for entry in records(kit).values()] == ["Growth KPIs"]


def test_outside_a_git_work_tree_there_are_no_records_and_plan_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_git_identity: None
) -> None:
    kit = RepoKit(tmp_path / "plain", {"test": {"url": "sqlite:state.db"}})
    kit.write("growth", GROWTH)
    code, _, err = kit.run(capsys, "plan", "--env", "test")
    assert code == 2
    assert err.count("no applied records") == 1 and "not inside a git work tree" in err
    code, out = apply(kit, capsys)
    assert code == 0, out


# -- outside edits -----------------------------------------------------------------------------


def test_an_edit_in_the_ui_is_kept_not_reverted(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(kit, capsys)[0] == 0
    kit.set_tiles("Growth KPIs", growth(viz="bar"))
    dashboard_id = kit.dashboard("Growth KPIs")["id"]

    code, env = plan(kit, capsys)
    assert code == 0 and env["changes"] == []
    assert env["outsideEdits"] == [{
        "dashboard": "Growth KPIs", "id": dashboard_id,
        "updatedAt": kit.dashboard("Growth KPIs")["updatedAt"], "renamed": False,
        "deleted": False, "tiles": {"added": [], "changed": ["dau"], "removed": []},
        "resolution": "kept", "conflicts": [],
    }]
    _, text, _ = kit.run(capsys, "plan", "--env", "test")
    assert "Edited outside git since the last apply" in text
    assert "dau (insight.visualization)" in text and "kept" in text
    code, out = apply(kit, capsys)
    assert code == 0 and "Nothing to apply" in out
    assert tile(kit, "Growth KPIs", "dau")["insight"]["visualization"] == "VISUALIZATION_BAR"
    code, report = drift(kit, capsys)
    assert code == 2 and report["status"] == "drifted"
    assert [(d["dashboard"], d["cause"]) for d in report["drifted"]] == [("Growth KPIs",
                                                                          "outside")]


def test_git_changes_and_outside_edits_elsewhere_are_merged_in_one_write(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(kit, capsys)[0] == 0
    ui_edit_and_git_change(kit, "goals for Q4")

    code, env = plan(kit, capsys)
    assert code == 2
    assert [(c["action"], c["tiles"]["changed"]) for c in env["changes"]] == [("update",
                                                                               ["goals"])]
    assert [edit["resolution"] for edit in env["outsideEdits"]] == ["merged"]
    _, markdown_plan, _ = kit.run(capsys, "plan", "--env", "test", "--format", "markdown")
    assert markdown_plan.index("Edited outside git") < markdown_plan.index("<details>")
    code, out = apply(kit, capsys)
    assert code == 0, out
    assert tile(kit, "Growth KPIs", "dau")["insight"]["visualization"] == "VISUALIZATION_BAR"
    assert tile(kit, "Growth KPIs", "goals")["markdown"]["content"] == "# Q4 Goals"
    (entry,) = records(kit).values()
    assert entry["tiles"][1]["markdown"]["content"] == "# Q4 Goals"  # git's version recorded
    assert entry["tiles"][0]["insight"]["visualization"] == "VISUALIZATION_LINE"
    assert plan(kit, capsys)[0] == 0


def test_a_conflict_is_an_error_for_its_dashboard_and_the_others_are_applied(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    kit.write("retention", RETENTION)
    commit_all(top(kit), "retention")
    assert apply(kit, capsys)[0] == 0
    kit.set_tiles("Growth KPIs", growth(viz="bar"))
    kit.write("growth", {"name": "Growth KPIs",
                         "tiles": [insight("dau", viz="area"), markdown("goals")]})
    kit.write("retention", {**RETENTION, "tiles": [insight("ret", events="signup", viz="kpi")]})
    commit_all(top(kit), "area and kpi")

    code, env = plan(kit, capsys)
    assert code == 1
    assert [e["dashboard"] for e in env["errors"]] == ["Growth KPIs"]
    assert "conflict" in env["errors"][0]["message"]
    assert [(e["resolution"], e["conflicts"]) for e in env["outsideEdits"]] == [
        ("conflict", [{"tile": "dau", "field": "insight.visualization"}])]
    assert [c["dashboard"] for c in env["changes"]] == ["Retention"]
    code, out = apply(kit, capsys)
    assert code == 1, out
    assert tile(kit, "Retention", "ret")["insight"]["visualization"] == "VISUALIZATION_KPI"
    assert tile(kit, "Growth KPIs", "dau")["insight"]["visualization"] == "VISUALIZATION_BAR"
    code, out = apply(kit, capsys, "--overwrite-outside-edits")
    assert code == 0, out
    assert tile(kit, "Growth KPIs", "dau")["insight"]["visualization"] == "VISUALIZATION_AREA"
    assert plan(kit, capsys)[0] == 0


def test_overwrite_reverts_outside_edits_and_says_which(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    kit.put("environments.yaml", yaml_text({"environments": {"test": {
        **json.loads(json.dumps(_environment(kit))), "outside_edits": "overwrite"}}}))
    commit_all(top(kit), "overwrite")
    assert apply(kit, capsys)[0] == 0
    kit.set_tiles("Growth KPIs", growth(viz="bar"))
    code, env = plan(kit, capsys)
    assert code == 2
    assert [edit["resolution"] for edit in env["outsideEdits"]] == ["reverted"]
    assert apply(kit, capsys)[0] == 0
    assert tile(kit, "Growth KPIs", "dau")["insight"]["visualization"] == "VISUALIZATION_LINE"


def _environment(kit: RepoKit) -> dict[str, Any]:
    from ruamel.yaml import YAML

    data: dict[str, Any] = YAML(typ="safe").load(kit.text("environments.yaml"))
    return dict(data["environments"]["test"])


def test_a_dashboard_renamed_in_the_ui_stays_the_same_dashboard(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(kit, capsys)[0] == 0
    kit.rename("Growth KPIs", "Growth (edited in the UI)")

    code, env = plan(kit, capsys)
    assert code == 0 and env["changes"] == []
    assert [(e["renamed"], e["resolution"]) for e in env["outsideEdits"]] == [(True, "kept")]
    assert apply(kit, capsys)[0] == 0
    assert [d["name"] for d in kit.dashboards()] == ["Growth (edited in the UI)"]


def test_a_dashboard_deleted_outside_is_not_created_again(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(kit, capsys)[0] == 0
    dashboard_id = kit.dashboard("Growth KPIs")["id"]
    kit.live(lambda client: client.delete_dashboard(dashboard_id))

    code, env = plan(kit, capsys)
    assert code == 0 and env["changes"] == []
    assert [(e["deleted"], e["resolution"]) for e in env["outsideEdits"]] == [(True, "kept")]
    assert apply(kit, capsys)[0] == 0 and kit.dashboards() == []
    code, report = drift(kit, capsys)
    assert code == 2 and report["missing"] == ["Growth KPIs"]
    assert apply(kit, capsys, "--overwrite-outside-edits")[0] == 0
    assert [d["name"] for d in kit.dashboards()] == ["Growth KPIs"]


# -- pull --------------------------------------------------------------------------------------


def test_pull_adopts_outside_edits_and_keeps_git_changes_not_applied_yet(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(kit, capsys)[0] == 0
    ui_edit_and_git_change(kit, "goals for Q4, not applied yet")

    code, _, err = kit.run(capsys, "pull", "--env", "test")

    assert code == 0, err
    pulled = (kit.root / "test" / "growth.yaml").read_text("utf-8")
    assert "visualization: bar" in pulled  # the outside edit, adopted
    assert "# Q4 Goals" in pulled  # git's own change, kept
    code, env = plan(kit, capsys)
    assert code == 2 and env["outsideEdits"] == []
    assert [c["tiles"]["changed"] for c in env["changes"]] == [["goals"]]


def test_pull_leaves_the_manifest_of_a_dashboard_deleted_outside(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(kit, capsys)[0] == 0
    dashboard_id = kit.dashboard("Growth KPIs")["id"]
    kit.live(lambda client: client.delete_dashboard(dashboard_id))
    code, _, err = kit.run(capsys, "pull", "--env", "test")
    assert code == 0 and "deleted outside git" in err
    assert (kit.root / "base" / "growth.yaml").exists()
    assert not (kit.root / "test").exists()


# -- records that cannot be read -----------------------------------------------------------------


def test_a_damaged_record_counts_as_none_with_a_warning_and_the_next_apply_mends_it(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(kit, capsys)[0] == 0
    blob = git(top(kit), "hash-object", "-w", "--stdin", stdin=b'{"id": "x", "oops"\n').strip()
    tree = git(top(kit), "mktree", stdin=f"100644 blob {blob}\trecords.jsonl\n".encode()).strip()
    commit = git(top(kit), "-c", "user.name=x", "-c", "user.email=x@example.com",
                 "commit-tree", tree, "-m", "by hand").strip()
    git(top(kit), "update-ref", "refs/dashctl/applied/test", commit)
    kit.set_tiles("Growth KPIs", growth(viz="bar"))

    code, env = plan(kit, capsys)
    assert code == 2  # no record: git's version wins, as without records
    assert env["warnings"] and env["outsideEdits"] == []
    assert apply(kit, capsys)[0] == 0
    assert [entry["name"] for entry in records(kit).values()] == ["Growth KPIs"]
    code, env = plan(kit, capsys)
    assert code == 0 and env["warnings"] == []


# -- fleets ------------------------------------------------------------------------------------


def test_each_fleet_member_has_records_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_git_identity: None
) -> None:
    top_folder = init_repo(tmp_path / "repo")
    (top_folder / ".gitignore").write_text("*.db*\n.dashctl/\n", "utf-8")
    kit = RepoKit(top_folder / "dashboards", "fleets:\n  tenants:\n    url: sqlite:fleet.db\n"
                  "    projects:\n      - project: p1\n      - project: p2\n")
    kit.write("growth", GROWTH)
    commit_all(top_folder)
    code, out, err = kit.run(capsys, "apply", "--env", "tenants/*", "--auto-approve")
    assert code == 0, out + err
    refs = git(top_folder, "for-each-ref", "--format=%(refname)", "refs/dashctl/").split()
    assert refs == ["refs/dashctl/applied/tenants/p1", "refs/dashctl/applied/tenants/p2"]
