"""Other writers end to end (SPEC §4): the CLI keeps what the UI or a newer API set.

Each test runs on every backend of `backends.writers_kit`: the test-only
newer API over HTTP today, and the in-process emulator and
`dashctl serve --newer-api` once they keep unmodeled content.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.backends import FUNNEL, by_name, writers_kit
from tests.support.factories import FILTERS, insight, markdown, ui_edited, wire
from tests.support.repo import RepoKit

__all__ = ["writers_kit"]

GROWTH = {"name": "Growth KPIs", "tiles": [insight("dau"), markdown("goals", "# Weekly Goals")]}
RETENTION = {"name": "Retention", "tiles": [insight("ret", events="signup", viz="bar")]}
KEPT = {"dau": ["color", "insight.query.filters", "insight.title"], "funnel": ["*"]}


@pytest.fixture
def kit(writers_kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> RepoKit:
    """Both dashboards applied, then Growth KPIs edited in the UI: fields on dau, a funnel."""
    writers_kit.write("growth", GROWTH)
    writers_kit.write("retention", RETENTION)
    code, out, _ = writers_kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 0, out
    writers_kit.set_tiles("Growth KPIs", [ui_edited(insight("dau")), wire(markdown("goals",
             "# Weekly Goals")), FUNNEL])
    return writers_kit


def live_tiles(kit: RepoKit, name: str) -> dict[str, dict]:
    return {t["id"]: t for t in by_name(kit)[name]["tiles"]}


def test_only_unmodeled_differences_plan_and_drift_nothing(
        kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    assert code == 0, out
    assert "0 to create, 0 to update, 0 to delete, 2 unchanged" in out
    code, out, _ = kit.run(capsys, "drift", "--env", "test")
    assert code == 0, out


def test_fields_and_unknown_tiles_survive_applies_of_other_and_same_tiles(
        kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    kit.write("growth", {**GROWTH, "tiles": [insight("dau"), markdown("goals", "# Q4 goals")]})
    code, plan = kit.plan_json(capsys)
    assert code == 2
    (change,) = plan["environments"][0]["changes"]
    assert change["tiles"] == {"added": [], "changed": ["goals"], "removed": []}
    assert change["kept"] == KEPT
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    assert "= kept from live: 3 fields on 1 tile, 1 whole tile" in out
    code, out, _ = kit.run(capsys, "plan", "--env", "test", "--format", "markdown")
    assert "= kept from live: 3 fields on 1 tile, 1 whole tile" in out
    assert kit.run(capsys, "apply", "--env", "test", "--auto-approve")[0] == 0
    tiles = live_tiles(kit, "Growth KPIs")
    assert tiles["funnel"] == FUNNEL
    assert tiles["dau"] == ui_edited(insight("dau"))
    assert tiles["goals"]["markdown"]["content"] == "# Q4 goals"

    # now the very tile the UI edited: git's fields change, the UI's stay
    kit.write("growth", {**GROWTH, "tiles": [insight("dau", w=5, viz="area"),
                                             markdown("goals", "# Q4 goals")]})
    assert kit.run(capsys, "apply", "--env", "test", "--auto-approve")[0] == 0
    dau = live_tiles(kit, "Growth KPIs")["dau"]
    assert dau["position"]["w"] == 5 and dau["insight"]["visualization"] == "VISUALIZATION_AREA"
    assert (dau["color"], dau["insight"]["title"], dau["insight"]["query"]["filters"]) == (
        "blue", "Daily users", FILTERS)
    assert live_tiles(kit, "Growth KPIs")["funnel"] == FUNNEL
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    assert code == 0, out


def test_overlapping_a_kept_tile_is_an_error_for_that_dashboard_only(
        kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    before = by_name(kit)["Growth KPIs"]
    kit.write("growth", {**GROWTH, "tiles": [*GROWTH["tiles"], insight("new", y=11)]})
    kit.write("retention", {**RETENTION, "tiles": [insight("ret", events="signup", viz="kpi")]})
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    assert code == 1
    assert '! error: "Growth KPIs": tile new overlaps tile funnel (type TILE_TYPE_FUNNEL)' in out
    code, out, err = kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 1 and "Traceback" not in out + err
    after = by_name(kit)
    assert after["Growth KPIs"]["tiles"] == before["tiles"]
    assert after["Retention"]["tiles"][0]["insight"]["visualization"] == "VISUALIZATION_KPI"


def test_pull_writes_no_unmodeled_content(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    edited = ui_edited(insight("dau", w=4))  # a modeled change in the UI too
    kit.set_tiles("Growth KPIs", [edited, wire(markdown("goals", "# Weekly Goals")), FUNNEL])
    code, out, err = kit.run(capsys, "pull", "--env", "test")
    assert code == 0, out + err
    written = (kit.root / "test" / "growth.yaml").read_text("utf-8")
    assert "w: 4" in written
    for unmodeled in ("color", "title", "filters", "funnel", "FUNNEL"):
        assert unmodeled not in written
    assert kit.run(capsys, "plan", "--env", "test")[0] == 0


def test_a_saved_plan_is_refused_after_a_ui_edit_of_unmodeled_content(
        kit: RepoKit, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    kit.write("growth", {**GROWTH, "tiles": [insight("dau"), markdown("goals", "# Q4 goals")]})
    saved = tmp_path / "plan.json"
    assert kit.run(capsys, "plan", "--env", "test", "--out", str(saved))[0] == 2
    assert json.loads(saved.read_text())["environments"][0]["changes"][0]["kept"] == KEPT
    kit.set_tiles("Growth KPIs", [ui_edited(insight("dau"), title="Weekly users"),
                                  wire(markdown("goals", "# Weekly Goals")), FUNNEL])
    stamp = by_name(kit)["Growth KPIs"]["updatedAt"]
    code, out, err = kit.run(capsys, "apply", "--env", "test", "--plan", str(saved),
                             "--auto-approve")
    assert code == 1 and "moved since the plan" in out + err and "Growth KPIs" in out + err
    assert by_name(kit)["Growth KPIs"]["updatedAt"] == stamp
    assert live_tiles(kit, "Growth KPIs")["dau"]["insight"]["title"] == "Weekly users"


def test_restore_puts_back_unmodeled_fields_and_tile_order(
        kit: RepoKit, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    recorded = [FUNNEL, wire(markdown("goals", "# Weekly Goals")), ui_edited(insight("dau"))]
    kit.set_tiles("Growth KPIs", recorded)
    backups = tmp_path / "backups"
    kit.write("growth", {**GROWTH, "tiles": [insight("dau", w=4)]})
    assert kit.run(capsys, "apply", "--env", "test", "--auto-approve",
                   "--backup-dir", str(backups))[0] == 0
    (backup,) = backups.iterdir()
    kit.set_tiles("Growth KPIs", list(reversed(by_name(kit)["Growth KPIs"]["tiles"])))
    for attempt in range(2):
        code, out, _ = kit.run(capsys, "restore", str(backup))
        assert code == 0, out
        assert ("already matches" in out) == (attempt == 1)
        assert by_name(kit)["Growth KPIs"]["tiles"] == recorded
    assert sorted(by_name(kit)) == ["Growth KPIs", "Retention"]
