"""`dashctl validate`: parse, schema-check and lint every manifest, no network.

Problems go to stdout in one of three forms:

- text: ``FILE:LINE:COL: message``, one a line (then a summary on stderr);
- github: ``::error file=FILE,line=LINE,col=COL::message`` workflow commands;
- json: ``{"valid": bool, "problems": [{"file", "line", "column", "message"}]}``.

Exit 0 when the repository is valid, 1 when it is not (a missing repository
or an unknown environment included).
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.errors import ConfigError
from reconciler.repo.loader import Validation, check_repo
from reconciler.repo.models import Problem
from reconciler.repo.yaml_io import display_path
from reconciler.report.sanitize import github_data, github_property, json_text, safe_line

FORMATS = ("text", "json", "github")


def run_validate(root: Path, *, env: str, fmt: str) -> int:
    """Validate the repository at root and print the result; returns the exit code."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    try:
        result = check_repo(root, env)
    except ConfigError as error:
        result = Validation([Problem(display_path(root), 1, 1, str(error))])
    problems = result.problems
    if fmt == "json":
        click.echo(render_json(problems))
    elif problems:
        render = render_github if fmt == "github" else render_text
        click.echo(render(problems))
    click.echo(summary(result), err=True)
    return 1 if problems else 0


def render_text(problems: list[Problem]) -> str:
    """One ``FILE:LINE:COL: message`` line each; data escaped, no workflow command."""
    return "\n".join(safe_line(str(problem)) for problem in problems)


def render_github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's files."""
    return "\n".join(
        f"::error file={github_property(problem.file)},line={problem.line},"
        f"col={problem.column}::{github_data(problem.message)}"
        for problem in problems
    )


def render_json(problems: list[Problem]) -> str:
    document = {
        "valid": not problems,
        "problems": [
            {
                "file": problem.file,
                "line": problem.line,
                "column": problem.column,
                "message": problem.message,
            }
            for problem in problems
        ],
    }
    return json_text(document)


def summary(result: Validation) -> str:
    if not result.problems:
        environments = "environment" if result.environments == 1 else "environments"
        manifests = "manifest" if result.manifests == 1 else "manifests"
        return f"valid: {result.manifests} {manifests} in {result.environments} {environments}"
    files = len({problem.file for problem in result.problems})
    count = len(result.problems)
    return (
        f"invalid: {count} problem{'s' if count != 1 else ''}"
        f" in {files} file{'s' if files != 1 else ''}"
    )
