"""Fixtures shared by every test folder: the Dashboards API emulator over real HTTP.

- ``emulator``: a plain `dashctl serve` on 127.0.0.1 for one test (a Server:
  ``.url``, ``.secret``, ``.db_path``, ``.token(project)``, ``.ok(method, body)``).
- ``emulator_factory``: start servers with options,
  ``emulator_factory(quirks=True, fault_rate=0.3, seed=1)``; each gets its own
  database under tmp_path unless ``db_path=`` is given; all are stopped at
  the end of the test.
- ``server``, ``quirky_server`` and ``newer_server``: one plain `dashctl serve`,
  one with ``--quirks`` and one with ``--newer-api``, each shared by the tests
  of a module; each test works in projects of its own (``project`` is a fresh one).

Browser tests get ``browser`` and ``tab`` from tests/support/browser.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import browser, tab
from tests.support.git import no_git_identity
from tests.support.github import github, github_env
from tests.support.server import Server, running_server, start_server, stop

EmulatorFactory = Callable[..., Server]

__all__ = ["browser", "github", "github_env", "no_git_identity", "tab"]


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[EmulatorFactory]:
    started: list[Server] = []

    def start(**options: Any) -> Server:
        if "db_path" not in options:
            options["db_path"] = tmp_path / f"emulator-{len(started)}.db"
        server = start_server(tmp_path, **options)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            stop(server.process)


@pytest.fixture
def emulator(emulator_factory: EmulatorFactory) -> Server:
    return emulator_factory()


def _module_server(tmp_path_factory: pytest.TempPathFactory, name: str,
                   **options: Any) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp(name), **options) as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _module_server(tmp_path_factory, "serve")


@pytest.fixture(scope="module")
def quirky_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _module_server(tmp_path_factory, "quirky", quirks=True)


@pytest.fixture(scope="module")
def newer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _module_server(tmp_path_factory, "newer", newer_api=True)


@pytest.fixture
def project() -> str:
    """A project no other test uses."""
    return f"proj_{uuid.uuid4().hex[:8]}"
