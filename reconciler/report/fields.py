"""One changed value as the text and markdown renderers show it. Pure.

A short value is one line, ``old -> new``. A change to a string that holds a
line break or is longer than :data:`LONG` characters (markdown content, a
long name) is a unified line diff of the old and new text (difflib), so a
real edit is never hidden by two cut-off strings. Everything shown goes
through :func:`reconciler.report.sanitize.escape_controls`.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from reconciler.report.sanitize import escape_controls

LONG = 60  # a string longer than this is shown as a line diff
SHORT_VALUE = 80  # other values (lists, mappings) are cut to this many characters


def show(value: Any) -> str:
    """A short value on one line: JSON, controls escaped; non-strings cut at 80 characters."""
    if value is None:
        return "(none)"
    text = escape_controls(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, str) or len(text) <= SHORT_VALUE:
        return text
    return text[: SHORT_VALUE - 3] + "..."


def needs_line_diff(old: Any, new: Any) -> bool:
    """True when ``old -> new`` is a change to a multi-line or long string."""
    if not all(isinstance(value, str | None) for value in (old, new)):
        return False
    return any(isinstance(v, str) and ("\n" in v or len(v) > LONG) for v in (old, new))


def _lines(text: str) -> list[str]:
    return text.split("\n")


def line_diff(old: str, new: str, *, labels: tuple[str, str]) -> list[str]:
    """The unified diff of ``old`` and ``new`` by lines, each line escaped.

    A final line break that both sides have is not shown as an empty last line.
    """
    before, after = _lines(old), _lines(new)
    if old.endswith("\n") and new.endswith("\n"):
        before, after = before[:-1], after[:-1]
    diff = difflib.unified_diff(before, after, fromfile=labels[0], tofile=labels[1], lineterm="")
    return [escape_controls(line) for line in diff]


def value_change(
    path: str, old: Any, new: Any, *, labels: tuple[str, str], named: bool = False
) -> tuple[str, list[str]]:
    """(the line naming the change, the line diff under it, if any).

    ``labels`` name the two sides (``live``/``git``); ``named`` writes them on a
    one-line change too (``git 6 -> live 8``).
    """
    where = escape_controls(path)
    if needs_line_diff(old, new):
        return f"{where}:", line_diff(old or "", new or "", labels=labels)
    if named:
        return f"{where}: {labels[0]} {show(old)} -> {labels[1]} {show(new)}", []
    return f"{where}: {show(old)} -> {show(new)}", []
