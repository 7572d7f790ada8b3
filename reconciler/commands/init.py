"""`dashctl init [DIR]`: write a new repository that works at once (SPEC section 8).

The files come from `repo.scaffold` (the package's own schemas copied in) and
are written all or nothing by `repo.new_repo`. stdout gets one line per file
written, so a script can see what appeared; stderr says what to do next, with
`--root DIR` in each command unless plain commands already find DIR.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from reconciler.commands import console
from reconciler.repo.new_repo import write_new_repository
from reconciler.repo.scaffold import ENVIRONMENTS_FILE, REPOSITORY_SCHEMAS, repository_files
from reconciler.repo.schema import schema_path
from reconciler.repo.yaml_io import display_path

DEFAULT_DIR = Path("dashboards")


@dataclass(frozen=True, kw_only=True)
class InitOptions:
    directory: Path = DEFAULT_DIR


def run(options: InitOptions) -> int:
    schemas = {name: schema_path(name).read_text("utf-8") for name in REPOSITORY_SCHEMAS}
    for written in write_new_repository(options.directory, repository_files(schemas)):
        console.line(f"{written.action} {display_path(written.path)}")
    for text in next_steps(options.directory, os.environ.get("DASHCTL_ROOT")):
        console.note(text)
    return 0


def next_steps(directory: Path, root_env: str | None) -> list[str]:
    """What to run next. ``--root DIR`` is left out where dashctl finds DIR by itself (it
    is ``DASHCTL_ROOT``, or ``./dashboards`` when that is unset)."""
    found = Path(root_env) if root_env else DEFAULT_DIR
    same = directory.absolute().resolve() == found.absolute().resolve()
    root = "" if same else f"--root {shlex.quote(display_path(directory))} "
    steps = [
        (f"dashctl {root}validate", "check every file, no API call"),
        (f"dashctl {root}plan --env local", "what apply would do (exit 2: changes)"),
        (f"dashctl {root}apply --env local", "create the example dashboard"),
    ]
    width = max(len(command) for command, _ in steps)
    shown = display_path(directory / ENVIRONMENTS_FILE)
    return [
        "Next:",
        *(f"  {command.ljust(width)}   # {why}" for command, why in steps),
        f"Then add a real environment: uncomment the example in {shown}.",
    ]
