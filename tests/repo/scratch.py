"""A scratch folder for generated-garbage tests, on a RAM-backed file system when there is one.

Creating and removing files on a disk costs milliseconds each (more than checking a
small repository), so the corpus tests write their thousands of cases into one folder
under /dev/shm when it is writable, else under the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings

RAM = Path("/dev/shm")
SCALE = max(1, int(os.environ.get("DASHCTL_GARBAGE_SCALE", "1") or 1))
"""Multiplies the number of generated cases (e.g. DASHCTL_GARBAGE_SCALE=10 for a deep run)."""


def corpus_settings(examples: int) -> settings:
    """Hypothesis settings for a corpus test of ``examples`` cases (times SCALE)."""
    return settings(max_examples=examples * SCALE, deadline=None,
                    suppress_health_check=list(HealthCheck))


@contextmanager
def scratch_folder(fallback: Path) -> Iterator[Path]:
    """A fresh folder, removed at the end."""
    base = RAM if RAM.is_dir() and os.access(RAM, os.W_OK) else fallback
    folder = Path(tempfile.mkdtemp(prefix="dashctl-garbage-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fresh_repo(folder: Path) -> Path:
    """An empty repository folder inside ``folder`` (the previous case's removed)."""
    root = folder / "repo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    return root
