"""The API's limits on a manifest, and the bound on problems reported per file. Pure.

The limits (SPEC §1) are in the committed JSON Schema too (``maxLength``,
``pattern``, ``maxItems``), for editors; the schema's own words for them
would quote a 1,000-character name or a 500-tile list, so the problems here,
which say which limit and why, take the place of a schema problem at the same
node (:func:`prefer`).

A file reports at most :data:`MAX_PROBLEMS_PER_FILE` problems, then one more
that says how many were left out (:func:`capped`); problems are taken from an
iterator, so the ones left out are counted, never built into a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from reconciler.dashboard import BLANK_CHARACTERS, MAX_NAME_LENGTH, MAX_TILES
from reconciler.repo.problem import Problem
from reconciler.repo.schema import shorten
from reconciler.repo.yaml_io import YamlDocument

MAX_PROBLEMS_PER_FILE = 100

_BLANK = re.compile(f"[{BLANK_CHARACTERS}]*")


def is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


def name_problem(name: str) -> str | None:
    """Why the API would refuse ``name`` as a dashboard name, or None."""
    if not name:
        return None  # the schema says "must not be empty"
    control = next((char for char in name if is_control(char)), None)
    if control is not None:
        return (f"name holds the control character U+{ord(control):04X}"
                " (the API refuses names with control characters)")
    if _BLANK.fullmatch(name):
        return "name is blank (the API refuses a name of only spaces)"
    if len(name) > MAX_NAME_LENGTH:
        return (f"name is {len(name):,} characters long, over the API's limit of"
                f" {MAX_NAME_LENGTH:,}: {shorten(name)}")
    return None


def limit_problems(document: YamlDocument, data: Any) -> list[Problem]:
    """The API's limits: the name's length and characters, the number of tiles."""
    if not isinstance(data, dict):
        return []
    problems: list[Problem] = []
    name = data.get("name")
    why = name_problem(name) if isinstance(name, str) else None
    if why is not None:
        problems.append(document.problem(("name",), why))
    tiles = data.get("tiles")
    if isinstance(tiles, list) and len(tiles) > MAX_TILES:
        message = (f"{len(tiles):,} tiles, over the API's limit of {MAX_TILES} tiles"
                   " per dashboard: split it into several dashboards")
        problems.append(document.problem(("tiles",), message))
    return problems


def prefer(specific: list[Problem], general: Iterable[Problem]) -> list[Problem]:
    """``general`` without the problems located where one of ``specific`` is, with those
    (in order of location); ``general`` as it is when there are none."""
    if not specific:
        return list(general)
    taken = {(problem.file, problem.line, problem.column) for problem in specific}
    kept = [p for p in general if (p.file, p.line, p.column) not in taken]
    return sorted([*kept, *specific], key=lambda problem: (problem.line, problem.column))


@dataclass(frozen=True)
class MoreProblems(Problem):
    """The line that stands for the problems of a file left out of the report."""

    count: int = 0

    @classmethod
    def at(cls, first_left_out: Problem, count: int) -> MoreProblems:
        noun = "problem" if count == 1 else "problems"
        message = f"... and {count:,} more {noun} in this file"
        return cls(first_left_out.file, first_left_out.line, first_left_out.column, message,
                   count)


def capped(problems: Iterable[Problem], *, limit: int = MAX_PROBLEMS_PER_FILE) -> list[Problem]:
    """The first ``limit`` problems of one file, then one line counting the rest.

    The rest is only counted: an iterator of a million problems costs no memory.
    """
    shown: list[Problem] = []
    rest: Iterator[Problem] = iter(problems)
    for problem in rest:
        if len(shown) < limit:
            shown.append(problem)
            continue
        count = 1 + sum(1 for _ in rest)
        return [*shown, MoreProblems.at(problem, count)]
    return shown


def cap_per_file(
    problems: Iterable[Problem], *, limit: int = MAX_PROBLEMS_PER_FILE
) -> list[Problem]:
    """At most ``limit`` problems of each file, in their order, and one count line per file.

    Counts already made (a :class:`MoreProblems` of an earlier cap) are added up.
    """
    shown: list[Problem] = []
    count: dict[str, int] = {}
    left_out: dict[str, int] = {}
    first_left_out: dict[str, Problem] = {}
    last_shown: dict[str, int] = {}
    for problem in problems:
        if isinstance(problem, MoreProblems) or count.get(problem.file, 0) >= limit:
            extra = problem.count if isinstance(problem, MoreProblems) else 1
            left_out[problem.file] = left_out.get(problem.file, 0) + extra
            first_left_out.setdefault(problem.file, problem)
            continue
        count[problem.file] = count.get(problem.file, 0) + 1
        shown.append(problem)
        last_shown[problem.file] = len(shown)
    for file in sorted(left_out, key=lambda name: last_shown.get(name, 0), reverse=True):
        more = MoreProblems.at(first_left_out[file], left_out[file])
        shown.insert(last_shown.get(file, len(shown)), more)
    return shown
