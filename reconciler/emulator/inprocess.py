"""The in-process emulator for ``sqlite:PATH`` environments.

``inprocess_transport(db_path, project)`` builds the very app `dashctl serve`
runs, with a random secret of this process, and returns an
``httpx.ASGITransport`` over it plus a token for ``project``: the client then
talks to it as to a server (base URL e.g. ``http://emulator``), with the same
headers, codecs, errors and quirks, and no socket.

It is the local development server, so by default it behaves like
``dashctl serve --newer-api``: tile fields and tile types the proto does not
know (set in a UI, or seeded by a test) are kept and returned as sent. Pass
``options`` to choose otherwise.

An injected dropped connection surfaces as ``httpx.RemoteProtocolError`` (see
``faults.py``); no other exception leaves the app.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import httpx

from reconciler.emulator.app import create_app
from reconciler.emulator.auth import mint_token
from reconciler.emulator.options import EmulatorOptions


def inprocess_transport(
    db_path: Path, project: str, *, options: EmulatorOptions | None = None
) -> tuple[httpx.AsyncBaseTransport, str]:
    """An ASGI transport over a fresh emulator app on ``db_path``, and a token for ``project``.

    ``options`` default to ``EmulatorOptions(newer_api=True)``."""
    transport, mint = inprocess_server(db_path, options=options)
    return transport, mint(project)


def inprocess_server(
    db_path: Path, *, options: EmulatorOptions | None = None
) -> tuple[httpx.AsyncBaseTransport, Callable[[str], str]]:
    """An ASGI transport over one emulator app on ``db_path``, and a minter of tokens for
    any project of it (a fleet's members share one in-process server)."""
    secret = secrets.token_urlsafe(32)
    chosen = options if options is not None else EmulatorOptions(newer_api=True)
    app = create_app(db_path=Path(db_path), jwt_secret=secret, options=chosen)

    def mint(project: str) -> str:
        return mint_token(secret=secret, project=project, ttl=7 * 24 * 3600)

    return httpx.ASGITransport(app=app), mint
