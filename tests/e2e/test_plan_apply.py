"""plan and apply end to end: the CLI against the emulator, in-process and over HTTP."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import insight, markdown, wire
from tests.support.faults import faulty_sqlite_environments, sweep
from tests.support.repo import TOKEN_VAR, RepoKit, http_repo
from tests.support.server import Server

GROWTH = {"name": "Growth KPIs", "tiles": [insight("dau"), markdown("goals", "# Weekly Goals")]}
RETENTION = {"name": "Retention", "tiles": [insight("ret", events="signup", viz="bar")]}


@pytest.fixture
def kit(tmp_path: Path) -> RepoKit:
    kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db"}})
    kit.write("growth", GROWTH)
    kit.write("retention", RETENTION)
    return kit


@pytest.fixture
def http_kit(tmp_path: Path, quirky_server: Server, project: str,
             monkeypatch: pytest.MonkeyPatch) -> RepoKit:
    kit = http_repo(tmp_path / "repo", monkeypatch, url=quirky_server.url, project=project,
                    token=quirky_server.token(project), prune=True)
    kit.write("growth", GROWTH)
    kit.write("retention", RETENTION)
    return kit


def test_plan_apply_plan_in_process(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    code, plan = kit.plan_json(capsys)
    assert code == 2
    env = plan["environments"][0]
    assert env["project"] == "local"
    assert env["summary"] == {"create": 2, "update": 0, "delete": 0, "unchanged": 0}
    assert {c["dashboard"]: c["tiles"]["added"] for c in env["changes"]} == {
        "Growth KPIs": ["dau", "goals"], "Retention": ["ret"]}
    code, out, _ = kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 0, out
    code, plan = kit.plan_json(capsys)
    assert code == 0 and plan["environments"][0]["summary"]["unchanged"] == 2
    by_name = {d["name"]: d for d in kit.dashboards()}
    assert [t["type"] for t in by_name["Growth KPIs"]["tiles"]] == ["TILE_TYPE_INSIGHT",
                                                                    "TILE_TYPE_MARKDOWN"]


def test_quirky_server_gives_no_perpetual_diff(http_kit: RepoKit,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert http_kit.run(capsys, "apply", "--env", "test", "--auto-approve")[0] == 0
    code, out, _ = http_kit.run(capsys, "plan", "--env", "test")
    assert code == 0, out
    assert "0 to create, 0 to update, 0 to delete, 2 unchanged" in out


def test_update_rename_and_text_plan(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    kit.write("growth", {"name": "Growth", "formerNames": ["Growth KPIs"],
                         "tiles": [insight("dau", w=4), markdown("goals", "# Goals"),
                                   insight("wau", y=4)]})
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    assert code == 2
    assert '~ update "Growth"' in out and '~ name: "Growth KPIs" -> "Growth"' in out
    assert "+ tile wau" in out and "position.w: 6 -> 4" in out
    ids_before = {d["name"]: d["id"] for d in kit.dashboards()}
    assert kit.run(capsys, "apply", "--env", "test", "--auto-approve")[0] == 0
    after = {d["name"]: d for d in kit.dashboards()}
    assert after["Growth"]["id"] == ids_before["Growth KPIs"]  # renamed, not recreated
    assert kit.plan_json(capsys)[0] == 0


def test_no_op_apply_writes_nothing(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    stamps = {d["id"]: d["updatedAt"] for d in kit.dashboards()}
    code, out, _ = kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 0 and "Nothing to apply" in out
    assert {d["id"]: d["updatedAt"] for d in kit.dashboards()} == stamps


def test_apply_refuses_without_auto_approve_on_non_interactive_stdin(
        kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kit.run(capsys, "apply", "--env", "test")
    assert code == 1 and "--auto-approve" in err
    assert kit.dashboards() == []


def test_saved_plan_applies_exactly_and_refuses_when_live_moved(
        kit: RepoKit, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    kit.write("growth", {**GROWTH, "tiles": [insight("dau", w=4),
                                             markdown("goals", "# Weekly Goals")]})
    saved = tmp_path / "plan.json"
    assert kit.run(capsys, "plan", "--env", "test", "--out", str(saved))[0] == 2
    assert TOKEN_VAR not in saved.read_text()
    growth_id = next(d["id"] for d in kit.dashboards() if d["name"] == "Growth KPIs")
    kit.live(lambda c: c.upsert_tiles(growth_id, [wire(insight("ui"))]))
    code, _, err = kit.run(capsys, "apply", "--plan", str(saved), "--auto-approve")
    assert code == 1 and "moved" in err and "Growth KPIs" in err
    growth = next(d for d in kit.dashboards() if d["name"] == "Growth KPIs")
    assert [t["id"] for t in growth["tiles"]] == ["ui"]  # nothing written
    assert kit.run(capsys, "plan", "--env", "test", "--out", str(saved))[0] == 2
    assert kit.run(capsys, "apply", "--plan", str(saved), "--auto-approve")[0] == 0
    assert kit.plan_json(capsys)[0] == 0


def test_deletes_need_prune_and_allow_delete_with_backups_and_restore(
        http_kit: RepoKit, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    http_kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    http_kit.live(lambda c: c.create_dashboard("Made in the UI"))
    http_kit.remove("retention")
    code, out, _ = http_kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 0 and "Apply test: 2 skipped." in out
    assert 'test: skipped delete of "Retention" (no --allow-delete)' in out
    assert len(http_kit.dashboards()) == 3
    backups = tmp_path / "backups"
    code, out, _ = http_kit.run(capsys, "apply", "--env", "test", "--auto-approve",
                                "--allow-delete", "--backup-dir", str(backups))
    assert code == 0, out
    assert [d["name"] for d in http_kit.dashboards()] == ["Growth KPIs"]
    files = sorted(backups.glob("*.json"))
    assert len(files) == 2
    assert {json.loads(f.read_text())["dashboard"]["name"] for f in files} == {
        "Retention", "Made in the UI"}
    assert TOKEN_VAR not in "".join(f.read_text() for f in files)
    code, out, _ = http_kit.run(capsys, "restore", *map(str, files))
    assert code == 0, out
    restored = {d["name"]: d for d in http_kit.dashboards()}
    assert [t["id"] for t in restored["Retention"]["tiles"]] == ["ret"]


def test_safety_rules_refuse_the_whole_apply(http_kit: RepoKit,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    http_kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    http_kit.remove("growth")
    http_kit.remove("retention")  # an empty folder must not wipe the environment
    code, _out, err = http_kit.run(capsys, "apply", "--env", "test", "--auto-approve",
                                  "--allow-delete")
    assert code == 1 and "every dashboard" in err
    assert len(http_kit.dashboards()) == 2


def test_max_deletes_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kit = RepoKit(tmp_path / "repo",
                  {"test": {"url": "sqlite:state.db", "prune": True, "max_deletes": 1}})
    kit.write("growth", GROWTH)
    for name in ("A", "B", "C"):
        kit.live(lambda c, n=name: c.create_dashboard(n))  # type: ignore[misc]
    code, _, err = kit.run(capsys, "apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert code == 1 and "max_deletes" in err
    assert sorted(d["name"] for d in kit.dashboards()) == ["A", "B", "C"]


def test_ambiguous_dashboard_is_an_error_but_the_rest_applies(
        kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    kit.live(lambda c: c.create_dashboard("Retention"))
    kit.live(lambda c: c.create_dashboard("Retention"))
    code, out, _ = kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 1 and "ambiguous" in out
    names = Counter(d["name"] for d in kit.dashboards())
    assert names == {"Retention": 2, "Growth KPIs": 1}


def apply_through_faults(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    """Six dashboards applied through a faulty server (a second apply may finish the first's
    work)."""
    for index in range(6):
        kit.write(f"d{index}", {"name": f"Board {index}", "tiles": [insight(f"t{index}")]})
    for _ in range(2):
        if kit.run(capsys, "apply", "--env", "test", "--auto-approve")[0] == 0:
            break


def assert_converged(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    assert code == 0, out
    names = Counter(d["name"] for d in kit.dashboards())
    assert names == {f"Board {index}": 1 for index in range(6)}


FAULTS: dict[str, Any] = {"fault_rate": 0.3, "ambiguous_create_rate": 0.5, "quirks": True}


@pytest.mark.parametrize(("transport", "seed"), sweep(in_process=20, http=2))
def test_converges_under_faults_without_duplicates(
        transport: str, seed: int, tmp_path: Path, emulator_factory: Any,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Over HTTP the plan afterwards meets the faults too; in-process it reads the state
    the faulty applies left (a plan of its own can run out of retries on a bad seed)."""
    if transport == "http":
        server = emulator_factory(seed=seed, **FAULTS)
        kit = http_repo(tmp_path / "repo", monkeypatch, url=server.url, project="proj_faults",
                        token=server.token("proj_faults"))
        apply_through_faults(kit, capsys)
    else:
        kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db"}})
        with faulty_sqlite_environments(monkeypatch, seed=seed, **FAULTS) as started:
            apply_through_faults(kit, capsys)
        assert started  # the applies ran on the faulty emulator
    assert_converged(kit, capsys)
