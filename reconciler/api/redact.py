"""Keeping secrets out of every message the client formats.

The client runs every string it puts into an exception or a log record
through :func:`redact`: the token it was given is replaced, and so is
anything that looks like a bearer credential or a JWT, in case a server or a
transport echoes one back.
"""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
_JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")


def redact(text: str, *secrets: str | None) -> str:
    """Return ``text`` with each secret, bearer credential and JWT replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _BEARER.sub(lambda match: match.group(1) + REDACTED, text)
    return _JWT.sub(REDACTED, text)
