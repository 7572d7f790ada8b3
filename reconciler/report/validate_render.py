"""What `dashctl validate` prints: problems in one of three forms.

- text: ``FILE:LINE:COL: message``, one a line (then a summary on stderr);
- github: ``::error file=FILE,line=LINE,col=COL::message`` workflow commands;
- json: ``{"valid": bool, "problems": [{"file", "line", "column", "message"}]}``.
"""

from __future__ import annotations

from reconciler.repo.problem import Problem
from reconciler.repo.repository import Validation
from reconciler.report.sanitize import github_data, github_property, json_text, safe_line


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
