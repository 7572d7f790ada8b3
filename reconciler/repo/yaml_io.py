"""The one YAML loader of dashctl (ruamel.yaml, and yaml_rs for speed).

Two ways in, one set of guards:

- ``load_yaml(path)`` reads a file for validation: plain Python data (dict,
  list, str, int, float, bool, None) plus the line and column of every node,
  so a problem points at the offending node (``YamlDocument.locate``). Its
  located path (``parse_yaml``) streams the events of ruamel.yaml's parser
  (libyaml when ruamel.yaml.clib is there) and builds the data itself, which
  is what lets it bound the work: duplicate keys, nesting deeper than
  ``MAX_DEPTH``, more than ``MAX_NODES`` nodes once aliases are expanded
  ("billion laughs"), a second document, and tags it does not know each
  become a located ``Problem``, never an exception. A file first tries the
  fast path (``yaml_fast``): the same data without the locations, which are
  found through the located path only if a problem asks for one; the fast
  path leaves every file it is not sure about to the located path.
- ``load_roundtrip(path)`` / ``dump_roundtrip(data, path)`` keep comments, key
  order and quoting, for commands that rewrite manifests in place (``pull``).

Before either parses, a file is refused when it is not a regular file (a
FIFO, a socket, a device: never opened), is larger than 1 MiB, is not UTF-8,
or holds control characters (binary junk).

Scalars follow the YAML 1.2 core schema: ``true``/``false``, ``null``/``~``,
integers (``0o`` octal, ``0x`` hex), floats (``.inf``, ``.nan``), everything
else a string. ``yes``/``no``/``on``/``off`` and dates stay strings. Anchors,
aliases and merge keys (``<<``) work within those bounds.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import Event
from ruamel.yaml.reader import ReaderError

from reconciler.errors import ManifestError
from reconciler.repo.problem import Problem
from reconciler.repo.yaml_build import Builder, Stop
from reconciler.repo.yaml_document import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    Mark,
    NodePath,
    Unsupported,
    YamlDocument,
)
from reconciler.repo.yaml_fast import parse_fast

try:
    from ruamel.yaml import CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - ruamel.yaml.clib is missing on this Python
    CParser = None

__all__ = [  # the names importers of this module use, wherever they are defined
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Mark",
    "NodePath",
    "Unsupported",
    "YamlDocument",
    "display_path",
    "dump_roundtrip",
    "load_roundtrip",
    "load_yaml",
    "needs_escapes",
    "parse_into",
    "parse_yaml",
    "read_text",
]

# YAML allows TAB, LF, CR, printable ASCII, NEL and most of Unicode; the rest
# (NUL and other C0/C1 controls, DEL, non-characters) mean binary junk.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def needs_escapes(text: str) -> bool:
    """Whether a string holds a character a file may only carry escaped (``\\e``, ``\\r``,
    ...): one the loader refuses raw, or a carriage return a block scalar would lose."""
    return "\r" in text or _FORBIDDEN.search(text) is not None


def display_path(path: Path) -> str:
    """A path as the user gave it, relative to the current directory when possible."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def position(text: str, index: int) -> Mark:
    """The 0-based line and column of a character index."""
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is never read (a FIFO would block, a device never end).

    A directory is let through: reading it fails at once, with the message it always had.
    """
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "of an unknown kind")
    return f"not a regular file ({kind}): only regular files are read"


OUTSIDE = ("resolves outside the repository (a symbolic link out of it?): refused without "
           "reading it")


def outside(path: Path, root: Path) -> bool:
    """Whether ``path``, every symbolic link followed, leaves the folder ``root``.

    A path that cannot be resolved (a loop of links) is not said to leave: opening it
    fails, and says why.
    """
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def read_text(path: Path, file: str, *, root: Path) -> tuple[str | None, Problem | None]:
    """The text of a file of the repository at ``root``, or the problem that keeps it
    from being parsed.

    One rule for every file dashctl reads from a repository (SPEC §2): it must
    resolve inside the root, checked before it is opened (a symbolic link out of
    the repository, to a runner's secrets or /etc/passwd, is never read, and no
    byte of it ever shown). Only a regular file is opened: a FIFO, a socket or a
    device is a problem, checked before opening it and again on what was opened
    (without blocking), in case the path changed in between.
    """
    if outside(path, root):
        return None, Problem(file, 1, 1, OUTSIDE)
    try:
        status = path.stat()
        refused = _not_regular(status.st_mode)
        if refused is not None:
            return None, Problem(file, 1, 1, refused)
        if status.st_size > MAX_FILE_BYTES:
            message = f"file is {status.st_size} bytes, over the 1 MiB limit"
            return None, Problem(file, 1, 1, message)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with open(descriptor, "rb") as handle:
            refused = _not_regular(os.fstat(handle.fileno()).st_mode)
            if refused is not None:
                return None, Problem(file, 1, 1, refused)
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, Problem(file, 1, 1, f"cannot read file: {error.strerror or error}")
    if len(raw) > MAX_FILE_BYTES:
        return None, Problem(file, 1, 1, "file is over the 1 MiB limit")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start)
        start = raw.rfind(b"\n", 0, error.start) + 1
        col = len(raw[start : error.start].decode("utf-8", "replace"))
        byte = raw[error.start]
        hint = " (UTF-16?)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        message = f"file is not UTF-8 text{hint}: byte 0x{byte:02x} is not valid UTF-8"
        return None, Problem(file, line + 1, col + 1, message)
    bad = _FORBIDDEN.search(text)
    if bad:
        line, col = position(text, bad.start())
        message = f"control character U+{ord(bad.group()):04X} is not allowed (binary file?)"
        return None, Problem(file, line + 1, col + 1, message)
    return text, None


def load_yaml(path: Path, *, root: Path, file: str | None = None,
              located: bool = False) -> YamlDocument:
    """Read and parse one file of the repository at ``root``; every problem ends up in
    ``problems``.

    A file goes through the fast path (``yaml_fast``: no locations, found
    later only if asked for) unless it has anything that path leaves to the
    located one, or ``located=True``; either way the document is the same.
    """
    file = file if file is not None else display_path(path)
    text, problem = read_text(path, file, root=root)
    document = YamlDocument(path, file)
    if problem is not None or text is None:
        document.problems.append(problem or Problem(file, 1, 1, "cannot read file"))
        return document
    return parse_into(document, text, located=located)


def parse_into(document: YamlDocument, text: str, *, located: bool = False) -> YamlDocument:
    """``document`` filled from ``text``: by the fast path when it can, else located."""
    if not located and parse_fast(text, document, find_marks=located_marks):
        return document
    return parse_yaml(text, document)


def parse_yaml(text: str, document: YamlDocument) -> YamlDocument:
    """Parse text that ``read_text`` accepted into ``document``, locating every node."""
    document.text = text
    try:
        Builder(document).run(_events(text))
    except Stop:
        pass
    except MarkedYAMLError as error:
        document.add(*_marked(error, text))
    except ReaderError as error:
        document.add(position(text, error.position), f"invalid YAML: {error.reason}")
    except YAMLError as error:
        document.add((0, 0), f"invalid YAML: {str(error).splitlines()[0]}")
    except (RecursionError, MemoryError, ValueError) as error:  # a last guard, never expected
        document.add((0, 0), f"cannot parse YAML: {type(error).__name__}")
    return document


def located_marks(document: YamlDocument) -> dict[int, Any]:
    """The marks of every container of a document the fast path read, from the located path.

    The text is parsed again as if it were read located; both parses give
    equal data (the fast path refuses any text where they might not), so
    walking the two alike pairs each container with its marks.
    """
    located = parse_yaml(document.text, YamlDocument(document.path, document.file))
    marks: dict[int, Any] = {}
    pending = [(document.data, located.data)]
    while pending:
        mine, theirs = pending.pop()
        if id(theirs) not in located.marks or type(mine) is not type(theirs):
            continue
        marks[id(mine)] = located.marks[id(theirs)]
        if isinstance(mine, dict):
            pending.extend((value, theirs[key]) for key, value in mine.items() if key in theirs)
        elif isinstance(mine, list):
            pending.extend(zip(mine, theirs, strict=False))
    return marks


def _events(text: str) -> Iterator[Event]:
    if CParser is None:  # pragma: no cover
        yield from YAML(typ="safe", pure=True).parse(text)
        return
    parser = CParser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


def _marked(error: MarkedYAMLError, text: str) -> tuple[Mark, str]:
    mark = error.problem_mark or error.context_mark
    where: Mark = (mark.line, mark.column) if mark is not None else (0, 0)
    problem = str(error.problem or error.context or "malformed YAML")
    if problem == "found character that cannot start any token":
        lines = text.splitlines()
        if where[0] < len(lines) and lines[where[0]][where[1] : where[1] + 1] == "\t":
            return where, "invalid YAML: a tab character; indent with spaces"
    message = f"invalid YAML: {problem}"
    context = error.context if error.problem else None
    if context and error.context_mark is not None:
        message += f" ({context} started at line {error.context_mark.line + 1})"
    elif context:
        message += f" ({context})"
    return where, message


# -- round trip (comments and key order kept) ------------------------------


def roundtrip_yaml() -> YAML:
    """The ruamel.yaml instance used to rewrite manifests in place."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [{name: x}], not [name: x]
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def load_roundtrip(path: Path, *, root: Path) -> Any:
    """Load a file of the repository at ``root`` keeping comments, key order and quoting
    (CommentedMap and friends).

    Raises ManifestError (with file, line and column) on anything the
    validating loader would refuse.
    """
    document = load_yaml(path, root=root)
    if document.problems:
        first = document.problems[0]
        raise ManifestError(first.message, file=first.file, line=first.line, column=first.column)
    try:
        return roundtrip_yaml().load(document.text)
    except MarkedYAMLError as error:  # pragma: no cover - load_yaml has seen the same text
        (line, col), message = _marked(error, document.text)
        raise ManifestError(message, file=document.file, line=line + 1, column=col + 1) from None


def dump_roundtrip(data: Any, path: Path) -> None:
    """Write data loaded by ``load_roundtrip`` (or plain data) to path atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            roundtrip_yaml().dump(data, handle)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
