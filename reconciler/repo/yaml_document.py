"""A parsed YAML file: its plain data, the problems met reading it, where its nodes are.

Shared by the two ways a file is parsed (``yaml_io``): the located path
(``yaml_build``) records the line and column of every node while it builds
the data; the fast path (``yaml_fast``) records only those of the top-level
keys, and leaves a way to find the others (``defer_marks``), used only when
something asks where a deeper node is, that is when the file has a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.repo.problem import Problem

MAX_FILE_BYTES = 1 << 20  # 1 MiB
MAX_DEPTH = 64
MAX_NODES = 200_000

NodePath = Sequence[str | int]
Mark = tuple[int, int]  # 0-based line and column, as the parser reports them
# id(container) -> {key: (key line, key col, value line, value col)} or [(line, col)]
Marks = dict[int, Any]


@dataclass(frozen=True)
class Unsupported:
    """A YAML value with no JSON counterpart (``!!binary``, a custom tag, ...)."""

    what: str

    def __str__(self) -> str:
        return self.what


class YamlDocument:
    """One parsed file: its data, the problems met reading it, and node locations."""

    def __init__(self, path: Path, file: str) -> None:
        self.path = path
        self.file = file
        self.text = ""
        self.data: Any = None
        self.empty = True
        self.dollar = False  # some scalar holds a "$": ${var} interpolation may apply
        self.problems: list[Problem] = []
        self.root_mark: Mark = (0, 0)
        self._marks: Marks = {}
        self._find_marks: Callable[[YamlDocument], Marks] | None = None
        self.keep_alive: list[Any] = []  # containers whose ids are in marks but not in data

    @property
    def marks(self) -> Marks:
        """The locations of every container's items (found now if they were deferred)."""
        if self._find_marks is not None:
            find, self._find_marks = self._find_marks, None
            self._marks.update(find(self))
        return self._marks

    @property
    def marks_deferred(self) -> bool:
        """Whether the locations of nested nodes are still to be found (a fast-path parse)."""
        return self._find_marks is not None

    def defer_marks(self, find: Callable[[YamlDocument], Marks]) -> None:
        """Locations beyond those already in marks come from find(self), when first needed."""
        self._find_marks = find

    def _marks_of(self, node: Any) -> Any:
        marks = self._marks.get(id(node))
        if marks is None and self.marks_deferred:
            marks = self.marks.get(id(node))
        return marks

    def locate(self, node_path: NodePath, *, key: bool = False) -> tuple[int, int]:
        """The 1-based (line, column) of a node, or of its key with ``key=True``.

        A path that leaves the document stops at the deepest node that exists.
        """
        node = self.data
        line, col = self.root_mark
        for step in node_path:
            marks = self._marks_of(node)
            if isinstance(node, dict) and isinstance(marks, dict) and step in marks:
                key_line, key_col, line, col = marks[step]
                if key and step is node_path[-1]:
                    return key_line + 1, key_col + 1
                node = node[step]
            elif (
                isinstance(node, list)
                and isinstance(marks, list)
                and isinstance(step, int)
                and 0 <= step < len(marks)
            ):
                line, col = marks[step]
                node = node[step]
            else:
                break
        return line + 1, col + 1

    def problem(self, node_path: NodePath, message: str, *, key: bool = False) -> Problem:
        line, col = self.locate(node_path, key=key)
        return Problem(self.file, line, col, message)

    def add(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.file, mark[0] + 1, mark[1] + 1, message))
