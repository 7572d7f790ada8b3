"""The desired side of a run: every selected environment's manifests, loaded where it costs least.

Loading is CPU work (parse, schema, model, lints) and reading live state is
mostly waiting on the network plus decoding answers, also CPU. Under one
interpreter lock the two take the sum of their times; in two processes, the
longer of them. So a large selection is loaded in a worker process while the
run reads live state (as black formats files in a process pool), and what
crosses back is small: each manifest's tiles are one JSON string. A small
selection is loaded in place: starting a process would cost more than it saves.

The worker is started with `forkserver` (never `fork`: the run's process has
threads by then), its server preloading the pipeline so that the worker
starts in milliseconds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reconciler.repo.config import Environment
from reconciler.repo.pipeline import Desired, load_selection, selection_files

WORKER_FILES = 200  # files below which loading in place costs less than a worker process
_PRELOAD = ["reconciler.repo.pipeline"]


def worth_a_worker(root: Path, environments: Sequence[Environment]) -> bool:
    """Whether loading ``environments`` in a worker process pays (and a second core is there)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) > 1 and selection_files(root, environments) >= WORKER_FILES


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


async def load_desired(root: Path, environments: Sequence[Environment]) -> list[Desired]:
    """`load_selection` of ``environments``: in a worker process when that pays, else here."""
    if not worth_a_worker(root, environments):
        return load_selection(root, environments)
    with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as pool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            pool, _load_from, Path.cwd(), root, list(environments))


def _load_from(cwd: Path, root: Path, environments: list[Environment]) -> list[Desired]:
    """`load_selection` in the worker, from the run's working folder (problems name files
    relative to it, and a relative root is taken from it)."""
    os.chdir(cwd)
    return load_selection(root, environments)
