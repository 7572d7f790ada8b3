"""The fast happy path of the YAML loader: plain data, no locations, or a refusal.

Most manifests have no problem, and then nobody asks where their nodes are.
So a file is first parsed with PyYAML's libyaml parser (``yaml._yaml``,
the C parser behind ``yaml.CSafeLoader``) into plain data, keeping only the
locations of the top-level keys (the cross-manifest lints point at ``name``
and ``id``); any other location is found later, through the located path,
if a problem asks for it (``YamlDocument.defer_marks``).

The fast path gives exactly the data the located path (``yaml_build``) would,
or gives up (``parse_fast`` returns False) and leaves the file to it, which
then reports the problem, located, in today's words. It gives up on anything
where the two might differ or where the located path has a guard to apply:

- a parse error (the located path words it);
- anchors, aliases, tags, merge keys (``<<``), a key that is not a scalar,
  a duplicate key, a second document, a ``%YAML``/``%TAG`` directive;
- nesting deeper than ``MAX_DEPTH``, more than ``MAX_NODES`` nodes, an
  integer too long to read;
- what the two libyaml builds parse differently (PyYAML's libyaml is 0.2.x,
  ruamel.yaml.clib's is 0.1.7): a plain scalar holding ``:`` or ``?`` inside
  a flow collection (``[a:b]``), and the line breaks and BOM that YAML 1.1
  knew and 1.2 does not (NEL, LS, PS, a BOM inside the text).

Plain scalars are resolved by the same YAML 1.2 core rules as the located
path (``yaml_build.plain_scalar``): never PyYAML's YAML 1.1 resolver.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from reconciler.repo.yaml_build import plain_scalar
from reconciler.repo.yaml_document import (
    MAX_DEPTH,
    MAX_NODES,
    Mark,
    Marks,
    Unsupported,
    YamlDocument,
)

try:
    from yaml import YAMLError  # type: ignore[import-untyped]
    from yaml._yaml import CParser  # type: ignore[import-untyped]
    from yaml.events import (  # type: ignore[import-untyped]
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
except ImportError:  # pragma: no cover - PyYAML without its libyaml binding
    CParser = None

# YAML 1.1 line breaks (NEL, LS, PS) and a BOM after the start: left to the located path
_LEFT_TO_LOCATED = re.compile("[\x85\u2028\u2029\ufeff]")
_NO_KEY = object()
# plain scalars already resolved: the same few words and numbers fill every manifest
_RESOLVED: dict[str, Any] = {}
_KEYS: dict[str, str] = {}
_RESOLVED_LENGTH = 40
_RESOLVED_MAX = 50_000


class _GiveUp(Exception):
    """The located path must read this text."""


class _Parsed:
    __slots__ = ("data", "dollar", "empty", "root_mark", "top_marks")

    def __init__(self) -> None:
        self.data: Any = None
        self.empty = True
        self.dollar = False
        self.root_mark: Mark = (0, 0)
        self.top_marks: dict[str, tuple[int, int, int, int]] = {}


def parse_fast(
    text: str, document: YamlDocument, *, find_marks: Callable[[YamlDocument], Marks]
) -> bool:
    """Fill document from text, or return False (document untouched) for the located path.

    ``find_marks(document)`` gives the locations of the other nodes, when one is asked for.
    """
    if CParser is None or _LEFT_TO_LOCATED.search(text):
        return False
    parser = CParser(text)
    try:
        parsed = _build(parser.get_event)
    except (_GiveUp, YAMLError, RecursionError, MemoryError, ValueError):
        return False
    finally:
        parser.dispose()
    document.text = text
    document.data = parsed.data
    document.empty = parsed.empty
    document.dollar = parsed.dollar
    document.root_mark = parsed.root_mark
    if isinstance(parsed.data, dict):
        document.marks[id(parsed.data)] = parsed.top_marks
    document.defer_marks(find_marks)
    return True


def _build(next_event: Callable[[], Any]) -> _Parsed:
    """Plain data from the event stream; _GiveUp where the located path must decide.

    One flat loop with the open collection in locals: it runs once per event.
    """
    parsed = _Parsed()
    parents: list[tuple[Any, Any, bool, bool]] = []  # (container, its pending key, mapping, flow)
    container: Any = None
    key: Any = _NO_KEY
    mapping = False
    flow = False
    key_mark: Mark = (0, 0)
    nodes = 0
    documents = 0
    while True:
        event = next_event()
        kind = type(event)
        if kind is ScalarEvent:
            text = event.value
            if event.anchor is not None or event.tag is not None:
                raise _GiveUp
            plain = event.implicit[0]
            if flow and plain and (":" in text or "?" in text):
                raise _GiveUp
            if "$" in text:
                parsed.dollar = True
            nodes += 1
            if mapping and key is _NO_KEY:
                if text in container or text == "<<":
                    raise _GiveUp
                key = _KEYS.get(text) or _known_key(text)
                if len(parents) == 1:
                    key_mark = (event.start_mark.line, event.start_mark.column)
                continue
            if plain:
                value = _RESOLVED.get(text, _NO_KEY)
                if value is _NO_KEY:
                    value = _resolve(text)
            else:
                value = text
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _GiveUp
            if mapping and key is _NO_KEY:
                raise _GiveUp  # a collection as a key
            nodes += 1
            if len(parents) >= MAX_DEPTH or nodes > MAX_NODES:
                raise _GiveUp
            if len(parents) <= 1:
                _mark_top(parsed, parents, key, key_mark, event)
            parents.append((container, key, mapping, flow))
            mapping = kind is MappingStartEvent
            container = {} if mapping else []
            key = _NO_KEY
            flow = flow or bool(event.flow_style)
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = container
            container, key, mapping, flow = parents.pop()
        elif kind is StreamEndEvent:
            break
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1 or event.version is not None or event.tags:
                raise _GiveUp
            continue
        elif kind is AliasEvent:
            raise _GiveUp
        else:
            continue  # the stream's start, a document's end
        # a finished scalar or collection: into its parent, or the root
        if kind is ScalarEvent and len(parents) <= 1:
            _mark_top(parsed, parents, key, key_mark, event)
        if container is None:
            parsed.data, parsed.empty = value, False
        elif mapping:
            container[key] = value
            key = _NO_KEY
        else:
            container.append(value)
    if nodes > MAX_NODES:
        raise _GiveUp
    return parsed


def _known_key(text: str) -> str:
    """The one copy of a short key string (every manifest repeats the same keys)."""
    if len(text) <= _RESOLVED_LENGTH and len(_KEYS) < _RESOLVED_MAX:
        _KEYS[text] = text
    return text


def _resolve(text: str) -> Any:
    """A plain scalar by the YAML 1.2 core rules, remembered when short (most repeat)."""
    value = plain_scalar(text)
    if type(value) is Unsupported:
        raise _GiveUp
    if len(text) <= _RESOLVED_LENGTH and len(_RESOLVED) < _RESOLVED_MAX:
        _RESOLVED[text] = value
    return value


def _mark_top(parsed: _Parsed, parents: list[Any], key: Any, key_mark: Mark, event: Any) -> None:
    """Record where the root starts, and where each top-level key and its value are."""
    mark = event.start_mark
    if not parents:
        parsed.root_mark = (mark.line, mark.column)
    elif key is not _NO_KEY:
        parsed.top_marks[key] = (*key_mark, mark.line, mark.column)
