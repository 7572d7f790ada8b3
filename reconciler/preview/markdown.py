"""Markdown tiles rendered safely: no manifest can put script into a page.

markdown-it-py's CommonMark preset with raw HTML disabled escapes any HTML in
the text (``<script>`` shows as text). Its ``validateLink`` refuses
``javascript:``, ``vbscript:``, ``file:`` and ``data:`` (other than images)
link targets, leaving the link as plain text. On top of that, links keep an
``href`` only for http, https, mailto and relative targets, and images are
shown as their alt text, since a remote image would be a network fetch at
view time. The pages also carry a Content-Security-Policy without script-src.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

from markdown_it import MarkdownIt

SAFE_SCHEMES = ("http", "https", "mailto")
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_href(href: str) -> bool:
    """True for http(s), mailto and relative targets (what browsers would parse as such)."""
    scheme = SCHEME.match(CONTROL.sub("", href))
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def _link_open(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if not safe_href(href):
        token.attrs.pop("href", None)
    token.attrSet("rel", "noopener noreferrer nofollow")
    return str(self.renderToken(tokens, idx, options, env))


def _image(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = str(token.attrGet("src") or "")
    return (f'<span class="md-image" title="{escape(src)}">[image: '
            f"{escape(str(alt)) or 'no alt text'}]</span>")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


def render_markdown(content: str) -> str:
    """HTML for a markdown tile's content (escaped text, no raw HTML, safe links only)."""
    return str(_parser().render(content))
