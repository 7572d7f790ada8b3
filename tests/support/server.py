"""A real `dashctl serve` in a subprocess, for end-to-end tests over HTTP on 127.0.0.1.

    with running_server(tmp_path, quirks=True) as server:
        board = server.ok("Create", {"name": "Growth"}, project="proj_a")["dashboard"]

The server runs ``python -m reconciler.cli serve --port 0`` (a free port), is
ready once it printed ``listening on http://HOST:PORT``, and is stopped at the
end of the block (SIGTERM, then SIGKILL after 5 s). Its stderr goes to
``serve.log`` beside the database, which a failure message quotes. The
options are those of `reconciler.emulator.options.EmulatorOptions` (the flags
of `dashctl serve`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from reconciler.emulator.auth import mint_token
from reconciler.emulator.options import EmulatorOptions

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0
SECRET = "test-secret"
PROJECT = "proj_test"
_LISTENING = "listening on "


def connect_headers(token: str, project: str) -> dict[str, str]:
    """The headers of a JSON Connect call on ``project`` with ``token``."""
    return {
        "authorization": f"Bearer {token}",
        "x-project-id": project,
        "content-type": "application/json",
        "connect-protocol-version": "1",
    }


@dataclass
class Server:
    """A running emulator: its base URL, JWT secret and database file."""

    url: str
    secret: str
    db_path: Path
    process: subprocess.Popen[str] = field(repr=False)
    log_path: Path | None = None

    def token(self, project: str, *, ttl: int = 3600) -> str:
        """A token this server accepts for ``project``."""
        return mint_token(secret=self.secret, project=project, ttl=ttl)

    def headers(self, project: str) -> dict[str, str]:
        """The auth headers of a JSON Connect call on ``project``."""
        return connect_headers(self.token(project), project)

    def rpc_url(self, method: str) -> str:
        return f"{self.url}/dashboards.v1.DashboardsService/{method}"

    def call(self, method: str, body: Any = None, *, project: str = PROJECT,
             client: httpx.Client | None = None) -> httpx.Response:
        """One JSON Connect call of ``method`` on ``project``."""
        post = client.post if client is not None else httpx.post
        return post(self.rpc_url(method), json=body or {}, headers=self.headers(project))

    def ok(self, method: str, body: Any = None, **options: Any) -> dict[str, Any]:
        """The answer of a call that must succeed."""
        response = self.call(method, body, **options)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def make_dashboard(self, project: str, name: str, tiles: list[dict[str, Any]]) -> str:
        """Create a dashboard with ``tiles`` through the API, as any client would; its id."""
        created = self.ok("Create", {"name": name}, project=project)["dashboard"]
        self.ok("Upsert", {"dashboardId": created["id"], "tiles": tiles}, project=project)
        return str(created["id"])

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def serve_command(*, db_path: Path, secret: str, port: int = 0,
                  options: EmulatorOptions | None = None) -> list[str]:
    """The command line of `dashctl serve` with these options."""
    chosen = options or EmulatorOptions()
    command = [
        sys.executable, "-m", "reconciler.cli", "serve", "--db", str(db_path),
        "--host", "127.0.0.1", "--port", str(port), "--jwt-secret", secret,
        "--fault-rate", str(chosen.fault_rate),
        "--ambiguous-create-rate", str(chosen.ambiguous_create_rate),
        "--latency-ms", str(chosen.latency_ms),
    ]
    if chosen.quirks:
        command.append("--quirks")
    if chosen.newer_api:
        command.append("--newer-api")
    if chosen.seed is not None:
        command += ["--seed", str(chosen.seed)]
    return command


def serve_env() -> dict[str, str]:
    """The environment of a dashctl child process: this checkout importable, output
    unbuffered, no JWT secret inherited."""
    env = {key: value for key, value in os.environ.items() if key != "DASHCTL_JWT_SECRET"}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return env


def _wait_for_url(process: subprocess.Popen[str], timeout: float) -> str | None:
    """Read stdout until the ``listening on`` line; None on timeout or exit."""
    found: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(_LISTENING):
                found.append(line[len(_LISTENING) :].strip())
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return found[0] if found else None


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL if it lingers; always reaps the process."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def start_server(tmp_path: Path, *, secret: str = SECRET, db_path: Path | None = None,
                 port: int = 0, **options: Any) -> Server:
    """Start a server and wait until it accepts connections (the caller stops it).

    ``options``: the fields of EmulatorOptions (``quirks=True``, ``fault_rate=0.3``, ...)."""
    db = db_path if db_path is not None else tmp_path / "emulator.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    log_path = db.with_name(db.name + f".serve-{time.monotonic_ns()}.log")
    command = serve_command(db_path=db, secret=secret, port=port,
                            options=EmulatorOptions(**options))
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=serve_env(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=log, text=True)
    url = _wait_for_url(process, START_TIMEOUT_S)
    if url is None:
        stop(process)
        details = log_path.read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(
            f"dashctl serve did not start within {START_TIMEOUT_S:.0f} s "
            f"(exit code {process.returncode}):\n{details}"
        )
    return Server(url=url, secret=secret, db_path=db, process=process, log_path=log_path)


@contextmanager
def running_server(tmp_path: Path, **options: Any) -> Iterator[Server]:
    """A running `dashctl serve` for the duration of the block (options as start_server's)."""
    server = start_server(tmp_path, **options)
    try:
        yield server
    finally:
        stop(server.process)

