"""`dashctl comment`: the plan as one sticky comment per environment on a pull request.

Each environment's markdown starts with the hidden marker
``<!-- dashctl:plan env=NAME -->``. The comment whose first line is that
marker is updated in place (PATCH) on every push, or created (POST) when
there is none yet; a comment that already says the same is left alone.
Everyone else's comments are never touched. Each comment names the commit it
planned and, in GitHub Actions, links the run (GITHUB_SHA, GITHUB_SERVER_URL,
GITHUB_REPOSITORY, GITHUB_RUN_ID) and, with `--preview-url`, the layout
preview CI keeps of the plan. `--plan FILE` posts a saved plan instead of
reading live state again.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from reconciler.api.github import (
    GitHubError,
    GitHubSettings,
    github_client,
    upsert_sticky_comment,
)
from reconciler.commands import console
from reconciler.commands.options import Selected, open_run
from reconciler.documents import read_saved_plan
from reconciler.engine.changes import Plan
from reconciler.errors import DashctlError
from reconciler.report.comment import comment_body, link_problem
from reconciler.report.plan_markdown import environment_markdown, marker


@dataclass(frozen=True, kw_only=True)
class CommentOptions(Selected):
    pr: int
    plan_file: Path | None = None
    preview_url: str | None = None


def plan_markdown_by_environment(options: CommentOptions) -> tuple[dict[str, str], int]:
    """{environment: its markdown plan}, and the plan's exit code (a saved plan with --plan)."""
    session = open_run(options)
    if options.plan_file is None:
        plan = session.plan()
    else:
        wanted = {e.name for e in session.environments}
        saved = read_saved_plan(options.plan_file)
        plan = Plan([item for item in saved.environments if item.name in wanted])
    return {env.name: environment_markdown(env) for env in plan.environments}, plan.exit_code


def run(options: CommentOptions) -> int:
    """Post or update each environment's plan comment; 1 if posting or planning failed."""
    if options.preview_url and (problem := link_problem(options.preview_url)):
        raise DashctlError(f"--preview-url: {problem}")
    settings = GitHubSettings.from_env()
    bodies, plan_code = plan_markdown_by_environment(options)
    failed = False
    with github_client(settings, sleep=time.sleep) as client:
        for name, markdown in bodies.items():
            body = comment_body(name, markdown, os.environ, options.preview_url)
            try:
                outcome = upsert_sticky_comment(client, settings.repository, options.pr,
                                                marker(name), body)
            except GitHubError as error:
                failed = True
                console.error(f"{name}: {error}")
                continue
            console.line(f"{name}: plan comment {outcome} on {settings.repository}#{options.pr}")
    return 1 if failed or plan_code == 1 else 0
