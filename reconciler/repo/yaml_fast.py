"""The fast happy path of the YAML loader: plain data, no locations, or a refusal.

Most manifests have no problem, and then nobody asks where their nodes are.
So a file is first parsed with ``yaml_rs`` (a compiled YAML 1.2 parser) into
plain data, keeping only the locations of the root and of the top-level keys
(the cross-manifest lints point at ``name`` and ``id``), which are read off
the text; any other location is found later, through the located path, if a
problem asks for it (``YamlDocument.defer_marks``).

The fast path gives exactly the data the located path (``yaml_build`` over
ruamel.yaml's libyaml 0.1.7) would, or gives up (``parse_fast`` returns
False) and leaves the file to it, which then reports the problem, located, in
today's words. The two differ in many corners: yaml_rs drops tags, expands
aliases, knows no merge key, reads ``1_000``, ``0b101``, ``-0x1F`` and
``.iNf`` as numbers, accepts ``[a:b]`` and surrogate pairs, returns a list
for two documents, gives keys that are not strings, ends a block scalar at
the end of the text otherwise, and overflows its native stack at about
12,000 levels of nesting. So yaml_rs only ever reads a text that one regular
expression (``_GRAMMAR``: a single match in C, no Python loop over the
characters) has shown to be in a tame subset of YAML where the two agree:

- a root block mapping at column 0, after comments and at most one ``---``
  (no directive, no second document, no document end);
- one construct a line, each closed on it: ``key: value``, ``- value``,
  ``- key: value``, a key alone (its value on the lines below), a comment, a
  blank line. A value is a plain scalar, a quoted scalar with the escapes
  both read alike (no surrogate), a flow collection of two levels at most
  whose plain scalars hold no ``:``, ``?``, ``#`` or quote (libyaml 0.1.7
  refuses ``[a:b]`` and ``{a?b: c}``, yaml_rs reads them), or a block
  scalar (``|`` or ``>``, any chomping, no indentation indicator) with at
  least one line, whose body the grammar skips exactly as libyaml reads it:
  only there, in quoted scalars and in comments may anything stand, markdown
  and URLs included;
- no node starts with ``!``, ``&``, ``*``, ``?``, ``%``, ``@`` or a backquote:
  no tag, anchor, alias or explicit key;
- plain keys of at most 200 characters, without ``:``, ``#`` or a tab (far
  from libyaml's 1,024 for a simple key);
- no line but a blank one starts with more than 28 spaces and dashes: block
  collections nest at most twice a column (a mapping and its indentless
  sequence), so with two levels of flow no text passes with more than 60
  levels, under ``MAX_DEPTH`` and far from what would crash yaml_rs;
- every character is matched by a class without C0 or C1 controls, DEL,
  NEL, LS, PS, a surrogate, a BOM or U+FFFE/U+FFFF (what the located path
  refuses, or YAML 1.1 and 1.2 read differently), and a CR only before a LF;
- every blank or comment line ends with a line break (at the end of the
  text it could be a block scalar's last line);
- fewer than ``MAX_NODES`` characters, so fewer than ``MAX_NODES`` nodes.

What the grammar does not decide is checked on yaml_rs's data, through its
JSON (orjson, in C): a key that is not a string (``1:``, ``true:``) or an
integer over 64 bits makes orjson refuse; a ``"<<":`` key, merged by the
located path whether quoted or not, is refused; ``dollar`` is whether the JSON
holds a ``$`` (so a ``$`` in a comment does not count). A plain number that
yaml_rs reads and the located path keeps as a string, when it is a whole
``key: value`` or ``- value`` (the grammar lets none into a flow
collection), is single-quoted in a copy of the text; both are parsed and must
agree but for those very leaves, else the text is refused (a quote put inside
a multi-line scalar would show as a changed string). Any exception from
yaml_rs (a syntax error, a duplicate key) sends the text to the located path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from reconciler.repo.yaml_document import MAX_NODES, Mark, Marks, YamlDocument

try:
    import yaml_rs

    loads: Callable[..., Any] | None = yaml_rs.loads
    _OPTIONS: dict[str, Any] = {
        "parse_datetime": False,
        "duplicate_key_policy": yaml_rs.DuplicateKeyPolicy.Error,
        # the grammar lets no alias through; were one to pass, it may expand to nothing
        "alias_limits": yaml_rs.AliasLimits(max_total_replayed_events=0, max_replay_stack_depth=1),
    }
except ImportError:  # pragma: no cover - yaml-rs has no wheel for this platform
    loads = None
    _OPTIONS = {}

# -- the grammar --------------------------------------------------------------------------
#
# Written with atomic groups, never possessive quantifiers: Python 3.11's re mistakes
# the spans of groups captured inside a possessive repeat. Every character of an
# accepted text is matched by a class that leaves out _NOT, or is the CR of a CRLF.

# C0 and C1 controls (NEL too), DEL, LS, PS, surrogates, a BOM, U+FFFE and U+FFFF: what
# the located path refuses, or YAML 1.1 and 1.2 read differently (a lone CR is another)
_NOT = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff"
_TEXT = rf"[^\r\n{_NOT}]"  # any character a line may hold
_END = r"(?:\r?\n|\Z)"
# trailing blanks and a comment (after a blank, maybe one that the last token ate)
_EOL = rf"[ \t]*(?:(?<=[ \t])\#(?>{_TEXT}*))?{_END}"
_NEWLINE = r"\r?\n"
# A blank or comment-only line. Its line break is due: at the end of the text, without
# one, it could be the last line of a block scalar, which the two parsers end apart.
_GAP = rf"(?:[ ]*(?:\#(?>{_TEXT}*))?{_NEWLINE})"

# A plain scalar in block context, on one line: it starts with no indicator (a dash
# only before a character that is neither blank nor dash), holds no ": " and no " #",
# and ends before its trailing blanks.
_FIRST = rf"(?:[^ \t\r\n\-?:,\[\]{{}}\#&*!|>'\"%@`{_NOT}]|-(?=[^ \t\r\n\-]))"
_PLAIN = (
    _FIRST + rf"(?>(?:[^ \t\r\n:{_NOT}]+|:(?=[^ \t\r\n])|[ \t]+(?=[^ \t\r\n\#:]|:[^ \t\r\n]))*)"
)

# Quoted scalars closed on their line, with the escapes both parsers read alike
# (no surrogate: libyaml 0.1.7 refuses even a pair, which yaml_rs joins)
_ESCAPE = (
    r"\\(?:[0abtnvfre \"/\\N_LP]|x[0-9a-fA-F]{2}"
    r"|u(?![dD][89a-fA-F])[0-9a-fA-F]{4}|U(?!0000[dD][89a-fA-F])[0-9a-fA-F]{8})"
)
_DOUBLE = rf"\"(?>(?:[^\"\\\r\n{_NOT}]+|{_ESCAPE})*)\""
_SINGLE = rf"'(?>(?:[^'\r\n{_NOT}]+|'')*)'"
# Keys stay far under libyaml's 1,024 characters for a simple key: 200 at most, plain
# ones without ":", "#" or a tab (the blanks before the colon are matched with them).
_KEY_DOUBLE = rf"\"(?>(?:[^\"\\\r\n{_NOT}]|{_ESCAPE}){{0,200}})\""
_KEY_SINGLE = rf"'(?>(?:[^'\r\n{_NOT}]|''){{0,200}})'"
_KEY_PLAIN = rf"{_FIRST}(?>[^\t\r\n:\#{_NOT}]{{0,199}})"
_KEY = rf"(?:{_KEY_PLAIN}|{_KEY_DOUBLE}|{_KEY_SINGLE})[ ]*:"

# Numbers yaml_rs reads where the located path (YAML 1.2 core) reads a string: an
# underscore anywhere, 0b, 0X, 0O, 0B or a signed prefix, .inf/.nan in other cases.
_NUMBER_CHARACTER = r"[0-9A-Za-z_.+\-]"
_ODD_NUMBER = (
    rf"(?:[-+]?[0-9.]{_NUMBER_CHARACTER}*_{_NUMBER_CHARACTER}*"
    rf"|[-+]?_{_NUMBER_CHARACTER}*"
    rf"|[-+]0[xXoObB]{_NUMBER_CHARACTER}*"
    rf"|0[XOBb]{_NUMBER_CHARACTER}*"
    rf"|[-+]?\.(?!(?:inf|Inf|INF|nan|NaN|NAN)(?!{_NUMBER_CHARACTER}))"
    r"(?:[iI][nN][fF]|[nN][aA][nN]))"
)

# Flow collections closed on their line, two levels deep at most; their plain scalars
# hold no ":", "?", "#", quote or tab (libyaml 0.1.7 refuses [a:b] and {a?b: c}).
_FLOW_REST = rf"(?>[^\t\r\n:?\#,\[\]{{}}'\"{_NOT}]{{0,200}})"
_FLOW_PLAIN = rf"(?:[^ \t\r\n\-?:,\[\]{{}}\#&*!|>'\"%@`{_NOT}]|-(?=[^ \t\r\n\-]))" + _FLOW_REST
_FLOW_KEY = rf"(?:{_FLOW_PLAIN}|{_KEY_DOUBLE}|{_KEY_SINGLE})[ ]*:"
# the common case first, cheaply: digits, or words that start with a letter (never a
# number for either parser)
_FLOW_WORDS = r"(?:[0-9]+|[A-Za-z][A-Za-z0-9_ ./\-]{0,200})(?=[ ]*[,\]}])"
_FLOW_SCALAR = rf"(?:{_FLOW_WORDS}|(?!{_ODD_NUMBER}[ ]*[,\]}}]){_FLOW_PLAIN}|{_DOUBLE}|{_SINGLE})"


def _flow(inner: str) -> str:
    """A flow sequence or mapping whose nodes are ``inner``."""
    pair = rf"{_FLOW_KEY}[ ]+{inner}"
    sequence = rf"\[[ ]*(?>(?:(?!\])(?:{pair}|{inner})[ ]*(?:,[ ]*|(?=\])))*)\]"
    mapping = rf"\{{[ ]*(?>(?:(?!\}})(?:{pair})[ ]*(?:,[ ]*|(?=\}})))*)\}}"
    return f"(?:{sequence}|{mapping})"


_FLOW = _flow(rf"(?:{_FLOW_SCALAR}|{_flow(_FLOW_SCALAR)})")

# A block scalar's header: no indentation indicator (libyaml's auto-detection only).
# Its lines, and those of its body, end with a line break (see _GAP).
_HEADER = rf"[|>][-+]?[ \t]*(?:(?<=[ \t])\#(?>{_TEXT}*))?{_NEWLINE}"


def _body(name: str, more: str) -> str:
    """The body of a block scalar whose node is indented as group "i" plus ``more``.

    Its first line is indented more (group ``name``) and holds no tab after
    its indentation (libyaml refuses one there); blank lines before it are
    empty (libyaml would take a longer one's indentation as the scalar's);
    every later line is indented at least as much, or blank. There is a
    first line, and every line ends with a line break: the two parsers end an
    empty block scalar, or one that runs to the end of the text, apart.
    """
    first = rf"(?P<{name}>(?P=i){more}[ ]+)[^ \t\r\n{_NOT}](?>{_TEXT}*){_NEWLINE}"
    later = rf"(?>(?:(?P={name})(?>{_TEXT}*){_NEWLINE}|[ ]*{_NEWLINE})*)"
    return rf"(?>(?:\r?\n)*){first}{later}(?!(?P={name}){_TEXT}*\Z)"


def _value(odd: str) -> str:
    """A value on its key's or dash's line; an odd number is captured as group ``odd``."""
    number = rf"(?=[-+0-9._])(?P<{odd}>{_ODD_NUMBER})(?={_EOL})"
    return rf"(?:{number}|{_PLAIN}|{_DOUBLE}|{_SINGLE}|{_FLOW})"


# The most common lines, cheaply: "word: word", "- word: word", "word:", and a flow
# mapping or sequence of such words. A word (or words, one blank apart) starts with a
# letter (a string, a boolean or null for either parser) or is only digits (an integer
# for both).
_WORD = r"(?>[0-9]+|[A-Za-z][A-Za-z0-9_]*(?:[ ][A-Za-z0-9_]+)*)"
_WORD_PAIR = rf"[A-Za-z][A-Za-z0-9_]*:[ ]{_WORD}"
_WORD_MAP = rf"\{{{_WORD_PAIR}(?:,[ ]{_WORD_PAIR})*\}}"
_WORD_ITEM = rf"(?:{_WORD_MAP}|{_WORD})"
_WORD_SEQUENCE = rf"\[{_WORD_ITEM}(?:,[ ]{_WORD_ITEM})*\]"
_WORD_VALUE = rf"(?:{_WORD}|{_WORD_MAP}|{_WORD_SEQUENCE})"
_SIMPLE = rf"(?:-[ ])?[A-Za-z][A-Za-z0-9_]*:(?:[ ]{_WORD_VALUE})?{_NEWLINE}"
_ODD_GROUPS = ("odd1", "odd2", "odd3", "odd4")
# a key and its value: on its line, a block scalar, or below (a key alone)
_PAIR = "{key}(?:[ ]+(?:{header}{body}|{value}" + _EOL + ")|" + _EOL + ")"
# At most 28 spaces and dashes start a line that is not blank: the nesting bound. Block
# collections nest at most twice a column (a mapping and its indentless sequence): at
# most 58 levels, and flow collections add two.
_LINE = (
    rf"(?!(?=[ \-]{{29}})[ ]*[^ \r\n])(?>(?P<i>[ ]*))(?:{_SIMPLE}|(?:\#(?>{_TEXT}*))?{_NEWLINE}|"
    # key: value (a block scalar's body indented more than the key)
    + _PAIR.format(key=_KEY, header=_HEADER, body=_body("b1", ""), value=_value("odd1"))
    # - key: value (one space after the dash: the key two columns in)
    + "|-[ ]"
    + _PAIR.format(key=_KEY, header=_HEADER, body=_body("b2", "[ ]{2}"), value=_value("odd2"))
    # - |, - value, - - value, - - key: value, - alone
    + rf"|-(?:[ ]+(?:{_HEADER}{_body('b3', '')}|(?>(?:-[ ]+)*)"
    + rf"(?:{_KEY}(?:[ ]+{_value('odd3')})?|{_value('odd4')}|-)?{_EOL})|{_EOL})"
    + ")"
)
_LEADING = rf"(?>{_GAP}*)(?:---{_EOL}(?>{_GAP}*))?"
# what comes before the root mapping's first key, its first key, every line
_GRAMMAR = re.compile(rf"{_LEADING}(?={_KEY})(?>(?:(?!\Z){_LINE})*)")

# -- the top-level keys -------------------------------------------------------------------

_KeyMarks = dict[str, tuple[int, int, int, int]]  # key: (key line, col, value line, col)

_LEAD = re.compile(_LEADING)
# A line that starts at column 0 with neither a blank, a comment nor a dash and a blank:
# after the first key, a key of the root mapping (the grammar has shown that every line
# is a construct of its own and that the root is a block mapping).
_TOP_LINE = re.compile(r"\n(?=[^ \r\n#\-]|-[^ \r\n])")
_TOP_KEY = re.compile(
    rf"(?P<key>{_KEY_PLAIN}|{_KEY_DOUBLE}|{_KEY_SINGLE})[ ]*(?P<colon>:)"
    r"(?:[ ]+(?P<value>[^ \t\r\n#])|[ ]*(?:\#[^\n]*)?(?=\r?\n|\Z))"
)
# the first line after a key that holds more than blanks and a comment
# (group "dash": it starts an indentless sequence)
_NEXT_CONTENT = re.compile(
    rf"\r?\n(?>{_GAP}*)(?P<indent>[ ]*)(?P<first>(?P<dash>-(?=[ \r\n]|\Z))|[^ \r\n#])"
)

# -- odd numbers ---------------------------------------------------------------------------

_ODD_NUMBER_VALUE = re.compile(
    rf"^([ ]*(?:-[ ]+)*(?:{_KEY}[ ]+|-[ ]+))({_ODD_NUMBER})(?={_EOL})", re.MULTILINE
)
_ODD_NUMBER_WHOLE = re.compile(_ODD_NUMBER)


def parse_fast(
    text: str, document: YamlDocument, *, find_marks: Callable[[YamlDocument], Marks]
) -> bool:
    """Fill document from text, or return False (document untouched) for the located path.

    ``find_marks(document)`` gives the locations of the other nodes, when one is asked for.
    """
    parsed = _parse(text)
    if parsed is None:
        return False
    data, dollar, root_mark, top_marks = parsed
    document.text = text
    document.data = data
    document.empty = False
    document.dollar = dollar
    document.root_mark = root_mark
    document.marks[id(data)] = top_marks
    document.defer_marks(find_marks)
    return True


def _parse(text: str) -> tuple[dict[str, Any], bool, Mark, _KeyMarks] | None:
    """(data, dollar, root mark, top-level marks) of text, or None for the located path."""
    if loads is None or len(text) >= MAX_NODES:
        return None
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        return None
    data = _load(text, odd=any(match[group] is not None for group in _ODD_GROUPS))
    if type(data) is not dict:
        return None
    try:
        blob = orjson.dumps(data)  # raises on a key that is not a string, a huge integer
    except TypeError:
        return None
    if b'"<<":' in blob:
        return None  # a merge key, quoted or not, for the located path; yaml_rs keeps it
    dollar = b"$" in blob
    located = _top_marks(text, data)
    if located is None:
        return None
    return data, dollar, *located


def _load(text: str, *, odd: bool) -> Any:
    """yaml_rs's data of text, plain numbers it reads differently kept as strings; None.

    ``odd``: whether the grammar saw such a number as a whole value.
    """
    assert loads is not None
    try:
        data = loads(text, **_OPTIONS)
        if not odd:
            return data
        quoted = _ODD_NUMBER_VALUE.sub(r"\1'\2'", text)
        requoted = loads(quoted, **_OPTIONS)
    except Exception:  # whatever yaml_rs raises, the located path decides
        return None
    return requoted if _same_but_quoted(data, requoted) else None


def _same_but_quoted(data: Any, quoted: Any) -> bool:
    """Whether two parses agree but where the second has an odd number as a string.

    A quote put where the number was not a whole scalar (inside a multi-line
    scalar, say) changes a string, which shows here: such a text is refused.
    """
    pending = [(data, quoted)]
    while pending:
        mine, theirs = pending.pop()
        kind = type(mine)
        if kind is dict:
            if type(theirs) is not dict or list(mine) != list(theirs):
                return False
            pending.extend(zip(mine.values(), theirs.values(), strict=True))
        elif kind is list:
            if type(theirs) is not list or len(mine) != len(theirs):
                return False
            pending.extend(zip(mine, theirs, strict=True))
        elif not _same_leaf(mine, theirs):
            return False
    return True


def _same_leaf(mine: Any, theirs: Any) -> bool:
    """Equal scalars (nan too), or a number where the quoted copy has its odd spelling."""
    if type(mine) is type(theirs):
        return bool(mine == theirs or (mine != mine and theirs != theirs))
    return (
        type(mine) in (int, float)
        and type(theirs) is str
        and bool(_ODD_NUMBER_WHOLE.fullmatch(theirs))
    )


def _top_marks(text: str, data: dict[str, Any]) -> tuple[Mark, _KeyMarks] | None:
    """The root's mark and each top-level key's (key line, col, value line, col).

    The grammar has shown the root to be a block mapping whose keys start
    lines at column 0, one a line; the lines found so must be as many as the
    data's keys, and spell them in order (a double-quoted key with an escape
    is taken as read).
    """
    start = _LEAD.match(text)
    assert start is not None  # it matches the empty string
    starts = [start.end()]
    starts += [match.end() for match in _TOP_LINE.finditer(text, start.end())]
    if len(starts) != len(data):
        return None
    marks: _KeyMarks = {}
    root_line = line = text.count("\n", 0, starts[0])
    counted = starts[0]
    for at, key in zip(starts, data, strict=True):
        line += text.count("\n", counted, at)
        counted = at
        match = _TOP_KEY.match(text, at)
        if match is None or _key_text(match["key"]) not in (key, None):
            return None
        marks[key] = (line, 0, *_value_mark(text, match, line))
    return (root_line, 0), marks


def _value_mark(text: str, match: re.Match[str], line: int) -> Mark:
    """Where libyaml starts the value of a top-level key (see the module's tests).

    On the key's line: its first character. Below: the first character of
    the next line that holds more than a comment, if that line is indented or
    starts an indentless sequence; else the value is empty, marked just after
    the colon.
    """
    if match["value"] is not None:
        return line, match.start("value") - match.start()
    below = _NEXT_CONTENT.match(text, match.end())
    if below is not None and (below["indent"] or below["dash"] is not None):
        return line + text.count("\n", match.end(), below.start("first")), len(below["indent"])
    return line, match.end("colon") - match.start()


def _key_text(raw: str) -> str | None:
    """The string a key's source gives: plain, single-quoted, double-quoted; None: an escape."""
    if raw[0] == "'":
        return raw[1:-1].replace("''", "'")
    if raw[0] == '"':
        return None if "\\" in raw else raw[1:-1]
    return raw.rstrip(" \t")
