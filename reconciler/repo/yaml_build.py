"""Build plain data from YAML parser events, with bounds and node locations.

Private to ``yaml_io``: its located path (``yaml_fast`` gives the same data
or refuses). One pass over the event stream, no recursion: the stack of open
collections never grows past ``MAX_DEPTH``, aliases are shared references
whose expanded size is counted against ``MAX_NODES``, and an alias can only
name an anchor whose node is complete (so no cycles).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from reconciler.repo.yaml_document import MAX_DEPTH, MAX_NODES, Mark, Unsupported, YamlDocument

TAG = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
    "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
    "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}  # fmt: skip
_NUMBER_START = frozenset("0123456789+-.")

# markers for the key slot of an open mapping
_NO_KEY = object()  # expecting a key
_SKIP = object()  # the next value is dropped (its key was refused)
_MERGE = object()  # the next value is merged (<<)


class Stop(Exception):
    """Building gave up; the reason is already a problem of the document."""


def _number(text: str) -> Any:
    if _INT.fullmatch(text):
        try:
            if text.startswith("0o"):
                return int(text[2:], 8)
            if text.startswith("0x"):
                return int(text[2:], 16)
            return int(text)
        except ValueError:  # over Python's limit on digits
            return Unsupported(f"an integer too long to read ({len(text)} digits)")
    if _FLOAT.fullmatch(text):
        return float(text)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    return text


def plain_scalar(text: str) -> Any:
    """Resolve an untagged plain scalar by the YAML 1.2 core schema."""
    if not text or text in _NULLS:
        return None
    first = text[0]
    if first in _NUMBER_START:
        return _number(text)
    if first in "tTfF" and text in _BOOLS:
        return _BOOLS[text]
    return text


def tagged_scalar(tag: str, text: str) -> Any:
    """A scalar with an explicit tag: the core ones are honoured, others refused."""
    if tag in ("!", TAG + "str"):
        return text
    if tag == TAG + "null":
        return None if text in _NULLS else Unsupported(f"an invalid !!null {text[:40]!r}")
    if tag == TAG + "bool":
        if text in _BOOLS:
            return _BOOLS[text]
        return Unsupported(f"an invalid !!bool {text[:40]!r}")
    if tag in (TAG + "int", TAG + "float"):
        value = _number(text)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return Unsupported(f"an invalid !!{tag[len(TAG) :]} {text[:40]!r}")
        return float(value) if tag.endswith("float") else value
    shown = "!!" + tag[len(TAG) :] if tag.startswith(TAG) else tag
    return Unsupported(f"a value tagged {shown[:60]}")


class _Frame:
    __slots__ = ("anchor", "container", "key", "key_mark", "mark", "marks", "merges", "size")

    def __init__(self, container: Any, marks: Any, mark: Mark, anchor: str | None) -> None:
        self.container = container
        self.marks = marks
        self.mark = mark
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_mark: Mark = mark
        self.merges: list[tuple[dict[str, Any], Mark]] = []
        self.size = 1


class Builder:
    """Turns one event stream into ``document.data`` and ``document.marks``."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0
        self.documents = 0

    def run(self, events: Iterable[Event]) -> None:
        stack = self.stack
        event: Any
        for event in events:
            kind = type(event)
            if kind is ScalarEvent:
                if "$" in event.value:
                    self.document.dollar = True
                tag = event.tag
                if tag is None:
                    value = plain_scalar(event.value) if event.implicit[0] else event.value
                else:
                    value = tagged_scalar(tag, event.value)
                mark = event.start_mark
                self.total += 1
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
                self.attach(value, (mark.line, mark.column), 1, event.value, tag is None)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                mark = event.start_mark
                where = (mark.line, mark.column)
                if len(stack) >= MAX_DEPTH:
                    self.stop(where, f"nesting deeper than {MAX_DEPTH} levels")
                self.total += 1
                if self.total > MAX_NODES:
                    self.stop(where, f"document has more than {MAX_NODES} nodes")
                self.check_tag(event.tag, kind is MappingStartEvent, where)
                if kind is MappingStartEvent:
                    frame = _Frame({}, {}, where, event.anchor)
                else:
                    frame = _Frame([], [], where, event.anchor)
                self.document.marks[id(frame.container)] = frame.marks
                stack.append(frame)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                if frame.merges:
                    self.merge(frame)
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (frame.container, frame.size)
                self.attach(frame.container, frame.mark, frame.size, None, False)
            elif kind is AliasEvent:
                self.alias(event)
            elif kind is DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    mark = event.start_mark
                    self.stop(
                        (mark.line, mark.column),
                        "a second YAML document: a file holds one manifest",
                    )
        if self.total > MAX_NODES:
            self.stop((0, 0), f"document has more than {MAX_NODES} nodes")

    def stop(self, mark: Mark, message: str) -> None:
        self.document.add(mark, message)
        raise Stop

    def check_tag(self, tag: str | None, mapping: bool, mark: Mark) -> None:
        if tag is None or tag == "!" or tag == TAG + ("map" if mapping else "seq"):
            return
        shown = "!!" + tag[len(TAG) :] if tag.startswith(TAG) else tag
        self.document.add(mark, f"unsupported tag {shown[:60]}")

    def alias(self, event: Any) -> None:
        mark = event.start_mark
        where = (mark.line, mark.column)
        name = event.anchor
        if name not in self.anchors:
            self.stop(where, f"alias *{name} names no complete anchor before it")
        value, size = self.anchors[name]
        self.total += size
        if self.total > MAX_NODES:
            self.stop(where, f"aliases expand to more than {MAX_NODES} nodes (an alias bomb?)")
        key_text = None if isinstance(value, dict | list) else str(value)
        self.attach(value, where, size, key_text, False)

    def attach(self, value: Any, mark: Mark, size: int, key_text: str | None, plain: bool) -> None:
        """Put a finished node into the open collection (or make it the root)."""
        if not self.stack:
            self.document.data = value
            self.document.root_mark = mark
            self.document.empty = False
            return
        frame = self.stack[-1]
        frame.size += size
        container = frame.container
        if type(container) is list:
            container.append(value)
            frame.marks.append(mark)
            return
        key = frame.key
        if key is _NO_KEY:
            frame.key_mark = mark
            if key_text is None:
                self.document.add(mark, "a mapping key must be a string, not a collection")
                self.document.keep_alive.append(value)
                frame.key = _SKIP
            elif key_text == "<<" and plain:
                frame.key = _MERGE
            elif key_text in container:
                first = frame.marks[key_text][0] + 1
                self.document.add(mark, f"duplicate key {key_text!r} (first at line {first})")
                frame.key = _SKIP
            else:
                frame.key = key_text
            return
        frame.key = _NO_KEY
        if key is _SKIP:
            self.document.keep_alive.append(value)
        elif key is _MERGE:
            self.collect_merges(frame, value, mark)
        else:
            container[key] = value
            frame.marks[key] = (*frame.key_mark, *mark)

    def collect_merges(self, frame: _Frame, value: Any, mark: Mark) -> None:
        sources = value if isinstance(value, list) else [value]
        if not sources or not all(isinstance(source, dict) for source in sources):
            self.document.add(mark, "a merge key (<<) takes a mapping or a list of mappings")
            return
        for source in sources:
            frame.merges.append((source, mark))

    def merge(self, frame: _Frame) -> None:
        """Apply ``<<`` merges: explicit keys win, then earlier sources."""
        container: dict[str, Any] = frame.container
        for source, mark in frame.merges:
            source_marks = self.document.marks.get(id(source), {})
            for key, value in source.items():
                if key in container:
                    continue
                container[key] = value
                frame.marks[key] = source_marks.get(key, (*mark, *mark))
