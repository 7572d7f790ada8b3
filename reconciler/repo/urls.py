"""Credentials in a url (``https://user:pass@host``): found, stripped, redacted. Pure.

dashctl authenticates with the bearer token named by ``token_env`` only. A url
that holds credentials is a validation error; wherever a url could still be
shown (a log, an error) its userinfo is replaced, and the client strips it
before it builds its requests (httpx would otherwise send it as Basic auth).
"""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"

# scheme://userinfo@ : the userinfo runs to the last "@" before the path, query or fragment
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@")
_USERINFO_IN_TEXT = re.compile(r"((?:\b[A-Za-z][A-Za-z0-9+.-]*)?://)[^/?#\s'\"]*@")
# a message may quote a url cut short ('https://user:pa…'): what could be userinfo goes too
_CUT_USERINFO = re.compile(r"((?:\b[A-Za-z][A-Za-z0-9+.-]*)?://)[^/?#\s'\"@]*:[^/?#\s'\"@]*…")


def has_userinfo(url: str) -> bool:
    """True when ``url`` carries credentials (or any userinfo) before its host."""
    return _USERINFO.match(url) is not None


def strip_userinfo(url: str) -> str:
    """``url`` without its userinfo: ``https://user:pass@host/x`` -> ``https://host/x``."""
    return _USERINFO.sub(r"\1", url, count=1)


def redact_userinfo(text: str) -> str:
    """``text`` with the userinfo of every url in it replaced by ``[REDACTED]``."""
    if "://" not in text:
        return text
    text = _USERINFO_IN_TEXT.sub(lambda match: f"{match.group(1)}{REDACTED}@", text)
    return _CUT_USERINFO.sub(lambda match: f"{match.group(1)}{REDACTED}…", text)
