"""drift end to end: every kind of out-of-band change, reported exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import insight, markdown, wire
from tests.support.repo import TOKEN_VAR, RepoKit, http_repo
from tests.support.server import Server

GROWTH = {"name": "Growth KPIs", "tiles": [insight("dau"), markdown("goals", "# Weekly Goals")]}
RETENTION = {"name": "Retention", "tiles": [insight("ret", events="signup", viz="bar")]}


@pytest.fixture
def kit(tmp_path: Path, quirky_server: Server, project: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> RepoKit:
    kit = http_repo(tmp_path / "repo", monkeypatch, url=quirky_server.url, project=project,
                    token=quirky_server.token(project), ignore=["Scratch *"])
    kit.write("growth", GROWTH)
    kit.write("retention", RETENTION)
    assert kit.run(capsys, "apply", "--env", "test", "--auto-approve")[0] == 0
    return kit


def drift(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = kit.run(capsys, "drift", "--env", "test", "--format", "json")
    return code, json.loads(out)["environments"][0]


def ids(kit: RepoKit) -> dict[str, str]:
    return {d["name"]: d["id"] for d in kit.dashboards()}


def growth_tiles(kit: RepoKit, *tiles: dict[str, Any]) -> None:
    dashboard_id = ids(kit)["Growth KPIs"]
    kit.live(lambda c: c.upsert_tiles(dashboard_id, [wire(t) for t in tiles]))


def test_in_sync(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    kit.live(lambda c: c.create_dashboard("Scratch pad"))  # ignored
    code, env = drift(kit, capsys)
    assert code == 0
    assert env == {"name": "test", "status": "in_sync", "drifted": [], "missing": [],
                   "unmanaged": [], "errors": []}


def test_tile_edited_added_removed(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    growth_tiles(kit, insight("dau", w=4), insight("ui_tile", x=6, y=4))
    code, env = drift(kit, capsys)
    assert code == 2 and env["status"] == "drifted"
    assert env["drifted"] == [{
        "dashboard": "Growth KPIs", "id": ids(kit)["Growth KPIs"], "renamed": False,
        "cause": "unknown",
        "tiles": {"added": ["ui_tile"], "changed": ["dau"], "removed": ["goals"]},
    }]
    code, out, _ = kit.run(capsys, "drift", "--env", "test")
    assert "position.w: git 6 -> live 4" in out


def test_renamed_deleted_and_created_in_the_ui(kit: RepoKit,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    live_ids = ids(kit)
    kit.live(lambda c: c.update_dashboard(live_ids["Growth KPIs"], "Growth (renamed)"))
    kit.live(lambda c: c.delete_dashboard(live_ids["Retention"]))
    kit.live(lambda c: c.create_dashboard("Made in the UI"))
    code, env = drift(kit, capsys)
    assert code == 2
    assert env["missing"] == ["Growth KPIs", "Retention"]
    assert env["unmanaged"] == ["Growth (renamed)", "Made in the UI"]


def test_renamed_pinned_dashboard_is_reported_as_renamed(
        kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    live_id = ids(kit)["Growth KPIs"]
    kit.write("growth", {**GROWTH, "id": live_id}, folder="test")
    kit.live(lambda c: c.update_dashboard(live_id, "Growth (UI)"))
    code, env = drift(kit, capsys)
    assert code == 2
    assert env["drifted"] == [{"dashboard": "Growth KPIs", "id": live_id, "renamed": True,
                               "cause": "unknown",
                               "tiles": {"added": [], "changed": [], "removed": []}}]


def test_report_dir_and_error_status(kit: RepoKit, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    reports = tmp_path / "reports"
    code, _, _ = kit.run(capsys, "drift", "--env", "test", "--report-dir", str(reports))
    assert code == 0
    assert json.loads((reports / "drift-test.json").read_text())["environments"][0][
        "status"] == "in_sync"
    assert "dashctl drift" in (reports / "drift-test.md").read_text()
    monkeypatch.setenv(TOKEN_VAR, "not-a-jwt")
    code, env = drift(kit, capsys)
    assert code == 1 and env["status"] == "error"
    assert "not-a-jwt" not in json.dumps(env)
