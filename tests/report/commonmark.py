"""Markdown as GitHub reads it, for tests: a CommonMark renderer and checks on what it makes.

GitHub renders comments and issues with cmark-gfm (CommonMark plus tables and
a few extensions), then links ``@name`` mentions in the text nodes of the HTML
it made, outside code and links. markdown-it-py's ``commonmark`` preset with
tables enabled parses the same blocks, so what it makes of a comment is what
GitHub shows: an HTML block runs to the next blank line, and anything glued to
it (a footer after ``</details>``) is shown as raw text, not as markdown.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

MENTION = re.compile(r"@[A-Za-z0-9]")  # where GitHub would start a user or team mention


def renderer() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def html_of(text: str) -> str:
    return renderer().render(text)


class TextNodes(HTMLParser):
    """The text nodes of an HTML fragment outside ``<code>``/``<pre>``/``<a>``, one item each
    (a comment or a tag between two pieces of text makes two nodes, as in a DOM)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.depth = 0  # inside code, pre or a link: never a mention

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag in ("code", "pre", "a")

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag in ("code", "pre", "a")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.nodes.append(data)


def text_nodes(markdown: str) -> list[str]:
    parser = TextNodes()
    parser.feed(html_of(markdown))
    parser.close()
    return parser.nodes


def mentions(markdown: str) -> list[str]:
    """The text nodes GitHub would find a mention in (outside code and links)."""
    return [node for node in text_nodes(markdown) if MENTION.search(node)]


def blocks(markdown: str) -> list[Token]:
    """The block tokens of ``markdown`` (no inline children, no nesting markers)."""
    return [token for token in renderer().parse(markdown) if token.type != "inline"
            and not token.type.endswith(("_open", "_close"))]


def paragraphs(markdown: str) -> list[Token]:
    """The inline token of every paragraph: its ``content`` is the paragraph's source."""
    tokens = renderer().parse(markdown)
    return [tokens[index + 1] for index, token in enumerate(tokens)
            if token.type == "paragraph_open"]


HTML_LINE = re.compile(r"^\s*(<[^>]*>)+\s*$|^\s*$")  # a line of tags (and comments) only


def assert_valid_github_markdown(markdown: str) -> None:
    """Every HTML block holds tags only (no markdown swallowed by it), and no paragraph
    holds ``<details>``, ``</details>`` or ``<summary>`` as text."""
    for token in blocks(markdown):
        if token.type == "html_block":
            for line in token.content.splitlines():
                assert HTML_LINE.match(line) or line.startswith("<details><summary>"), (
                    f"markdown swallowed by an HTML block: {line!r}\n{token.content}")
    for inline in paragraphs(markdown):
        for tag in ("<details", "</details", "<summary", "</summary"):
            assert tag not in inline.content, f"{tag} shown as text: {inline.content!r}"
