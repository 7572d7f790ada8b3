"""`dashctl serve`: run the Dashboards API emulator on real HTTP until stopped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.server import serve
from reconciler.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class ServeOptions:
    db: Path = Path(".dashctl/serve.db")
    host: str = "127.0.0.1"
    port: int = 8080
    jwt_secret: str | None = None
    emulator: EmulatorOptions = field(default_factory=EmulatorOptions)


def run(options: ServeOptions) -> int:
    if not options.jwt_secret:
        raise ConfigError(
            "the emulator needs a JWT secret: pass --jwt-secret or set DASHCTL_JWT_SECRET")
    serve(db=options.db, host=options.host, port=options.port, jwt_secret=options.jwt_secret,
          options=options.emulator)
    return 0
