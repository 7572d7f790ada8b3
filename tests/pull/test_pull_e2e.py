"""`dashctl pull` end to end: change live, pull, compare files as text, then plan is empty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.pull.kit import GROWTH, OPS, ops_tiles, pull_repo
from tests.support.factories import wire_insight, wire_markdown
from tests.support.repo import RepoKit

GROWTH_STAGING = "Growth KPIs (staging)"


def plan_code(repo: RepoKit, capsys: pytest.CaptureFixture[str], env: str) -> int:
    code, out, err = repo.run(capsys, "plan", "--env", env)
    assert code in (0, 2), out + err
    return code


def growth_tiles(**dau: Any) -> list[dict[str, Any]]:
    return [
        wire_insight("dau", granularity=dau.get("granularity", "day")),
        wire_markdown("goals", "# Weekly Goals\n", x=6, w=6, h=2),
    ]


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new), after
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_in_sync_pull_writes_nothing(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    for env in ("staging", "production"):
        code, out, err = repo.run(capsys, "pull", "--env", env)
        assert (code, out) == (0, ""), err
        assert f"pull {env}: 0 new, 0 updated" in err
    assert repo.unchanged_except() == []
    assert not (repo.root / "staging" / "growth-kpis.yaml").exists()


def test_edit_add_remove_tiles_in_place(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    errors, _latency, runbook = ops_tiles()
    errors["insight"]["visualization"] = "VISUALIZATION_AREA"
    p99 = wire_insight("p99", events="p99_latency", y=3, h=3, granularity="hour",
                       aggregation="count")
    repo.set_tiles("Ops", [runbook, p99, errors], env="staging")  # the server order is not ours
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    assert out == f"wrote {repo.root / 'staging' / 'ops.yaml'}\n"
    latency = OPS[OPS.index("\n  # then latency") : OPS.index("  # runbook link")]
    assert repo.text("staging/ops.yaml") == OPS.replace(
        "      visualization: bar\n", "      visualization: area\n"
    ).replace(latency, "") + (
        "  - id: p99\n"
        "    position: {x: 0, y: 3, w: 6, h: 3}\n"
        "    insight:\n"
        "      query:\n"
        "        events: [{name: p99_latency}]\n"
        "        granularity: hour\n"
        "        aggregation: count\n"
        "      visualization: line\n"
    )
    assert repo.unchanged_except("staging/ops.yaml") == []
    assert plan_code(repo, capsys, "staging") == 0


def test_base_dashboard_becomes_an_overlay(
        repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    repo.set_tiles(GROWTH_STAGING, growth_tiles(granularity="GRANULARITY_WEEK"), env="staging")
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    overlay = repo.root / "staging" / "growth-kpis.yaml"
    assert out == f"wrote {overlay}\n"
    (old, new), = changed_lines(GROWTH, repo.text("staging/growth-kpis.yaml"))
    assert old.startswith("        granularity: GRANULARITY_DAY ")
    assert new.startswith("        granularity: week ")
    assert new.endswith("# API spelling on purpose")
    assert "name: Growth KPIs (${site})" in repo.text("staging/growth-kpis.yaml")
    assert repo.unchanged_except() == []  # base/ untouched
    assert plan_code(repo, capsys, "staging") == 0
    assert plan_code(repo, capsys, "production") == 0
    code, out, _ = repo.run(capsys, "pull", "--env", "production")
    assert (code, out) == (0, "")


def test_pinned_rename_changes_the_name_only(repo: RepoKit,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    dashboard_id = repo.dashboard("Ops", env="staging")["id"]
    pinned = OPS.replace("name: Ops\n", f"name: Ops\nid: {dashboard_id}\n")
    repo.put("staging/ops.yaml", pinned)
    repo.rename("Ops", "Ops (on call)", env="staging")
    code, _, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    assert repo.text("staging/ops.yaml") == pinned.replace("name: Ops\n", "name: Ops (on call)\n")
    assert plan_code(repo, capsys, "staging") == 0


def test_unpinned_rename_updates_the_same_file(repo: RepoKit,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    repo.rename("Ops", "On call", env="staging")
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    assert out == f"wrote {repo.root / 'staging' / 'ops.yaml'}\n"
    assert repo.text("staging/ops.yaml") == OPS.replace("name: Ops\n", "name: On call\n")
    assert plan_code(repo, capsys, "staging") == 0


def test_new_live_dashboard_gets_a_new_file(
        repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    repo.put("staging/funnel.yaml", OPS.replace("name: Ops", "name: Funnel old").replace(
        "formerNames: [Operations]\n", ""))
    repo.create("Ops", [], env="staging")  # same name as a manifest: ambiguous, no new file
    repo.create("Funnel", [wire_markdown("intro", "Signup funnel\nby week", h=3)],
                env="staging")
    repo.create("Scratch pad", [wire_markdown("x", "ignored", h=3)], env="staging")
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 1
    assert "ambiguous" in err and "Ops" in err
    written = repo.root / "staging" / "funnel-2.yaml"
    assert f"wrote {written}\n" in out
    assert written.read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../../schemas/dashboard.schema.json\n"
        "name: Funnel\n"
        "tiles:\n"
        "  - id: intro\n"
        "    position: {x: 0, y: 0, w: 6, h: 3}\n"
        "    markdown:\n"
        "      content: |-\n"
        "        Signup funnel\n"
        "        by week\n"
    )
    assert sorted(path.name for path in (repo.root / "staging").iterdir()) == [
        "funnel-2.yaml", "funnel.yaml", "ops.yaml"]


def test_name_filter(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    repo.set_tiles(GROWTH_STAGING, growth_tiles(granularity="GRANULARITY_MONTH"), env="staging")
    errors, latency, runbook = ops_tiles()
    latency["position"]["h"] = 2
    repo.set_tiles("Ops", [errors, latency, runbook], env="staging")
    code, out, err = repo.run(capsys, "pull", "--env", "staging", "--name", "Ops")
    assert code == 0, err
    assert out == f"wrote {repo.root / 'staging' / 'ops.yaml'}\n"
    assert not (repo.root / "staging" / "growth-kpis.yaml").exists()
    code, out, err = repo.run(capsys, "pull", "--env", "staging", "--name", "Nope")
    assert (code, out) == (1, "")
    assert "no dashboard named 'Nope'" in err


def test_bad_input_is_one_clean_line(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = repo.run(capsys, "pull", "--env", "qa")
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 1 and "qa" in err and "Traceback" not in err


def test_pull_over_http_from_a_quirky_server(tmp_path: Path, emulator_factory: Any,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    server = emulator_factory(quirks=True)
    monkeypatch.setenv("DASHCTL_TOKEN_PULL", server.token("proj_pull"))
    repo = pull_repo(tmp_path / "dashboards", (
        "environments:\n"
        "  staging:\n"
        f"    url: {server.url}\n"
        "    project: proj_pull\n"
        "    token_env: DASHCTL_TOKEN_PULL\n"
        "    vars: {site: staging}\n"
    ))
    code, out, err = repo.run(capsys, "apply", "--env", "staging", "--auto-approve")
    assert code == 0, out + err
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert (code, out) == (0, ""), err  # reordered tiles, omitted defaults, extra fields: no change
    errors, latency, runbook = ops_tiles()
    runbook["markdown"]["content"] = "See the new runbook."
    repo.set_tiles("Ops", [errors, latency, runbook], env="staging")
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    assert out == f"wrote {repo.root / 'staging' / 'ops.yaml'}\n"
    assert repo.text("staging/ops.yaml") == OPS.replace("See the runbook.", "See the new runbook.")
    assert server.token("proj_pull") not in out + err
    assert plan_code(repo, capsys, "staging") == 0


def test_an_unreachable_environment_fails_alone(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    repo = pull_repo(tmp_path / "dashboards", (
        "environments:\n"
        "  staging:\n"
        "    url: sqlite:.dashctl/staging.db\n"
        "    vars: {site: staging}\n"
        "  production:\n"
        "    url: http://127.0.0.1:9\n"
        "    project: proj_prod\n"
        "    token_env: DASHCTL_TOKEN_PULL_UNSET\n"
        "    vars: {site: production}\n"
    ))
    code, out, err = repo.run(capsys, "apply", "--env", "staging", "--auto-approve")
    assert code == 0, out + err
    repo.create("Funnel", [wire_markdown("intro", "Signups", h=3)], env="staging")
    code, out, err = repo.run(capsys, "pull", "--env", "all")
    assert code == 1
    assert out == f"wrote {repo.root / 'staging' / 'funnel.yaml'}\n"
    assert "error: production: environment production: the variable " \
           "DASHCTL_TOKEN_PULL_UNSET (token_env) is not set" in err
    assert "Traceback" not in err
    assert repo.run(capsys, "validate", "--env", "staging")[0] == 0
    assert plan_code(repo, capsys, "staging") == 0


def test_manifest_problems_stop_the_pull(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    repo.set_tiles("Ops", [], env="staging")
    repo.put("staging/broken.yaml", "name: Broken\ntiles: [{id: x, bogus: 1}]\n")
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert (code, out) == (1, "")
    assert "broken.yaml" in err and "nothing pulled" in err
    assert repo.unchanged_except() == []


def test_a_fleet_member_is_pulled_into_the_folder_its_fleet_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kit = RepoKit(tmp_path / "repo", "fleets:\n  tenants:\n    url: sqlite:fleet.db\n"
                  "    projects:\n      - project: p1\n")
    kit.write("growth", {"name": "Growth KPIs", "tiles": []})
    code, out, err = kit.run(capsys, "apply", "--env", "tenants/p1", "--auto-approve")
    assert code == 0, out + err
    kit.set_tiles("Growth KPIs", growth_tiles(), env="tenants/p1")

    code, out, err = kit.run(capsys, "pull", "--env", "tenants/p1")

    assert code == 0, err
    assert (kit.root / "tenants" / "growth.yaml").exists()
    assert not (kit.root / "tenants" / "p1").exists()
    assert plan_code(kit, capsys, "tenants/p1") == 0
