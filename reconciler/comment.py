"""`dashctl comment`: the plan as one sticky comment per environment on a pull request.

Each environment's markdown starts with the hidden marker
``<!-- dashctl:plan env=NAME -->``. The comment whose first line is that
marker is updated in place (PATCH) on every push, or created (POST) when
there is none yet; a comment that already says the same is left alone.
Everyone else's comments are never touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click
import httpx

from reconciler.commands import plan_markdown_by_environment
from reconciler.github import (
    GitHubError,
    GitHubSettings,
    create_issue_comment,
    github_client,
    list_issue_comments,
    update_issue_comment,
)
from reconciler.report.plan_markdown import COMMENT_CAP
from reconciler.report.plan_markdown import marker as plan_marker

Outcome = Literal["created", "updated", "unchanged"]

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


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def upsert_sticky_comment(
    client: httpx.Client, repo: str, pr: int, marker: str, body: str
) -> Outcome:
    """Keep exactly one comment on ``pr`` whose first line is ``marker``, saying ``body``.

    ``body`` must start with ``marker``. With several marked comments (two
    runs raced), the oldest is the one kept up to date.
    """
    if _first_line(body) != marker:
        raise ValueError("the comment body must start with its marker line")
    for existing in list_issue_comments(client, repo, pr):
        text = str(existing.get("body") or "")
        if _first_line(text) != marker:
            continue
        if text.replace("\r\n", "\n") == body:
            return "unchanged"
        update_issue_comment(client, repo, int(existing["id"]), body)
        return "updated"
    create_issue_comment(client, repo, pr, body)
    return "created"


def run_comment(root: Path, *, pr: int, env: str) -> int:
    """Post or update each environment's plan comment; 1 if posting or planning failed."""
    settings = GitHubSettings.from_env()
    bodies, plan_code = plan_markdown_by_environment(root, env)
    failed = False
    with github_client(settings) as client:
        for name, markdown in bodies.items():
            tag = plan_marker(name)
            if _first_line(markdown) != tag:
                markdown = f"{tag}\n{markdown}"
            try:
                outcome = upsert_sticky_comment(
                    client, settings.repository, pr, tag, cap_body(markdown)
                )
            except GitHubError as error:
                failed = True
                click.echo(f"error: {name}: {error}", err=True)
                continue
            click.echo(f"{name}: plan comment {outcome} on {settings.repository}#{pr}")
    return 1 if failed or plan_code == 1 else 0
