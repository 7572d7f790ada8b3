"""What `dashctl validate` prints: problems in one of three forms.

- text: ``FILE:LINE:COL: message``, one a line (then a summary on stderr);
- github: ``::error file=FILE,line=LINE,col=COL::message`` workflow commands;
- json: ``{"valid": bool, "problems": [{"file", "line", "column", "message"}]}``.
"""

from __future__ import annotations

import json

from reconciler.repo.loader import Validation
from reconciler.repo.models import Problem


def render_text(problems: list[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's files."""
    return "\n".join(
        f"::error file={_escape_property(problem.file)},line={problem.line},"
        f"col={problem.column}::{_escape_data(problem.message)}"
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
    return json.dumps(document, indent=2, ensure_ascii=False)


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
