"""`dashctl validate`: parse, schema-check and lint every manifest, no network.

Exit 0 when the repository is valid, 1 when it is not (a missing repository
or an unknown environment included: both are reported as a problem, so that
every format, JSON included, says why).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.commands import console
from reconciler.commands.options import Selected
from reconciler.errors import ConfigError
from reconciler.repo.problem import Problem
from reconciler.repo.repository import Validation, check_repo
from reconciler.repo.yaml_io import display_path
from reconciler.report.validate_render import render_github, render_json, render_text, summary

FORMATS = ("text", "json", "github")


@dataclass(frozen=True, kw_only=True)
class ValidateOptions(Selected):
    fmt: str = "text"


def run(options: ValidateOptions) -> int:
    if options.fmt not in FORMATS:
        raise ConfigError(f"unknown format {options.fmt!r} (known: {', '.join(FORMATS)})")
    try:
        result = check_repo(options.root, options.envs)
    except ConfigError as error:
        result = Validation([Problem(display_path(options.root), 1, 1, str(error))])
    problems = result.problems
    if options.fmt == "json":
        console.out(render_json(problems))
    elif problems:
        render = render_github if options.fmt == "github" else render_text
        console.out(render(problems))
    console.note(summary(result))
    return 1 if problems else 0
