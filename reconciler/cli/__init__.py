"""The `dashctl` command line: click only.

Each command parses its arguments into the options object of its module in
`reconciler.commands` and calls that module's `run`, which returns the exit
code. `main` is the one error handler: a DashctlError becomes one clean line
and exit 1, Ctrl-C 130, anything unexpected a short message plus a crash log.
The global options (`--root`, `--no-color`, `-v`) are accepted before or
after the command name.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import click

from reconciler import __version__
from reconciler.cli.options import (
    Globals,
    _globals,
    _logging,
    common,
    examples,
    fmt_option,
    global_options,
    parallelism_option,
    selection_options,
)
from reconciler.errors import DashctlError
from reconciler.report.sanitize import safe_line

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT, epilog=examples(
    "dashctl validate", "dashctl plan --env staging", "dashctl apply --env staging",
    "dashctl drift --format markdown", "dashctl --root infra/dashboards plan"))
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), envvar="DASHCTL_ROOT",
              help="The GitOps repository (env DASHCTL_ROOT; default: the nearest folder at or "
                   "above this one holding environments.yaml, else ./dashboards).")
@click.option("--no-color", is_flag=True, help="Plain output (also NO_COLOR).")
@click.option("-v", "--verbose", count=True, help="More detail on stderr.")
@click.version_option(__version__, prog_name="dashctl")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, no_color: bool, verbose: int) -> None:
    """Keep analytics dashboards in git: validate, plan, apply and report drift."""
    from reconciler.repo.repository import find_root

    globals_ = ctx.ensure_object(Globals)
    globals_.root = root if root is not None else find_root(Path.cwd())
    globals_.no_color, globals_.verbose = no_color, verbose
    _logging(verbose)


@cli.command(epilog=examples("dashctl validate", "dashctl validate --env production",
                             "dashctl validate --format github   # annotations in Actions"))
@selection_options
@fmt_option("text", "json", "github")
@global_options
@click.pass_context
def validate(ctx: click.Context, /, **values: Any) -> None:
    """Parse, schema-check and lint every manifest (no API call)."""
    from reconciler.commands import validate as command

    ctx.exit(command.run(command.ValidateOptions(**common(ctx, **values))))


@cli.command(epilog=examples(
    "dashctl plan", "dashctl plan --env staging --format markdown",
    "dashctl plan --env production --out plan.json   # then: apply --plan plan.json",
    "dashctl plan --env 'tenants/*' --shard 1/4"))
@selection_options
@fmt_option("text", "markdown", "json")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the plan to FILE for apply --plan.")
@parallelism_option
@global_options
@click.pass_context
def plan(ctx: click.Context, /, **values: Any) -> None:
    """Read live state and print what apply would do (exit 2 when it would change things)."""
    from reconciler.commands import plan as command

    ctx.exit(command.run(command.PlanOptions(**common(ctx, **values))))


@cli.command(epilog=examples(
    "dashctl apply --env staging", "dashctl apply --env staging --auto-approve --allow-delete",
    "dashctl apply --plan plan.json --auto-approve --backup-dir backups/"))
@selection_options
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Apply exactly this saved plan; refused if live state moved since.")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-delete", is_flag=True,
              help="Delete unmanaged dashboards in environments with prune: true.")
@click.option("--overwrite-outside-edits", is_flag=True,
              help="Revert edits made outside git (in the UI) to git's version, for this run "
                   "(outside_edits: overwrite); settles conflicts in git's favour.")
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the live JSON of every dashboard before changing it.")
@fmt_option("text", "json")
@parallelism_option
@global_options
@click.pass_context
def apply(ctx: click.Context, /, **values: Any) -> None:
    """Make live dashboards match git."""
    from reconciler.commands import apply as command

    ctx.exit(command.run(command.ApplyOptions(**common(ctx, **values))))


@cli.command(epilog=examples(
    "dashctl drift", "dashctl drift --env production --format json",
    "dashctl drift --report-dir reports/   # drift-<env>.json and .md"))
@selection_options
@fmt_option("text", "markdown", "json")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write drift-<env>.json and drift-<env>.md here.")
@parallelism_option
@global_options
@click.pass_context
def drift(ctx: click.Context, /, **values: Any) -> None:
    """Compare live dashboards with git (exit 2 on drift)."""
    from reconciler.commands import drift as command

    ctx.exit(command.run(command.DriftOptions(**common(ctx, **values))))


@cli.command(epilog=examples("dashctl pull --env staging",
                             "dashctl pull --env staging --name 'Growth KPIs'"))
@click.option("--env", "envs", multiple=True, required=True, metavar="ENV",
              help="The environment to pull from (repeatable, globs allowed).")
@click.option("--name", help="Only the dashboard with this name.")
@parallelism_option
@global_options
@click.pass_context
def pull(ctx: click.Context, /, **values: Any) -> None:
    """Write live dashboards into manifests, keeping comments and key order."""
    from reconciler.commands import pull as command

    ctx.exit(command.run(command.PullOptions(**common(ctx, **values))))


@cli.command(epilog=examples(
    "dashctl promote 'Growth KPIs' --from staging",
    "dashctl promote 'Ops (staging)' --from staging   # name: Ops (${site}), as staging reads it",
    "dashctl promote 'Tenant KPIs' --from tenants     # the fleet's folder tenants/",
    "dashctl promote 'Tenant KPIs' --from tenants/proj_acme   # the same folder, acme's vars",
    "dashctl pull --env staging --name Ops && dashctl promote Ops --from staging"))
@click.argument("name")
@click.option("--from", "source", required=True, metavar="ENV",
              help="The environment whose own folder holds the manifest; a fleet, or one of "
                   "its members, for the fleet's folder.")
@global_options
@click.pass_context
def promote(ctx: click.Context, name: str, source: str) -> None:
    """Move the manifest of dashboard NAME from ENV's own folder into base/.

    Every environment then gets it on its next apply; one that already has a live
    dashboard of that name pairs with it by name. NAME is the name as ENV reads it,
    ${var} rendered with ENV's vars (for a fleet: any member's). The file keeps its
    name, comments and key order, and loses its pinned id (ids are per environment).

    Refused, with nothing moved, when base/ already has that file or a dashboard of
    that name, when the manifest has problems, or when in base/ it would not validate
    for some environment (a ${var} only ENV defines, a name used twice).
    """
    from reconciler.commands import promote as command

    options = command.PromoteOptions(**_globals(ctx).common(), name=name, source=source)
    ctx.exit(command.run(options))


@cli.command(epilog=examples("dashctl restore backups/staging-dash_1-20261201T120000Z.json",
                             "dashctl restore backups/*.json"))
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@parallelism_option
@global_options
@click.pass_context
def restore(ctx: click.Context, files: tuple[Path, ...], parallelism: int) -> None:
    """Put dashboards back as an apply backup recorded them."""
    from reconciler.commands import restore as command

    options = command.RestoreOptions(**_globals(ctx).common(), files=files,
                                     parallelism=parallelism)
    ctx.exit(command.run(options))


@cli.command(epilog=examples(
    "dashctl comment --pr 42 --env staging",
    "dashctl comment --pr 42 --env staging --plan plan-staging.json",
    "dashctl comment --pr 42 --env staging --plan plan-staging.json --preview-url URL"))
@click.option("--pr", type=int, required=True, help="Pull request number.")
@selection_options
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Post this saved plan instead of planning again.")
@click.option("--preview-url", metavar="URL",
              help="Link this layout preview of the plan (e.g. CI's artifact of "
                   "`dashctl preview --plan`) in the comment's footer.")
@parallelism_option
@global_options
@click.pass_context
def comment(ctx: click.Context, /, **values: Any) -> None:
    """Post the markdown plan as one sticky comment per environment on a pull request.

    Talks to GitHub with the token in GITHUB_TOKEN (it needs pull-requests: write), on the
    repository GITHUB_REPOSITORY names (owner/name) at GITHUB_API_URL (default
    https://api.github.com): the variables GitHub Actions sets.
    """
    from reconciler.commands import comment as command

    ctx.exit(command.run(command.CommentOptions(**common(ctx, **values))))


@cli.command(epilog=examples("dashctl preview --out preview/",
                             "dashctl preview --plan plan.json --out preview/"))
@selection_options
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Draw before/after for a saved plan.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("preview"),
              show_default=True, help="The folder to write the pages into.")
@global_options
@click.pass_context
def preview(ctx: click.Context, /, **values: Any) -> None:
    """Write self-contained HTML pages that draw each dashboard's layout."""
    from reconciler.commands import preview as command

    ctx.exit(command.run(command.PreviewOptions(**common(ctx, **values))))


@cli.command(epilog=examples("dashctl envs", "dashctl envs --env 'tenants/*' --shard 2/4 "
                             "--format json   # a CI matrix"))
@selection_options
@fmt_option("text", "json")
@global_options
@click.pass_context
def envs(ctx: click.Context, /, **values: Any) -> None:
    """List the selected environments and fleet members (JSON for CI matrices)."""
    from reconciler.commands import envs as command

    ctx.exit(command.run(command.EnvsOptions(**common(ctx, **values))))


@cli.command(epilog=examples(
    "DASHCTL_JWT_SECRET=dev-secret dashctl serve --port 8080",
    "dashctl serve --port 0 --db /tmp/api.db --jwt-secret s --quirks --latency-ms 20"))
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(".dashctl/serve.db"), show_default=True,
              help="The SQLite file that holds the emulator's dashboards (made if missing; "
                   "kept between runs).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="0 picks a free port.")
@click.option("--jwt-secret", envvar="DASHCTL_JWT_SECRET",
              help="HS256 secret (DASHCTL_JWT_SECRET).")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0,
              help="Share of requests that fail (503/429/dropped), nothing written.")
@click.option("--ambiguous-create-rate", type=click.FloatRange(0, 1), default=0.0,
              help="Share of Creates that commit, then answer 503.")
@click.option("--latency-ms", type=click.IntRange(0), default=0, help="Added to every call.")
@click.option("--quirks", is_flag=True,
              help="Answer like a picky real server (reordered tiles, omitted defaults, "
                   "extra fields).")
@click.option("--newer-api", is_flag=True,
              help="Act as a newer API: keep tile fields and tile types the proto does not know.")
@click.option("--seed", type=int, help="Seed for fault injection.")
@global_options
def serve(db: Path, host: str, port: int, jwt_secret: str | None, **emulator: Any) -> None:
    """Run the Dashboards API emulator on real HTTP."""
    from reconciler.commands import serve as command
    from reconciler.emulator.options import EmulatorOptions

    options = command.ServeOptions(db=db, host=host, port=port, jwt_secret=jwt_secret,
                                   emulator=EmulatorOptions(**emulator))
    click.get_current_context().exit(command.run(options))


@cli.command(epilog=examples("DASHCTL_JWT_SECRET=dev-secret dashctl token --project proj_dev",
                             "dashctl token --project proj_dev --jwt-secret s --ttl 600"))
@click.option("--project", required=True, help="The project the token grants.")
@click.option("--jwt-secret", envvar="DASHCTL_JWT_SECRET", required=True,
              help="The HS256 secret `dashctl serve` was started with; read from the "
                   "environment variable DASHCTL_JWT_SECRET when not given.")
@click.option("--ttl", type=click.IntRange(1), default=3600, show_default=True,
              help="Lifetime in seconds.")
@global_options
def token(project: str, jwt_secret: str, ttl: int) -> None:
    """Mint a JWT that the emulator accepts for PROJECT."""
    from reconciler.commands import token as command

    options = command.TokenOptions(project=project, jwt_secret=jwt_secret, ttl=ttl)
    click.get_current_context().exit(command.run(options))


@cli.command(epilog=examples("dashctl schema dashboard > dashboard.schema.json"))
@click.argument("name", type=click.Choice(["dashboard", "environments", "plan", "drift"]))
@global_options
def schema(name: str) -> None:
    """Print a JSON Schema (dashboard, environments, plan, drift)."""
    from reconciler.commands import schema as command

    click.get_current_context().exit(command.run(command.SchemaOptions(name=name)))


@cli.command(epilog=examples(
    "dashctl init                  # ./dashboards, then: dashctl validate",
    "dashctl init infra/dashboards # then: dashctl --root infra/dashboards validate",
    "dashctl init .                # this folder (a fresh git repository, say)"))
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@global_options
@click.pass_context
def init(ctx: click.Context, directory: Path | None) -> None:
    """Write a new repository into DIRECTORY that works at once (default ./dashboards).

    environments.yaml with a `local` environment on the embedded emulator and a
    commented example of a real one, base/ with an example dashboard, the JSON Schemas
    its editor modelines point at, and a .gitignore for the emulator's database.
    Refused, with nothing written, where DIRECTORY already holds environments.yaml.
    """
    from reconciler.commands import init as command

    if directory is None:  # --root (or DASHCTL_ROOT) given names the folder too
        contexts = [ctx, ctx.parent] if ctx.parent is not None else [ctx]
        sources = [context.get_parameter_source("root") for context in contexts]
        given = any(source not in (None, click.core.ParameterSource.DEFAULT)
                    for source in sources)
        directory = _globals(ctx).root if given else command.DEFAULT_DIR
    ctx.exit(command.run(command.InitOptions(directory=directory)))


def _crash_log() -> str:
    fd, path = tempfile.mkstemp(prefix="dashctl-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(traceback.format_exc())
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (also the console script)."""
    try:
        code = cli.main(args=argv, prog_name="dashctl", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        error.show()
        code = 1
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        code = 130
    except DashctlError as error:
        click.echo(f"error: {safe_line(str(error))}", err=True)
        code = 1
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = 130
    except Exception as error:  # the last line of defence: never a raw traceback
        click.echo(
            safe_line(f"unexpected error: {type(error).__name__}: {error} "
                      f"(details in {_crash_log()})"),
            err=True,
        )
        code = 1
    if isinstance(code, int):
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
