"""formerNames never deletes (SPEC §2 Identity), end to end on the in-process emulator.

The case from issue 10: a dashboard with the new name already exists (an
empty one made in the UI) next to the original with the old name. dashctl
pairs with the new-name one and, even under prune with --allow-delete, leaves
the original alone and says so in every plan format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.factories import insight
from tests.support.repo import RepoKit

WARNING = ("left alone: 'Growth' ({id}) is in formerNames of 'Growth KPIs'; delete it in the "
           "UI, or drop it from formerNames")


@pytest.fixture
def kit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> RepoKit:
    kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db", "prune": True}})
    kit.write("growth", {"name": "Growth", "tiles": [insight("dau")]})
    kit.write("stray", {"name": "Stray", "tiles": []})
    assert kit.run(capsys, "apply", "--env", "test", "--auto-approve")[0] == 0
    kit.live(lambda client: client.create_dashboard("Growth KPIs"))  # made empty in the UI
    kit.write("growth", {"name": "Growth KPIs", "formerNames": ["Growth"],
                         "tiles": [insight("dau", w=8)]})
    kit.remove("stray")
    return kit


def ids(kit: RepoKit) -> dict[str, str]:
    return {d["name"]: d["id"] for d in kit.dashboards()}


def test_the_original_is_left_alone_with_a_warning_in_every_format(
        kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    original = ids(kit)["Growth"]
    code, plan = kit.plan_json(capsys)
    assert code == 2
    env = plan["environments"][0]
    assert env["warnings"] == [{"dashboard": "Growth", "message": WARNING.format(id=original)}]
    assert [(c["action"], c["dashboard"]) for c in env["changes"]] == [
        ("update", "Growth KPIs"), ("delete", "Stray")]
    code, out, _ = kit.run(capsys, "plan", "--env", "test")
    assert f'  ? warning: "Growth": {WARNING.format(id=original)}' in out
    code, out, _ = kit.run(capsys, "plan", "--env", "test", "--format", "markdown")
    assert "**Warnings**" in out and "in formerNames of 'Growth KPIs'" in out


def test_apply_with_prune_and_allow_delete_keeps_the_original(
        kit: RepoKit, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    before = ids(kit)
    code, out, _ = kit.run(capsys, "apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert code == 0, out
    after = ids(kit)
    assert after == {"Growth": before["Growth"], "Growth KPIs": before["Growth KPIs"]}
    saved = tmp_path / "plan.json"
    assert kit.run(capsys, "plan", "--env", "test", "--out", str(saved))[0] == 0
    assert json.loads(saved.read_text())["environments"][0]["warnings"][0]["dashboard"] == "Growth"
