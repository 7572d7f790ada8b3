"""Fixtures shared by every test folder: the Dashboards API emulator over real HTTP.

- ``emulator``: a plain `dashctl serve` on 127.0.0.1 for one test (a Server:
  ``.url``, ``.secret``, ``.db_path``, ``.token(project)``, ``.ok(method, body)``).
- ``emulator_factory``: start servers with options,
  ``emulator_factory(quirks=True, fault_rate=0.3, seed=1)``; each gets its own
  database under tmp_path unless ``db_path=`` is given; all are stopped at
  the end of the test.
- ``server`` and ``newer_server``: one plain `dashctl serve`, and one
  `dashctl serve --newer-api`, shared by the tests of a module (each test
  works in projects of its own).

Browser tests get ``browser`` and ``tab`` from tests/support/browser.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import browser, tab
from tests.support.server import Server, running_server, start_server, stop

EmulatorFactory = Callable[..., Server]

__all__ = ["browser", "tab"]


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture(scope="module")
def newer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("newer"), newer_api=True) as running:
        yield running
