"""Keeping secrets out of every message the client formats.

The client runs every string it puts into an exception or a log record
through :func:`redact`: the token it was given is replaced, and so is
anything that looks like a bearer credential, a JWT or the credentials of a url
(``https://user:pass@host``), in case a server or a transport echoes one back.
"""

from __future__ import annotations

import re

from reconciler.repo.urls import REDACTED, redact_userinfo

__all__ = ["REDACTED", "redact"]

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
_JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")


def redact(text: str, *secrets: str | None) -> str:
    """Return ``text`` with each secret, bearer credential, JWT and url credential replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _BEARER.sub(lambda match: match.group(1) + REDACTED, text)
    return redact_userinfo(_JWT.sub(REDACTED, text))
