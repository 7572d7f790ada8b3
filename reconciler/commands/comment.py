"""`dashctl comment`: the plan as one sticky comment per environment on a pull request.

Each environment's markdown starts with the hidden marker
``<!-- dashctl:plan env=NAME -->``. The comment whose first line is that
marker is updated in place (PATCH) on every push, or created (POST) when
there is none yet; a comment that already says the same is left alone.
Everyone else's comments are never touched. Each comment names the commit it
planned and, in GitHub Actions, links the run (GITHUB_SHA, GITHUB_SERVER_URL,
GITHUB_REPOSITORY, GITHUB_RUN_ID). `--plan FILE` posts a saved plan instead
of reading live state again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reconciler.api.github import (
    GitHubClient,
    GitHubError,
    GitHubSettings,
    create_issue_comment,
    github_client,
    list_issue_comments,
    update_issue_comment,
)
from reconciler.commands import console
from reconciler.commands.options import Selected
from reconciler.documents import read_saved_plan
from reconciler.engine.plan import Plan
from reconciler.report.plan_markdown import COMMENT_CAP, environment_markdown
from reconciler.report.plan_markdown import marker as plan_marker

CommentOutcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True, kw_only=True)
class CommentOptions(Selected):
    pr: int
    plan_file: Path | None = None


def provenance(environ: Mapping[str, str]) -> str:
    """The footer line: the commit planned and the CI run, from GitHub Actions' variables."""
    parts = []
    sha = environ.get("GITHUB_SHA", "").strip()
    if sha:
        parts.append(f"commit `{sha[:12]}`")
    server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    run_id = environ.get("GITHUB_RUN_ID", "").strip()
    if server and repository and run_id.isdigit():
        parts.append(f"[CI run {run_id}]({server}/{repository}/actions/runs/{run_id})")
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


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def upsert_sticky_comment(
    client: GitHubClient, repo: str, pr: int, marker: str, body: str
) -> CommentOutcome:
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


def plan_markdown_by_environment(options: CommentOptions) -> tuple[dict[str, str], int]:
    """{environment: its markdown plan}, and the plan's exit code (a saved plan with --plan)."""
    session = options.open()
    if options.plan_file is None:
        plan = session.plan()
    else:
        wanted = {e.name for e in session.environments}
        saved = read_saved_plan(options.plan_file)
        plan = Plan([item for item in saved.environments if item.name in wanted])
    return {env.name: environment_markdown(env) for env in plan.environments}, plan.exit_code


def run(options: CommentOptions) -> int:
    """Post or update each environment's plan comment; 1 if posting or planning failed."""
    settings = GitHubSettings.from_env()
    bodies, plan_code = plan_markdown_by_environment(options)
    footer = provenance(os.environ)
    failed = False
    with github_client(settings, sleep=time.sleep) as client:
        for name, markdown in bodies.items():
            tag = plan_marker(name)
            if _first_line(markdown) != tag:
                markdown = f"{tag}\n{markdown}"
            body = cap_body(markdown, COMMENT_CAP - len(footer) - 2)
            if footer:  # after a blank line: it ends the HTML block or paragraph before it
                body += ("\n" if body.endswith("\n") else "\n\n") + footer
            try:
                outcome = upsert_sticky_comment(client, settings.repository, options.pr, tag, body)
            except GitHubError as error:
                failed = True
                console.error(f"{name}: {error}")
                continue
            console.line(f"{name}: plan comment {outcome} on {settings.repository}#{options.pr}")
    return 1 if failed or plan_code == 1 else 0
