"""The sticky PR comment of one environment: its plan, cut to fit, and where it was planned. Pure.

A comment starts with its environment's marker line (`plan_markdown.marker`:
`dashctl comment` finds its own comment by it), holds the markdown plan cut at
a line end to fit GitHub's comment size limit with every open block closed,
and ends, after a blank line (which closes an HTML block such as
``</details>``), with the commit planned, a link to the CI run and, when CI
keeps one, a link to the plan's layout preview (`dashctl preview --plan`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from reconciler.report.plan_markdown import COMMENT_CAP, marker

# A link that stays one link in markdown: http(s), a host, and none of the characters
# that end or open markdown or HTML (spaces, brackets, parentheses, quotes, backticks).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%!$&*+,;=:@/?#-]*)?")


def link_problem(url: str) -> str | None:
    """Why ``url`` cannot be linked as it is in a comment, or None."""
    if _PLAIN_URL.fullmatch(url) is None:
        return ("not a plain http(s) URL (no spaces, brackets, parentheses, quotes or "
                "backticks)")
    return None


def provenance(environ: Mapping[str, str], preview_url: str | None = None) -> str:
    """The footer line: the commit planned and the CI run, from GitHub Actions' variables,
    and the plan's layout preview (a URL `link_problem` accepts)."""
    parts = []
    sha = environ.get("GITHUB_SHA", "").strip()
    if sha:
        parts.append(f"commit `{sha[:12]}`")
    server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    run_id = environ.get("GITHUB_RUN_ID", "").strip()
    if server and repository and run_id.isdigit():
        parts.append(f"[CI run {run_id}]({server}/{repository}/actions/runs/{run_id})")
    if preview_url:
        assert link_problem(preview_url) is None
        parts.append(f"[layout preview, before and after]({preview_url})")
    return f"_Planned at {' · '.join(parts)}._\n" if parts else ""


TRUNCATED_NOTE = (
    "\n_Cut to fit GitHub's comment size limit; run `dashctl plan` for the full plan._\n"
)


def cap_body(body: str, limit: int = COMMENT_CAP) -> str:
    """``body`` cut at a line end to at most ``limit`` characters, open blocks closed, noted."""
    if len(body) <= limit:
        return body
    end = limit - len(TRUNCATED_NOTE)
    while True:
        kept = body[:end]
        kept = kept[: kept.rfind("\n") + 1] or kept
        text = kept + _closers(kept) + TRUNCATED_NOTE
        if len(text) <= limit:
            return text
        end = len(kept) - 1


def _closers(text: str) -> str:
    """What closes the code fence and <details> blocks that ``text`` leaves open."""
    fences = sum(1 for line in text.splitlines() if line.startswith("```"))
    closing = "```\n" if fences % 2 else ""
    open_details = text.count("<details>") - text.count("</details>")
    return closing + "</details>\n" * max(open_details, 0)


def comment_body(name: str, markdown: str, environ: Mapping[str, str],
                 preview_url: str | None = None) -> str:
    """The whole comment of environment ``name`` for its markdown plan, with the footer
    of GitHub Actions' variables in ``environ`` (and the preview's link)."""
    tag = marker(name)
    if markdown.split("\n", 1)[0].strip() != tag:
        markdown = f"{tag}\n{markdown}"
    footer = provenance(environ, preview_url)
    body = cap_body(markdown, COMMENT_CAP - len(footer) - 2)
    if footer:  # after a blank line: it ends the HTML block or paragraph before it
        body += ("\n" if body.endswith("\n") else "\n\n") + footer
    return body
