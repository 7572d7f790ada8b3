"""One sanitiser for every line of text output (placeholder until the full one lands)."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")


def safe_line(text: str) -> str:
    """``text`` with control characters escaped and no leading workflow command."""
    escaped = _CONTROL.sub(_escape, text)
    return "\\" + escaped if escaped.startswith("::") else escaped
