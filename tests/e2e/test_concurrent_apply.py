"""No duplicates without locks (SPEC §4): `dashctl apply` processes started together.

Against `dashctl serve --latency-ms 20` over real HTTP: 1 round of 2 processes
and 1 round of 4 on an empty environment of 20 dashboards (each process costs
about a second of CPU, so the default run stays at that;
bench/soak_concurrent_apply.py runs many more rounds). Every round ends with
exactly one dashboard per name, every process exits 0 without a traceback (or
reports a name ambiguous, having read the project between two creates and
their resolution), and a plan afterwards is empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EmulatorFactory
from tests.e2e.concurrent_kit import run_round


@pytest.fixture
def restore_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.e2e.repo_kit import TOKEN_VAR

    monkeypatch.delenv(TOKEN_VAR, raising=False)  # run_round sets it; undone after the test


def test_concurrent_applies_make_one_dashboard_per_name(
        emulator_factory: EmulatorFactory, tmp_path: Path, restore_token_env: None) -> None:
    server = emulator_factory(latency_ms=20)
    rounds = [run_round(server, tmp_path, f"proj_r{index}", processes)
              for index, processes in enumerate([2, 4])]
    for index, result in enumerate(rounds):
        assert result.ok, (index, result.codes, result.duplicates, result.missing,
                           result.plan_after, "\n---\n".join(result.unexplained)[-3000:])
    # the processes really raced: some of their creates met another's and yielded to it
    assert sum(result.resolved for result in rounds) > 0
