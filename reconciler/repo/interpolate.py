"""``${var}`` in manifest strings, from the environment's ``vars``.

``${name}`` is replaced by the variable's value; ``$${name}`` writes a literal
``${name}``; a ``$`` not followed by ``{`` stays as it is. A reference to an
undefined variable, or a malformed one (``${}``, ``${not a name}``), is a
problem at the string that holds it. Keys are never interpolated, values of
every string are (names, tile ids, event names, markdown, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.dashboard import MAX_MESSAGE_BYTES

_REFERENCE = re.compile(r"\$(\$?)\{([^{}]*)\}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Report = Callable[[tuple[str | int, ...], str], None]


class _TooLarge(Exception):
    """The expansion passed the bound; it stops there."""


def interpolate(data: Any, variables: Mapping[str, str], report: Report, *, scope: str,
                limit: int = MAX_MESSAGE_BYTES) -> Any:
    """data with every reference replaced; problems go to report(path, message).

    Containers are copied only where a string changed, so data itself is
    never modified (it may be shared between environments). The values put in
    count against ``limit`` characters (the API's message limit): the expansion
    stops as soon as it passes it, with a problem at that string, so a small
    file and a large variable never take much memory or time (SPEC §2).
    """
    budget = [limit]

    def string(value: str, path: tuple[str | int, ...]) -> str:
        def replace(match: re.Match[str]) -> str:
            escaped, name = match.groups()
            if escaped:
                return "${" + name + "}"
            if not _VARIABLE.fullmatch(name):
                report(path, f"invalid variable reference ${{{name}}} (expected ${{name}})")
                return match.group()
            if name not in variables:
                known = ", ".join(sorted(variables)) or "none"
                report(path, f"undefined variable ${{{name}}} in {scope} (vars: {known})")
                return match.group()
            budget[0] -= len(variables[name])
            if budget[0] < 0:
                report(path, f"${{{name}}} makes the dashboard larger than the API's "
                             f"{limit // (1024 * 1024)} MiB message limit in {scope}: refused")
                raise _TooLarge
            return variables[name]

        return _REFERENCE.sub(replace, value)

    def walk(value: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(value, str):
            return string(value, path) if "$" in value else value
        if isinstance(value, dict):
            changed = {key: walk(item, (*path, key)) for key, item in value.items()}
            same = all(changed[key] is item for key, item in value.items())
            return value if same else changed
        if isinstance(value, list):
            items = [walk(item, (*path, index)) for index, item in enumerate(value)]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        return value

    try:
        return walk(data, ())
    except _TooLarge:
        return data
