"""Clients on the real emulator, over HTTP on 127.0.0.1 or in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.api import DashboardsClient
from reconciler.clients import IN_PROCESS_URL
from reconciler.emulator.inprocess import inprocess_transport
from reconciler.emulator.options import EmulatorOptions
from tests.conftest import EmulatorFactory

ClientFactory = Callable[..., DashboardsClient]

FAST_RETRIES: dict[str, Any] = {"backoff_base": 0.001, "backoff_cap": 0.01, "max_attempts": 12}
"""Retry settings that keep fault-injection tests fast (and, at a 30 % fault rate,
make twelve failures in a row a one-in-two-million event)."""

SERVER_OPTIONS = ("fault_rate", "ambiguous_create_rate", "latency_ms", "quirks", "seed")


@pytest.fixture(params=["http", "inprocess"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_client(
    mode: str, tmp_path: Path, emulator_factory: EmulatorFactory
) -> Iterator[ClientFactory]:
    """``make_client(project="p", fault_rate=0.3, seed=1, **client_options)``.

    Server options start one emulator per distinct set (HTTP) or one app (in
    process); every client of one set shares its database.
    """
    servers: dict[tuple[Any, ...], Any] = {}

    def make(*, project: str = "proj_a", **options: Any) -> DashboardsClient:
        server_options = {k: options.pop(k) for k in SERVER_OPTIONS if k in options}
        key = tuple(sorted(server_options.items()))
        if mode == "http":
            if key not in servers:
                servers[key] = emulator_factory(**server_options)
            server = servers[key]
            return DashboardsClient(
                base_url=server.url, project=project, token=server.token(project), **options
            )
        db_path = tmp_path / f"inprocess-{abs(hash(key))}.db"
        transport, token = inprocess_transport(
            db_path, project, options=EmulatorOptions(**server_options)
        )
        return DashboardsClient(
            base_url=IN_PROCESS_URL, project=project, token=token, transport=transport, **options
        )

    yield make
