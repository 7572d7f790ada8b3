"""Terminal colour, applied only when asked for."""

from __future__ import annotations

COLORS = {"+": "32", "~": "33", "-": "31", "!": "1;31", "bold": "1"}


def paint(text: str, key: str, *, color: bool) -> str:
    """Wrap ``text`` in the ANSI colour for ``key`` when ``color`` is on."""
    code = COLORS.get(key)
    return f"\033[{code}m{text}\033[0m" if color and code else text

