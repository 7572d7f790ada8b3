"""A fake GitHub on real HTTP for the tests of `dashctl comment` and the CI templates.

- ``github``: the fake (tests/support/fake_github.py) on 127.0.0.1 for one test;
- ``github_env``: the same, with the variables GitHub Actions sets pointing at it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_github import FakeGitHub, RunningFake

TOKEN = "ghs_FakeInstallationToken0123456789abcdef"
REPO = "acme/dashboards"
PR = 7


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(token=TOKEN)
    running = RunningFake(fake)
    try:
        yield fake
    finally:
        running.close()


@pytest.fixture
def github_env(github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """The variables GitHub Actions sets, pointing at the fake."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    return github
