"""No duplicates without locks (SPEC §4): `dashctl apply` processes started together.

Against `dashctl serve --latency-ms 20` over real HTTP: 1 round of 2 processes
and 1 round of 4 (more only until the processes are seen to race) on an empty
environment of 20 dashboards (each process costs
about a second of CPU, so the default run stays at that;
bench/soak_concurrent_apply.py runs many more rounds). Every round ends with
exactly one dashboard per name, every process exits 0 without a traceback (or
reports a name ambiguous, having read the project between two creates and
their resolution), and a plan afterwards is empty.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from reconciler.commands import apply as apply_command
from tests.conftest import EmulatorFactory
from tests.e2e.concurrent_kit import run_round
from tests.support.factories import insight
from tests.support.repo import RepoKit


@pytest.fixture
def restore_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.repo import TOKEN_VAR

    monkeypatch.delenv(TOKEN_VAR, raising=False)  # run_round sets it; undone after the test


def test_concurrent_applies_make_one_dashboard_per_name(
        emulator_factory: EmulatorFactory, tmp_path: Path, restore_token_env: None) -> None:
    server = emulator_factory(latency_ms=20)
    rounds = [run_round(server, tmp_path, f"proj_r{index}", processes)
              for index, processes in enumerate([2, 4])]
    # the processes must really race (some creates meet another's and yield to it); on a
    # busy machine one may start late and meet none: up to 3 more rounds of 4 until some do
    while sum(result.resolved for result in rounds) == 0 and len(rounds) < 5:
        rounds.append(run_round(server, tmp_path, f"proj_r{len(rounds)}", 4))
    for index, result in enumerate(rounds):
        assert result.ok, (index, result.codes, result.duplicates, result.missing,
                           result.plan_after, "\n---\n".join(result.unexplained)[-3000:])
    assert sum(result.resolved for result in rounds) > 0


def test_concurrent_applies_that_lose_create_answers_leave_no_duplicate_and_no_debris(
        emulator_factory: EmulatorFactory, tmp_path: Path, restore_token_env: None) -> None:
    # a third of the Creates commit, then answer 503: the apply never heard (SPEC §4)
    server = emulator_factory(latency_ms=20, ambiguous_create_rate=0.3, seed=7)
    for index, processes in enumerate([3, 2]):
        result = run_round(server, tmp_path, f"proj_lost{index}", processes)
        assert result.ok, (index, result.codes, result.duplicates, result.debris,
                           result.missing, result.plan_after,
                           "\n---\n".join(result.unexplained)[-3000:])


def test_apply_reads_a_doubled_name_again_before_calling_it_ambiguous(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db"}})
    kit.write("growth", {"name": "Growth", "tiles": [insight("dau")]})
    first, second = (kit.live(lambda client: client.create_dashboard("Growth"))["id"]
                     for _ in range(2))
    waited: list[float] = []

    def concurrent_apply_resolves(seconds: float) -> None:  # while apply waits, the other
        waited.append(seconds)  # apply deletes the dashboard it created and lost with
        kit.live(lambda client: client.delete_dashboard(second))

    monkeypatch.setattr(apply_command, "time", SimpleNamespace(sleep=concurrent_apply_resolves))
    code, out, err = kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 0, out + err
    assert waited == [apply_command.SETTLE_S] and "reading again" in err
    assert [(d["id"], len(d["tiles"])) for d in kit.dashboards()] == [(first, 1)]


def test_a_lasting_ambiguity_is_still_reported_after_one_more_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db"}})
    kit.write("growth", {"name": "Growth", "tiles": [insight("dau")]})
    kit.write("other", {"name": "Other", "tiles": [insight("x")]})
    for _ in range(2):
        kit.live(lambda client: client.create_dashboard("Growth"))
    waited: list[float] = []
    monkeypatch.setattr(apply_command, "time", SimpleNamespace(sleep=waited.append))
    code, out, _ = kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 1 and "ambiguous: 2 live dashboards match" in out
    assert len(waited) == 1
    assert sorted(d["name"] for d in kit.dashboards()) == ["Growth", "Growth", "Other"]
