"""`dashctl promote NAME --from ENV` end to end: a file pulled into one environment's folder
moves into base/ (comments kept, pinned id dropped), and validate and plan of the other
environments see it; every refusal leaves every file as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.pull import promote as promote_module
from reconciler.repo.repository import Validation, check_repo
from tests.support.factories import wire_insight, wire_markdown
from tests.support.repo import RepoKit

ENVIRONMENTS = """\
environments:
  staging:
    url: sqlite:.dashctl/staging.db
    vars: {site: staging, team: sre}
  production:
    url: sqlite:.dashctl/production.db
    vars: {site: production}
fleets:
  tenants:
    url: sqlite:.dashctl/tenants.db
    vars: {site: tenant}
    projects:
      - project: proj_acme
        vars: {customer: Acme}
      - project: proj_globex
        vars: {customer: Globex}
"""

GROWTH = """\
name: Growth KPIs (${site})
tiles:
  - id: dau
    position: {x: 0, y: 0, w: 6, h: 4}
    insight:
      query:
        events: [{name: page_view}]
        granularity: day
        aggregation: unique_users
      visualization: line
"""

# a file as `pull` leaves it in staging/, and pinned to staging's live dashboard by hand
OPS = """\
# yaml-language-server: $schema=../../schemas/dashboard.schema.json
# Made in staging's editor, pulled by dashctl pull.
name: Ops   # the on-call view
id: DASH_ID   # pinned: staging's live dashboard
# errors first, then the runbook
tiles:
  - id: errors
    position: {x: 0, y: 0, w: 12, h: 3}
    insight:
      query:
        events: [{name: error}]
        granularity: hour
        aggregation: count
      visualization: bar   # red is loud enough
  - id: runbook
    position: {x: 0, y: 3, w: 12, h: 2}
    markdown:
      content: 'See the runbook.'
"""
ID_LINE = "id: DASH_ID   # pinned: staging's live dashboard\n"
OPS_IN_BASE = OPS.replace(ID_LINE, "")
OPS_TILES = [
    wire_insight("errors", events="error", w=12, h=3, viz="bar", granularity="hour",
                 aggregation="count"),
    wire_markdown("runbook", "See the runbook.", y=3, w=12, h=2),
]

Files = dict[str, bytes]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RepoKit:
    """A repository at ./dashboards: Growth in base/, Ops pulled into staging/ (id pinned)."""
    monkeypatch.chdir(tmp_path)
    kit = RepoKit(Path("dashboards"), ENVIRONMENTS)
    kit.put("base/growth-kpis.yaml", GROWTH)
    kit.put("staging/ops.yaml", OPS.replace("DASH_ID", "dash_ops"))
    return kit


def files(repo: RepoKit) -> Files:
    """Every file of the repository (the emulators' databases aside), by path."""
    return {str(path.relative_to(repo.root)): path.read_bytes()
            for path in sorted(repo.root.rglob("*"))
            if path.is_file() and ".dashctl" not in path.parts}


def refused(repo: RepoKit, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """`promote ARGS` refused: exit 1, one clean line on stderr, no file changed."""
    before = files(repo)
    code, out, err = repo.run(capsys, *args)
    assert (code, out) == (1, ""), err
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "Traceback" not in err and "unexpected error" not in err
    assert files(repo) == before
    return err


def changes(repo: RepoKit, capsys: pytest.CaptureFixture[str], env: str) -> dict[str, Any]:
    """The plan of ``env``: dashboard name -> action."""
    code, document = repo.plan_json(capsys, env)
    assert code in (0, 2), document
    (environment,) = document["environments"]
    assert environment["errors"] == []
    return {change["dashboard"]: change["action"] for change in environment["changes"]}


def test_help_has_examples(capsys: pytest.CaptureFixture[str], repo: RepoKit) -> None:
    code, out, _ = repo.run(capsys, "promote", "--help")
    assert code == 0
    assert "--from ENV" in out and "Examples:" in out
    assert "dashctl promote 'Growth KPIs' --from staging" in out


def test_moves_into_base_without_the_id_and_every_environment_sees_it(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.create("Ops", OPS_TILES, env="staging")
    dash_id = repo.dashboard("Ops", env="staging")["id"]
    repo.put("staging/ops.yaml", OPS.replace("DASH_ID", dash_id))
    code, out, err = repo.run(capsys, "apply", "--env", "staging", "--auto-approve")
    assert code == 0, out + err
    assert changes(repo, capsys, "production") == {"Growth KPIs (production)": "create"}

    code, out, err = repo.run(capsys, "promote", "Ops", "--from", "staging")
    assert code == 0, err
    assert out == "moved dashboards/staging/ops.yaml -> dashboards/base/ops.yaml\n"
    assert f"dropped the pinned id {dash_id!r}" in err
    assert "every environment gets 'Ops' on its next apply" in err
    assert "pairs with it by name" in err
    assert repo.text("base/ops.yaml") == OPS_IN_BASE  # comments, order, quoting: as they were
    assert not (repo.root / "staging" / "ops.yaml").exists()
    assert sorted(files(repo)) == ["base/growth-kpis.yaml", "base/ops.yaml", "environments.yaml"]

    code, _, err = repo.run(capsys, "validate")
    assert code == 0, err
    assert changes(repo, capsys, "production") == {
        "Growth KPIs (production)": "create", "Ops": "create"}
    assert changes(repo, capsys, "tenants/proj_acme")["Ops"] == "create"
    # staging pairs its live dashboard by name now, and it already matches
    assert changes(repo, capsys, "staging") == {}


def test_an_environment_with_a_live_dashboard_of_that_name_pairs_with_it(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = repo.run(capsys, "apply", "--env", "production", "--auto-approve")
    assert code == 0, out + err
    repo.create("Ops", OPS_TILES[:1], env="production")  # made in production's UI too
    code, _, err = repo.run(capsys, "promote", "Ops", "--from", "staging")
    assert code == 0, err
    assert changes(repo, capsys, "production") == {"Ops": "update"}


def test_a_name_with_a_var_is_the_name_as_the_environment_reads_it(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    site = OPS.replace("name: Ops ", "name: Ops (${site})").replace(ID_LINE, "")
    repo.put("staging/ops-site.yaml", site)
    err = refused(repo, capsys, "promote", "Ops (${site})", "--from", "staging")
    assert "no manifest of dashboards/staging/ is named 'Ops (${site})'" in err
    assert "'Ops (staging)'" in err  # what staging's folder does hold

    code, out, err = repo.run(capsys, "promote", "Ops (staging)", "--from", "staging")
    assert code == 0, err
    assert out == "moved dashboards/staging/ops-site.yaml -> dashboards/base/ops-site.yaml\n"
    assert "dropped the pinned id" not in err
    assert repo.text("base/ops-site.yaml") == site  # ${site} stays for each environment
    assert changes(repo, capsys, "production")["Ops (production)"] == "create"


def test_a_yml_file_stays_a_yml_file(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "staging" / "ops.yaml").rename(repo.root / "staging" / "ops.yml")
    code, out, err = repo.run(capsys, "promote", "Ops", "--from", "staging")
    assert code == 0, err
    assert out == "moved dashboards/staging/ops.yml -> dashboards/base/ops.yml\n"
    assert repo.text("base/ops.yml") == OPS_IN_BASE.replace("DASH_ID", "dash_ops")
    assert sorted(files(repo)) == ["base/growth-kpis.yaml", "base/ops.yml", "environments.yaml"]


@pytest.mark.parametrize("source", ["tenants", "tenants/proj_globex"])
def test_a_fleet_or_a_member_promotes_from_the_fleet_folder(
    repo: RepoKit, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    repo.put("tenants/welcome.yaml", "name: Welcome\n# no tiles yet\ntiles: []\n")
    code, out, err = repo.run(capsys, "promote", "Welcome", "--from", source)
    assert code == 0, err
    assert out == "moved dashboards/tenants/welcome.yaml -> dashboards/base/welcome.yaml\n"
    assert repo.text("base/welcome.yaml") == "name: Welcome\n# no tiles yet\ntiles: []\n"
    assert changes(repo, capsys, "production")["Welcome"] == "create"


def test_a_member_renders_the_name_with_its_own_vars(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.put("tenants/welcome.yaml", "name: Welcome ${customer}\ntiles: []\n")
    err = refused(repo, capsys, "promote", "Welcome Acme", "--from", "tenants/proj_globex")
    assert "is named 'Welcome Acme'" in err and "'Welcome Globex'" in err
    # found, but in base/ staging and production have no ${customer}
    err = refused(repo, capsys, "promote", "Welcome Acme", "--from", "tenants/proj_acme")
    assert "dashboards/base/welcome.yaml would not validate in base/" in err
    assert "undefined variable ${customer}" in err
    assert "define it in the vars of every environment" in err


def test_unknown_environment(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(repo, capsys, "promote", "Ops", "--from", "qa")
    assert err == ("error: unknown environment 'qa' "
                   "(known: staging, production; fleets: tenants)\n")
    assert "unknown environment 'base'" in refused(repo, capsys, "promote", "Ops",
                                                   "--from", "base")
    assert "not a pattern" in refused(repo, capsys, "promote", "Ops", "--from", "stag*")


def test_no_manifest_of_that_name(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(repo, capsys, "promote", "Opz", "--from", "staging")
    assert err == ("error: no manifest of dashboards/staging/ is named 'Opz' "
                   "(environment 'staging'); it has 'Ops'\n")
    # production's folder does not hold staging's files
    assert "is named 'Ops'" in refused(repo, capsys, "promote", "Ops", "--from", "production")


def test_already_in_base(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(repo, capsys, "promote", "Growth KPIs (staging)", "--from", "staging")
    assert err == ("error: 'Growth KPIs (staging)' is already in base/ "
                   "(dashboards/base/growth-kpis.yaml): nothing to promote\n")


def test_the_manifest_has_problems(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    repo.put("staging/ops.yaml", OPS.replace("DASH_ID", "dash_ops").replace(
        "    position: {x: 0, y: 3, w: 12, h: 2}", "    position: {x: 0, y: 1, w: 12, h: 2}"))
    err = refused(repo, capsys, "promote", "Ops", "--from", "staging")
    assert err.startswith("error: dashboards/staging/ops.yaml has problems, fix them first: "
                          "dashboards/staging/ops.yaml:")
    assert "overlaps tile 'errors'" in err


def test_base_has_another_dashboard_of_that_name(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.put("base/operations.yaml", "name: Ops\ntiles: []\n")
    err = refused(repo, capsys, "promote", "Ops", "--from", "staging")
    assert err == ("error: dashboards/base/operations.yaml already declares a dashboard named "
                   "'Ops': dashboards/staging/ops.yaml would be a second one\n")


def test_base_has_a_file_of_that_name(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    repo.put("base/ops.yaml", "name: Operations\ntiles: []\n")  # staging's overlay replaces it
    err = refused(repo, capsys, "promote", "Ops", "--from", "staging")
    assert err.startswith("error: dashboards/base/ops.yaml already exists "
                          "(dashboards/staging/ops.yaml replaces it in environment 'staging')")


def test_a_var_only_the_source_defines(repo: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    repo.put("staging/ops.yaml", OPS.replace("DASH_ID", "dash_ops").replace(
        "See the runbook.", "Page ${team}."))
    err = refused(repo, capsys, "promote", "Ops", "--from", "staging")
    assert err.startswith("error: dashboards/base/ops.yaml would not validate in base/: "
                          "dashboards/base/ops.yaml:17:16: undefined variable ${team} in "
                          "environment 'production' (vars: site)")
    assert "nothing moved" in err


def test_another_environment_would_declare_the_name_twice(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.put("production/ops-prod.yaml", "name: Ops\ntiles: []\n")
    err = refused(repo, capsys, "promote", "Ops", "--from", "staging")
    assert "would not validate in base/" in err
    assert "duplicate dashboard name 'Ops' in environment 'production'" in err


def test_the_source_excludes_the_file_name(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.put("environments.yaml", ENVIRONMENTS.replace(
        "    vars: {site: staging, team: sre}",
        "    vars: {site: staging, team: sre}\n    exclude: [ops.yaml]"))
    err = refused(repo, capsys, "promote", "Ops", "--from", "staging")
    assert "environment 'staging' excludes ops.yaml from base/" in err


def test_two_files_of_the_folder_have_the_name(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.put("staging/ops-copy.yaml", "name: Ops\ntiles: []\n")
    err = refused(repo, capsys, "promote", "Ops", "--from", "staging")
    assert "2 manifests of dashboards/staging/ are named 'Ops'" in err


def test_a_failure_after_the_write_leaves_the_original_alone(
    repo: RepoKit, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = repo.root / "staging" / "ops.yaml"
    unlink = Path.unlink

    def refuse_original(path: Path, missing_ok: bool = False) -> None:
        if path == original:
            raise PermissionError(13, "Permission denied")
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse_original)
    err = refused(repo, capsys, "promote", "Ops", "--from", "staging")
    assert err == ("error: cannot remove dashboards/staging/ops.yaml: Permission denied; "
                   "nothing moved\n")  # and base/ops.yaml, written, is taken back


def test_an_interrupted_check_takes_the_new_file_back(
    repo: RepoKit, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[Path] = []

    def interrupted_second_time(root: Path) -> Validation:
        checks.append(root)
        if len(checks) == 2:
            assert (repo.root / "base" / "ops.yaml").exists()  # written, being checked
            raise KeyboardInterrupt
        return check_repo(root)

    monkeypatch.setattr(promote_module, "check_repo", interrupted_second_time)
    before = files(repo)
    code, out, err = repo.run(capsys, "promote", "Ops", "--from", "staging")
    assert (code, out) == (130, ""), err
    assert files(repo) == before


def test_notes_tell_who_keeps_its_own_file(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.put("production/ops.yaml", "name: Ops\ntiles: []\n")
    code, _, err = repo.run(capsys, "promote", "Ops", "--from", "staging")
    assert code == 0, err
    assert "dashboards/production/ops.yaml replaces it in production" in err
    assert (repo.root / "production" / "ops.yaml").read_text() == "name: Ops\ntiles: []\n"


def test_a_refusal_after_making_base_leaves_no_base_folder(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.root / "base" / "growth-kpis.yaml").unlink()
    (repo.root / "base").rmdir()
    repo.files.pop("base/growth-kpis.yaml")
    repo.put("staging/ops.yaml", OPS.replace("See the runbook.", "Page ${team}."))
    assert "undefined variable ${team}" in refused(repo, capsys, "promote", "Ops",
                                                   "--from", "staging")
    assert not (repo.root / "base").exists()
