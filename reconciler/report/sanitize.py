"""Text that is safe to print: no data can forge a line in a terminal or a CI log. Pure.

Every renderer runs the data it shows (names, ids, messages, content) through
:func:`escape_controls`, and every line it prints through :func:`guard_line`
(or the whole text through :func:`guard_text`); :func:`safe_line` does both for
one line of progress or error output.

- Control characters are shown escaped: ``\\n``, ``\\r``, ``\\t`` by name, any
  other C0 or C1 control and DEL as ``\\xNN`` (``\\x1b`` for ESC), and the
  invisible format characters that reorder or hide text (bidi controls,
  zero-width characters, the byte-order mark) and the Unicode line and
  paragraph separators as ``\\uNNNN``. A backslash is left as it is, so
  ordinary text reads as it was written.
- GitHub Actions runs a log line as a workflow command when it starts, after
  blanks, with ``::`` (``::error::``, ``::add-mask::``, ...) or ``##[``. A line
  that data would start so gets a backslash before it: ``\\::error::x``,
  ``\\##[error]x``. Lines dashctl writes on purpose as commands (``validate
  --format github``) escape their data with :func:`github_data` /
  :func:`github_property` instead.
- Markdown written for people (the plan comment, drift reports and issues) shows
  data literally and never mentions a user or team: :func:`md_text` in prose and
  tables, :func:`html_text` inside an HTML block, :func:`md_code` and
  :func:`md_fence` for code (where GitHub links no ``@name``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_COMMAND_STARTS = ("::", "##[")


def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else (
        f"\\U{code:08x}"
    )


def _unsafe(char: str) -> bool:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return True
    return code > 0x9F and unicodedata.category(char) in ("Cf", "Zl", "Zp")


_NOT_PRINTABLE_ASCII = re.compile("[^\x20-\x7e]")
_NOT_ASCII = re.compile("[^\x00-\x7e]")


def escape_controls(text: str) -> str:
    """``text`` with every control and invisible format character shown escaped."""
    if text.isprintable():
        return text  # no control, format or separator character: the common case, at C speed
    return _NOT_PRINTABLE_ASCII.sub(
        lambda match: _escaped(match.group()) if _unsafe(match.group()) else match.group(), text
    )


def guard_line(line: str) -> str:
    """One output line that cannot be read as a GitHub workflow command."""
    stripped = line.lstrip()
    if stripped.startswith(_COMMAND_STARTS):
        blanks = len(line) - len(stripped)
        return line[:blanks] + "\\" + stripped
    return line


def guard_text(text: str) -> str:
    """Every line of ``text`` through :func:`guard_line` (line breaks kept)."""
    if "::" not in text and "##[" not in text:
        return text
    return "\n".join(guard_line(line) for line in text.split("\n"))


def safe_line(text: str) -> str:
    """Data made into one printable line: controls escaped, no workflow command."""
    return guard_line(escape_controls(text))


def quoted(text: str) -> str:
    """A name or id for text output: escaped, in double quotes."""
    return f'"{escape_controls(text)}"'


# --- GitHub workflow commands (``::error file=F,line=L::message``) ------------------------------


def github_data(text: str) -> str:
    """The message of a workflow command: escaped per GitHub's rules (``%``, CR and LF
    as ``%25``, ``%0D``, ``%0A``: the annotation shows the line breaks), on one line;
    any other control character shown escaped."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape_controls(text)


def github_property(text: str) -> str:
    """A property value of a workflow command (``file=...``): also ``:`` and ``,``."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


# --- markdown ----------------------------------------------------------------------------------

# GitHub links ``@name`` (a user, or every member of a team) in the text of the HTML it
# rendered, outside code and links, after character references are decoded: neither
# ``\@`` nor ``&#64;`` stops it. An empty HTML comment after the ``@`` splits the text in
# two, so no text holds ``@name``; the reader still sees ``@name``, and copies it as such.
NO_MENTION = "@<!-- -->"

_MARKDOWN_SPECIAL = {
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "|": "\\|", "[": "\\[", "]": "\\]",
    "<": "&lt;", ">": "&gt;", "&": "&amp;", "@": NO_MENTION,
}
_MARKDOWN_TABLE = str.maketrans(_MARKDOWN_SPECIAL)
_HTML_TABLE = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;",
                             "@": NO_MENTION})


def md_text(text: str) -> str:
    """Data inside markdown prose or a table cell: shown literally, never a mention."""
    return escape_controls(text).translate(_MARKDOWN_TABLE)


def html_text(text: str) -> str:
    """Data inside an element of an HTML block (``<summary>``), where markdown escapes
    would show as backslashes: shown literally, never a mention."""
    return escape_controls(text).translate(_HTML_TABLE)


def md_code(text: str) -> str:
    """Data as an inline code span that no backtick in it can close early."""
    text = escape_controls(text).replace("|", "\\|")
    fence = "`" * (_longest_run(text, "`") + 1)
    if not text:
        return "` `"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_fence(lines: list[str], info: str = "") -> str:
    """A fenced code block around ``lines`` (already escaped), with a fence no line closes."""
    longest = max((_longest_run(line, "`") for line in lines), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([fence + info, *lines, fence]) + "\n"


def _longest_run(text: str, char: str) -> int:
    longest = run = 0
    for current in text:
        run = run + 1 if current == char else 0
        longest = max(longest, run)
    return longest


# --- JSON --------------------------------------------------------------------------------------


def _json_escaped(char: str) -> str:
    if not _unsafe(char):
        return char
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(data: Any) -> str:
    """``data`` as indented JSON, non-ASCII kept readable, with every control and
    invisible format character written as a ``\\uNNNN`` escape: the same data, but
    safe to print."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    # json.dumps has escaped every C0 control; the line breaks left are the layout's
    return _NOT_ASCII.sub(lambda match: _json_escaped(match.group()), text)
