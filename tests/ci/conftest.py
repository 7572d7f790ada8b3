"""Fixtures for the CI integration tests: a fake GitHub on real HTTP (with pull requests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ci.fake_pulls import github_pulls
from tests.support.factories import insight, markdown
from tests.support.github import PR, REPO, TOKEN
from tests.support.repo import write_repo

__all__ = ["PR", "REPO", "TOKEN", "github_pulls"]

ENVIRONMENTS = ("staging", "production")

# Tests that take minutes on a shared 2-core machine (a pip install from PyPI, whole
# workflows on the simulated runner): .ci/run runs them; `make test` skips them.
SLOW_CI = "DASHCTL_SLOW_CI_TESTS"
slow_ci = pytest.mark.skipif(not os.environ.get(SLOW_CI),
                             reason=f"slow: run by .ci/run, or set {SLOW_CI}=1")


def make_repo(root: Path) -> Path:
    """A GitOps repo at ``root``: two in-process emulator environments, one dashboard."""
    growth = {"name": "Growth KPIs", "tiles": [insight("dau"), markdown("goals", "# Weekly Goals")]}
    return write_repo(root, {"base/growth.yaml": growth},
                      environments={name: {"url": f"sqlite:{name}.db"} for name in ENVIRONMENTS})
