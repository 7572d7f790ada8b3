"""Fixtures of the repository tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.repo.garbage import scratch_folder


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """One folder for every generated case of a test (on /dev/shm when there is one)."""
    with scratch_folder(tmp_path) as folder:
        yield folder
