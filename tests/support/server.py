"""A real `dashctl serve` in a subprocess, for end-to-end tests over HTTP on 127.0.0.1.

    with running_server(tmp_path, quirks=True) as server:
        token = server.token("proj_a")
        httpx.post(f"{server.url}/dashboards.v1.DashboardsService/List", ...)

The server runs ``python -m reconciler.cli serve --port 0`` (a free port), is
ready once it printed ``listening on http://HOST:PORT``, and is stopped at the
end of the block (SIGTERM, then SIGKILL after 5 s). Its stderr goes to
``serve.log`` beside the database, which a failure message quotes.
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

from reconciler.emulator.auth import mint_token

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0
_LISTENING = "listening on "


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
        return {
            "authorization": f"Bearer {self.token(project)}",
            "x-project-id": project,
            "content-type": "application/json",
            "connect-protocol-version": "1",
        }

    def rpc_url(self, method: str) -> str:
        return f"{self.url}/dashboards.v1.DashboardsService/{method}"

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def serve_command(
    *,
    db_path: Path,
    secret: str,
    quirks: bool = False,
    fault_rate: float = 0.0,
    ambiguous_create_rate: float = 0.0,
    latency_ms: int = 0,
    seed: int | None = None,
    port: int = 0,
    newer_api: bool = False,
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "reconciler.cli",
        "serve",
        "--db",
        str(db_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--jwt-secret",
        secret,
        "--fault-rate",
        str(fault_rate),
        "--ambiguous-create-rate",
        str(ambiguous_create_rate),
        "--latency-ms",
        str(latency_ms),
    ]
    if quirks:
        command.append("--quirks")
    if newer_api:
        command.append("--newer-api")
    if seed is not None:
        command += ["--seed", str(seed)]
    return command


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


def start_server(
    tmp_path: Path,
    *,
    quirks: bool = False,
    fault_rate: float = 0.0,
    ambiguous_create_rate: float = 0.0,
    latency_ms: int = 0,
    seed: int | None = None,
    secret: str = "test-secret",
    db_path: Path | None = None,
    port: int = 0,
    newer_api: bool = False,
) -> Server:
    """Start a server and wait until it accepts connections (the caller stops it)."""
    db = db_path if db_path is not None else tmp_path / "emulator.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    log_path = db.with_name(db.name + f".serve-{time.monotonic_ns()}.log")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DASHCTL_JWT_SECRET", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            serve_command(
                db_path=db,
                secret=secret,
                quirks=quirks,
                fault_rate=fault_rate,
                ambiguous_create_rate=ambiguous_create_rate,
                latency_ms=latency_ms,
                seed=seed,
                port=port,
                newer_api=newer_api,
            ),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
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
def running_server(
    tmp_path: Path,
    *,
    quirks: bool = False,
    fault_rate: float = 0.0,
    ambiguous_create_rate: float = 0.0,
    latency_ms: int = 0,
    seed: int | None = None,
    secret: str = "test-secret",
    db_path: Path | None = None,
    newer_api: bool = False,
) -> Iterator[Server]:
    """A running `dashctl serve` for the duration of the block."""
    server = start_server(
        tmp_path,
        quirks=quirks,
        fault_rate=fault_rate,
        ambiguous_create_rate=ambiguous_create_rate,
        latency_ms=latency_ms,
        seed=seed,
        secret=secret,
        db_path=db_path,
        newer_api=newer_api,
    )
    try:
        yield server
    finally:
        stop(server.process)
