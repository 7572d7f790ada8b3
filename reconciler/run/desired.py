"""The desired side of a run: every selected environment's manifests, loaded where it costs least.

Loading is CPU work (parse, schema, model, lints) and reading live state is
mostly decoding answers, CPU work too. Under one interpreter lock the two take
the sum of their times; in two processes, the longer of them (a first plan of
2,000 dashboards x 25 tiles: 1.18x the raw fetch in one process, 1.09x with
the worker; bench/bench_plan.py). So a large selection is loaded in a worker
process while the run reads live state, as black formats files in a process
pool, and what crosses back is small: each manifest's tiles are one JSON
string. A small selection is loaded in place: starting a process would cost
more than it saves.

The worker is `python -m reconciler.repo` on this interpreter: a child that
imports only the pipeline, is handed its work and gives back the result over
its own pipes (pickles between two processes of one dashctl), and is waited
for before the run goes on, so nothing is left behind. Should it fail to start
or die, the selection is loaded in place.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

from reconciler.repo.config import Environment
from reconciler.repo.pipeline import Desired, load_selection, selection_files

log = logging.getLogger("dashctl.load")

WORKER_FILES = 200  # files below which loading in place costs less than a worker process


def worth_a_worker(root: Path, environments: Sequence[Environment]) -> bool:
    """Whether loading ``environments`` in a worker process pays (and a second core is there)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) > 1 and selection_files(root, environments) >= WORKER_FILES


async def load_desired(root: Path, environments: Sequence[Environment]) -> list[Desired]:
    """`load_selection` of ``environments``: in a worker process when that pays, else here."""
    if worth_a_worker(root, environments):
        try:
            return await _in_worker(root, list(environments))
        except (OSError, EOFError, pickle.UnpicklingError, RuntimeError) as error:
            log.info("loading in a worker process failed (%s); loading here", error)
    return load_selection(root, environments)


async def _in_worker(root: Path, environments: list[Environment]) -> list[Desired]:
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "reconciler.repo",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    try:
        out, _ = await worker.communicate(pickle.dumps((Path.cwd(), root, environments)))
    except BaseException:
        worker.kill()
        await worker.wait()
        raise
    if worker.returncode != 0:
        raise RuntimeError(f"the worker exited with {worker.returncode}")
    loaded: list[Desired] = pickle.loads(out)
    return loaded
