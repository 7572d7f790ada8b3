"""The options every dashctl command shares, and how they reach its options object.

The global options (`--root`, `--no-color`, `-v`, `--version`) are accepted before
or after the command name: before, the group reads them; after, each command's
own copies (`global_options`) set the same `Globals`.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler import __version__
from reconciler.run import DEFAULT_PARALLELISM

F = TypeVar("F", bound=Callable[..., Any])


class Globals:
    """The global options as given so far (before the command name, then after it)."""

    def __init__(self) -> None:
        self.root: Path = Path("dashboards")  # the group sets the one found (SPEC §2)
        self.no_color = False
        self.verbose = 0

    def common(self) -> dict[str, Any]:
        color = not self.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
        return {"root": self.root, "color": color, "verbose": self.verbose}


def _globals(ctx: click.Context) -> Globals:
    found = ctx.find_object(Globals)
    if found is None:
        found = ctx.ensure_object(Globals)
    return found


def _set_root(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    if value is not None:
        _globals(ctx).root = value


def _set_no_color(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        _globals(ctx).no_color = True


def _set_verbose(ctx: click.Context, _: click.Parameter, value: int) -> None:
    if value:
        globals_ = _globals(ctx)
        globals_.verbose += value
        _logging(globals_.verbose)


def _logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr,
                        force=True, level=level)


def global_options(command: F) -> F:
    """The global options, also accepted after the command name."""
    command = click.option("-v", "--verbose", count=True, expose_value=False,
                           callback=_set_verbose, help="More detail on stderr.")(command)
    command = click.option("--no-color", is_flag=True, expose_value=False,
                           callback=_set_no_color, help="Plain output (also NO_COLOR).")(command)
    command = click.version_option(__version__, prog_name="dashctl")(command)
    return click.option("--root", type=click.Path(file_okay=False, path_type=Path),
                        expose_value=False, callback=_set_root,
                        help="The GitOps repository (env DASHCTL_ROOT).")(command)


def selection_options(command: F) -> F:
    command = click.option(
        "--shard", metavar="K/N",
        help="Keep a stable 1/N of the selected environments (K from 1 to N).")(command)
    return click.option(
        "--env", "envs", multiple=True, metavar="ENV",
        help="An environment or fleet member, a glob ('tenants/*') or all (default); "
             "repeatable.")(command)


parallelism_option = click.option(
    "--parallelism", type=click.IntRange(1, 256), default=DEFAULT_PARALLELISM, show_default=True,
    help="Concurrent API calls across the whole run (reads and writes).")


def examples(*lines: str) -> str:
    """A help epilog of examples, kept as written."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def common(ctx: click.Context, **values: Any) -> dict[str, Any]:
    """The keyword arguments of a Selected options object."""
    from reconciler.repo.select import Shard

    shard = values.pop("shard", None)
    parsed = Shard.parse(shard) if shard is not None else None  # "" is refused, not "all"
    return {**_globals(ctx).common(), "shard": parsed, **values}


def fmt_option(*choices: str) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0],
                        show_default=True, help="Output format.")
