"""`dashctl token`: mint a JWT (HS256) that the emulator accepts for one project."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.commands import console
from reconciler.emulator.auth import mint_token


@dataclass(frozen=True, kw_only=True)
class TokenOptions:
    project: str
    jwt_secret: str
    ttl: int = 3600


def run(options: TokenOptions) -> int:
    console.out(mint_token(secret=options.jwt_secret, project=options.project, ttl=options.ttl))
    return 0
