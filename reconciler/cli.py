"""The `dashctl` command line.

Each command is a thin wrapper that calls a plain function returning an exit
code; `main` turns every DashctlError into one clean line and exit 1, Ctrl-C
into 130, and anything unexpected into a short message plus a crash log.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

import click

from reconciler import __version__
from reconciler.errors import DashctlError

SCHEMA_NAMES = ("dashboard", "environments", "plan", "drift")


@dataclass(frozen=True)
class Options:
    """Global options every command sees."""

    root: Path
    color: bool
    verbose: int


def _options(ctx: click.Context) -> Options:
    options = ctx.find_object(Options)
    assert options is not None
    return options


env_option = click.option(
    "--env", "env", default="all", show_default=True, help="An environment name, or all."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="DASHCTL_ROOT",
    default=Path("dashboards"),
    show_default=True,
    help="The GitOps repository (env DASHCTL_ROOT).",
)
@click.option("--no-color", is_flag=True, help="Plain output (also NO_COLOR).")
@click.option("-v", "--verbose", count=True, help="More detail on stderr.")
@click.version_option(__version__, prog_name="dashctl")
@click.pass_context
def cli(ctx: click.Context, root: Path, no_color: bool, verbose: int) -> None:
    """Keep analytics dashboards in git: validate, plan, apply and report drift."""
    color = not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    logging.basicConfig(
        level=logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = Options(root=root, color=color, verbose=verbose)


@cli.command()
@env_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
)
@click.pass_context
def validate(ctx: click.Context, env: str, fmt: str) -> None:
    """Parse, schema-check and lint every manifest (no API call)."""
    from reconciler.repo.validate import run_validate

    ctx.exit(run_validate(_options(ctx).root, env=env, fmt=fmt))


@cli.command()
@env_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan to FILE for apply --plan.",
)
@click.pass_context
def plan(ctx: click.Context, env: str, fmt: str, out: Path | None) -> None:
    """Read live state and print what apply would do (exit 2 when it would change things)."""
    from reconciler.commands import run_plan

    options = _options(ctx)
    ctx.exit(run_plan(options.root, env=env, fmt=fmt, out=out, color=options.color))


@cli.command()
@env_option
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Apply exactly this saved plan; refused if live state moved since.",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--allow-delete",
    is_flag=True,
    help="Delete unmanaged dashboards in environments with prune: true.",
)
@click.option(
    "--backup-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the live JSON of every dashboard before changing it.",
)
@click.option("--parallelism", type=click.IntRange(1, 64), default=8, show_default=True)
@click.pass_context
def apply(
    ctx: click.Context,
    env: str,
    plan_file: Path | None,
    auto_approve: bool,
    allow_delete: bool,
    backup_dir: Path | None,
    parallelism: int,
) -> None:
    """Make live dashboards match git."""
    from reconciler.commands import run_apply

    options = _options(ctx)
    ctx.exit(
        run_apply(
            options.root,
            env=env,
            plan_file=plan_file,
            auto_approve=auto_approve,
            allow_delete=allow_delete,
            backup_dir=backup_dir,
            parallelism=parallelism,
            color=options.color,
        )
    )


@cli.command()
@env_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write drift-<env>.json and drift-<env>.md here.",
)
@click.pass_context
def drift(ctx: click.Context, env: str, fmt: str, report_dir: Path | None) -> None:
    """Compare live dashboards with git (exit 2 on drift)."""
    from reconciler.commands import run_drift

    options = _options(ctx)
    ctx.exit(run_drift(options.root, env=env, fmt=fmt, report_dir=report_dir, color=options.color))


@cli.command()
@click.option("--env", "env", required=True, help="The environment to pull from.")
@click.option("--name", "name", help="Only the dashboard with this name.")
@click.pass_context
def pull(ctx: click.Context, env: str, name: str | None) -> None:
    """Write live dashboards into manifests, keeping comments and key order."""
    from reconciler.pull import run_pull

    ctx.exit(run_pull(_options(ctx).root, env=env, name=name))


@cli.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.pass_context
def restore(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Put dashboards back as an apply backup recorded them."""
    from reconciler.commands import run_restore

    ctx.exit(run_restore(_options(ctx).root, files=list(files)))


@cli.command()
@click.option("--pr", "pr", type=int, required=True, help="Pull request number.")
@env_option
@click.pass_context
def comment(ctx: click.Context, pr: int, env: str) -> None:
    """Post the markdown plan as one sticky comment per environment on a pull request."""
    from reconciler.comment import run_comment

    ctx.exit(run_comment(_options(ctx).root, pr=pr, env=env))


@cli.command()
@env_option
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Draw before/after for a saved plan.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("preview"),
    show_default=True,
)
@click.pass_context
def preview(ctx: click.Context, env: str, plan_file: Path | None, out: Path) -> None:
    """Write self-contained HTML pages that draw each dashboard's layout."""
    from reconciler.preview import run_preview

    ctx.exit(run_preview(_options(ctx).root, env=env, plan_file=plan_file, out=out))


@cli.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".dashctl/serve.db"),
    show_default=True,
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8080, show_default=True, help="0 picks a free port.")
@click.option(
    "--jwt-secret", envvar="DASHCTL_JWT_SECRET", help="HS256 secret (DASHCTL_JWT_SECRET)."
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share of requests that fail (503/429/dropped), nothing written.",
)
@click.option(
    "--ambiguous-create-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share of Creates that commit, then answer 503.",
)
@click.option("--latency-ms", type=click.IntRange(0), default=0, help="Added to every call.")
@click.option(
    "--quirks",
    is_flag=True,
    help="Answer like a picky real server (reordered tiles, omitted defaults, extra fields).",
)
@click.option("--seed", type=int, help="Seed for fault injection.")
@click.option(
    "--newer-api",
    is_flag=True,
    help="Act as a newer API: keep tile fields and tile types the proto does not know.",
)
def serve(
    db: Path,
    host: str,
    port: int,
    jwt_secret: str | None,
    fault_rate: float,
    ambiguous_create_rate: float,
    latency_ms: int,
    quirks: bool,
    seed: int | None,
    newer_api: bool,
) -> None:
    """Run the Dashboards API emulator on real HTTP."""
    from reconciler.emulator.options import EmulatorOptions
    from reconciler.emulator.server import run_serve

    options = EmulatorOptions(
        fault_rate=fault_rate,
        ambiguous_create_rate=ambiguous_create_rate,
        latency_ms=latency_ms,
        quirks=quirks,
        seed=seed,
        newer_api=newer_api,
    )
    sys.exit(run_serve(db=db, host=host, port=port, jwt_secret=jwt_secret, options=options))


@cli.command()
@click.option("--project", required=True, help="The project the token grants.")
@click.option(
    "--jwt-secret",
    envvar="DASHCTL_JWT_SECRET",
    required=True,
    help="HS256 secret (DASHCTL_JWT_SECRET).",
)
@click.option(
    "--ttl", type=click.IntRange(1), default=3600, show_default=True, help="Lifetime in seconds."
)
def token(project: str, jwt_secret: str, ttl: int) -> None:
    """Mint a JWT that the emulator accepts for PROJECT."""
    from reconciler.emulator.auth import mint_token

    click.echo(mint_token(secret=jwt_secret, project=project, ttl=ttl))


@cli.command()
@click.argument("name", type=click.Choice(SCHEMA_NAMES))
def schema(name: str) -> None:
    """Print a JSON Schema (dashboard, environments, plan, drift)."""
    from reconciler.repo.schema import SCHEMAS_DIR

    path = SCHEMAS_DIR / f"{name}.schema.json"
    click.echo(path.read_text(encoding="utf-8"), nl=False)


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
        click.echo(f"error: {error}", err=True)
        code = 1
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = 130
    except Exception as error:  # the last line of defence: never a raw traceback
        click.echo(
            f"unexpected error: {type(error).__name__}: {error} (details in {_crash_log()})",
            err=True,
        )
        code = 1
    if isinstance(code, int):
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
