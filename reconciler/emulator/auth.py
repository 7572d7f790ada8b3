"""JWT (HS256) tokens for the emulator: minting (`dashctl token`) and verification.

A token grants projects through its ``projects`` claim (a list of project ids;
a single ``project`` string is accepted too) and must carry ``exp``. The
emulator answers:

- ``unauthenticated`` to a missing or non-Bearer ``Authorization`` header and
  to a malformed, expired or wrongly signed token, or one signed with any
  algorithm but HS256 (``alg: none`` included);
- ``invalid_argument`` when the ``x-project-id`` header is missing or empty;
- ``permission_denied`` when the token does not grant ``x-project-id``.

Messages never repeat the token.
"""

from __future__ import annotations

import functools
import time
import warnings
from typing import Any

import jwt

ALGORITHM = "HS256"
PROJECTS_CLAIM = "projects"


class AuthFailure(Exception):
    """A request the emulator refuses; ``code`` is the Connect error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def mint_token(*, secret: str, project: str, ttl: int = 3600) -> str:
    """Return an HS256 JWT that grants ``project`` for ``ttl`` seconds."""
    now = int(time.time())
    claims = {"sub": "dashctl", PROJECTS_CLAIM: [project], "iat": now, "exp": now + ttl}
    with warnings.catch_warnings():
        # A short test secret is fine for an emulator; PyJWT would warn on each call.
        warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm=ALGORITHM)


def granted_projects(claims: dict[str, Any]) -> set[str]:
    """The projects a verified token grants."""
    granted: set[str] = set()
    projects = claims.get(PROJECTS_CLAIM)
    if isinstance(projects, list):
        granted.update(p for p in projects if isinstance(p, str))
    single = claims.get("project")
    if isinstance(single, str):
        granted.add(single)
    return granted


def verify_token(token: str, *, secret: str) -> dict[str, Any]:
    """Return the claims of a valid token, or raise AuthFailure(unauthenticated)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            claims: dict[str, Any] = jwt.decode(
                token, secret, algorithms=[ALGORITHM], options={"require": ["exp"]}
            )
    except jwt.ExpiredSignatureError:
        raise AuthFailure("unauthenticated", "token expired") from None
    except jwt.InvalidSignatureError:
        raise AuthFailure("unauthenticated", "token signature is invalid") from None
    except jwt.InvalidAlgorithmError:
        raise AuthFailure("unauthenticated", f"token algorithm must be {ALGORITHM}") from None
    except jwt.MissingRequiredClaimError as error:
        raise AuthFailure("unauthenticated", f"token lacks the {error.claim!r} claim") from None
    except jwt.InvalidTokenError:
        raise AuthFailure("unauthenticated", "token is malformed") from None
    return claims


@functools.lru_cache(maxsize=256)
def _verified(token: str, secret: str) -> tuple[dict[str, Any], frozenset[str]]:
    """The claims of a token verified once, and the projects it grants. A fleet's token
    grants thousands of projects: PyJWT checks it in ~3 ms, every request paid that
    (bench/bench_fleet.py then measured the emulator, not dashctl)."""
    claims = verify_token(token, secret=secret)
    return claims, frozenset(granted_projects(claims))


def authorize(authorization: str | None, project: str | None, *, secret: str) -> str:
    """Check the request's headers; return the project it may act on.

    Raises AuthFailure with the Connect code to answer.
    """
    if not authorization:
        raise AuthFailure("unauthenticated", "missing Authorization: Bearer <token> header")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthFailure("unauthenticated", "Authorization header must be 'Bearer <token>'")
    claims, granted = _verified(token, secret)
    if time.time() >= claims["exp"]:  # checked on every use: a remembered token still expires
        raise AuthFailure("unauthenticated", "token expired")
    if not project:
        raise AuthFailure("invalid_argument", "missing x-project-id header")
    if project not in granted:
        raise AuthFailure("permission_denied", f"token does not grant project {project!r}")
    return project
