"""`apply --plan FILE`: a saved plan is an approval, not a program (SPEC §4).

A plan file edited by hand is refused whole, nothing written: apply renders
the repository again and applies only what git holds now, every guard checked
again. (Tests of a plan refused because live moved are in tests/e2e.)
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import insight, markdown, wire
from tests.support.repo import RepoKit

Plan = dict[str, Any]


@pytest.fixture
def kit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> RepoKit:
    """Growth KPIs and Retention applied; a stray and an ignored scratch board live; then
    git changes Growth KPIs."""
    made = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db", "prune": True,
                                                 "ignore": ["Scratch *"]}})
    made.write("growth", {"name": "Growth KPIs", "tiles": [insight("dau"), markdown("goals")]})
    made.write("retention", {"name": "Retention", "tiles": [insight("ret", viz="bar")]})
    code, out, err = made.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 0, out + err
    made.create("Stray", [wire(insight("x"))])
    made.create("Scratch pad", [wire(insight("s"))])
    made.write("growth", {"name": "Growth KPIs", "tiles": [insight("dau", viz="area"),
                                                            markdown("goals")]})
    return made


def saved(kit: RepoKit, capsys: pytest.CaptureFixture[str], *, code: int = 2
          ) -> tuple[Path, Plan]:
    path = kit.root.parent / "plan.json"
    planned, out, err = kit.run(capsys, "plan", "--env", "test", "--out", str(path))
    assert planned == code, out + err
    return path, json.loads(path.read_text("utf-8"))


def live_state(kit: RepoKit) -> list[tuple[str, Any]]:
    return sorted((d["name"], d["tiles"]) for d in kit.dashboards())


def change(plan: Plan, action: str, dashboard: str) -> dict[str, Any]:
    return next(c for c in plan["environments"][0]["changes"]
                if (c["action"], c["dashboard"]) == (action, dashboard))


def other_content(plan: Plan) -> None:
    after = change(plan, "update", "Growth KPIs")["after"]
    after["tiles"][0]["insight"]["visualization"] = "VISUALIZATION_TABLE"


def an_added_create(plan: Plan) -> None:
    evil = copy.deepcopy(change(plan, "update", "Growth KPIs"))
    evil.update(action="create", dashboard="Evil", id=None, rename=None, before=None,
                fingerprint=None)
    evil["after"]["name"] = "Evil"
    plan["environments"][0]["changes"].append(evil)


def a_delete_of_a_declared_dashboard(kit: RepoKit) -> Callable[[Plan], None]:
    def tamper(plan: Plan) -> None:
        victim = copy.deepcopy(change(plan, "delete", "Stray"))
        victim.update(dashboard="Retention", id=kit.dashboard("Retention")["id"])
        plan["environments"][0]["changes"].append(victim)
    return tamper


def an_ignored_dashboard_overwritten(kit: RepoKit) -> Callable[[Plan], None]:
    def tamper(plan: Plan) -> None:
        target = copy.deepcopy(change(plan, "update", "Growth KPIs"))
        target.update(dashboard="Growth", id=kit.dashboard("Scratch pad")["id"])
        plan["environments"][0]["changes"].append(target)
    return tamper


def another_id(kit: RepoKit) -> Callable[[Plan], None]:
    def tamper(plan: Plan) -> None:
        change(plan, "update", "Growth KPIs")["id"] = kit.dashboard("Retention")["id"]
    return tamper


@pytest.mark.parametrize("tamper", [
    lambda _: other_content,
    lambda _: an_added_create,
    a_delete_of_a_declared_dashboard,
    an_ignored_dashboard_overwritten,
    another_id,
], ids=["other-content", "added-create", "delete-declared", "ignored-overwritten", "another-id"])
def test_a_saved_plan_edited_by_hand_is_refused_and_nothing_is_written(
    kit: RepoKit, capsys: pytest.CaptureFixture[str],
    tamper: Callable[[RepoKit], Callable[[Plan], None]],
) -> None:
    path, plan = saved(kit, capsys)
    tamper(kit)(plan)
    path.write_text(json.dumps(plan), "utf-8")
    before = live_state(kit)

    code, out, err = kit.run(capsys, "apply", "--plan", str(path), "--auto-approve",
                             "--allow-delete")

    assert code == 1, out + err
    assert "nothing applied" in err or "nothing written" in err
    assert live_state(kit) == before


def test_a_removed_delete_everything_refusal_is_found_again(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    kit.remove("growth")
    kit.remove("retention")
    kit.write("other", {"name": "Other", "tiles": []})
    path, plan = saved(kit, capsys, code=1)  # the plan refuses; its file is saved anyway
    env = plan["environments"][0]
    assert env["refusal"]
    env["refusal"] = None
    env["errors"] = []
    path.write_text(json.dumps(plan), "utf-8")
    before = live_state(kit)

    code, out, err = kit.run(capsys, "apply", "--plan", str(path), "--auto-approve",
                             "--allow-delete")

    assert code == 1 and "would delete every dashboard" in err, out + err
    assert live_state(kit) == before


def test_an_untouched_saved_plan_is_applied(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = saved(kit, capsys)
    code, out, err = kit.run(capsys, "apply", "--plan", str(path), "--auto-approve",
                             "--allow-delete")
    assert code == 0, out + err
    names = sorted(d["name"] for d in kit.dashboards())
    assert names == ["Growth KPIs", "Retention", "Scratch pad"]
    dau = kit.dashboard("Growth KPIs")["tiles"][0]
    assert dau["insight"]["visualization"] == "VISUALIZATION_AREA"
