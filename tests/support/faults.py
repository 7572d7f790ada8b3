"""Fault sweeps: many seeds on the emulator in-process, a few over real HTTP.

A sweep runs one scenario against the real emulator app under injected faults,
once per seed. In-process (the app behind an ASGI transport, as a ``sqlite:``
environment runs it) a seed costs a fraction of a second, so a sweep tries
many; over HTTP on 127.0.0.1 (a `dashctl serve` process per seed) it tries a
few, to show that sockets, dropped connections and the server's own process
behave the same.

    @pytest.mark.parametrize(("transport", "seed"), sweep())
    def test_converges(transport: str, seed: int) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator import inprocess
from reconciler.emulator.options import EmulatorOptions

IN_PROCESS_SEEDS = 40
HTTP_SEEDS = 3


def sweep(in_process: int = IN_PROCESS_SEEDS, http: int = HTTP_SEEDS,
          first: int = 0) -> list[Any]:
    """(transport, seed) parameters: ``in_process`` seeds in-process, the first ``http`` of
    them over HTTP too."""
    return ([pytest.param("inprocess", seed, id=f"inprocess-{seed}")
             for seed in range(first, first + in_process)]
            + [pytest.param("http", seed, id=f"http-{seed}")
               for seed in range(first, first + http)])


@contextmanager
def faulty_sqlite_environments(monkeypatch: pytest.MonkeyPatch,
                               **chosen_options: Any) -> Iterator[list[Path]]:
    """Within the block, the in-process emulator of every ``sqlite:`` environment runs with
    these EmulatorOptions (``fault_rate=0.3, seed=1``, ...; newer_api as by default).

    Each app started (one per CLI run) draws its faults from a seed of its own, derived
    from ``seed``: the runs of one test meet faults as the calls to one long-running
    server would, not the same ones again. The block gets the database of every app
    started, so that a test can show the faulty emulator was the one used."""
    real = inprocess.inprocess_server
    started: list[Path] = []

    def faulty(db_path: Path, *, options: EmulatorOptions | None = None
               ) -> tuple[httpx.AsyncBaseTransport, Callable[[str], str]]:
        chosen = {"newer_api": True, **chosen_options}
        if chosen.get("seed") is not None:
            chosen["seed"] = chosen["seed"] * 1000 + len(started)
        started.append(db_path)
        return real(db_path, options=EmulatorOptions(**chosen))

    with monkeypatch.context() as patch:
        patch.setattr(inprocess, "inprocess_server", faulty)
        yield started
