"""`dashctl preview`: write the static preview site (the pages are `reconciler.preview`'s).

Layout of ``--out DIR``::

    index.html                 every environment, and links to its pages
    <env>/index.html           every dashboard of the environment (or every planned change)
    <env>/<dashboard>.html     one dashboard (or one change, before | after)

File names are slugs of the names, so no name can reach outside DIR.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.commands import console
from reconciler.commands.options import Selected, open_run
from reconciler.documents import read_saved_plan
from reconciler.engine.changes import Change
from reconciler.errors import ConfigError, DashctlError
from reconciler.preview.pages import (
    ChangeView,
    DashboardView,
    IndexEntry,
    render_change_page,
    render_dashboard_page,
    render_environment_page,
    render_index,
    render_plan_environment_page,
)
from reconciler.repo import filenames
from reconciler.repo.filenames import unique
from reconciler.repo.select import matching


@dataclass(frozen=True, kw_only=True)
class PreviewOptions(Selected):
    plan_file: Path | None = None
    out: Path = Path("preview")


def slug(name: str, taken: set[str]) -> str:
    """A file-name-safe stem of ``name``, unique within ``taken`` (which it extends)."""
    return unique(filenames.slug(name), taken)


def write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise DashctlError(f"cannot write {path}: {error}") from None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (OSError, ValueError):
        return str(path)


def preview_repo(options: PreviewOptions) -> tuple[list[IndexEntry], list[str]]:
    """Draw the desired dashboards of each environment; returns index entries and problems."""
    root, out = options.root, options.out
    entries: list[IndexEntry] = []
    all_problems: list[str] = []
    env_slugs: set[str] = set()
    for state in open_run(options).desired():
        environment, manifests, problems = state.environment, state.manifests, state.problems
        folder = slug(environment.name, env_slugs)
        home = ("all environments", "../index.html")
        env_nav = [home, (environment.name, "index.html")]
        names: set[str] = {"index"}
        views = []
        for manifest in manifests:
            tiles = manifest.wire_tiles
            page = f"{slug(manifest.name, names)}.html"
            source = _relative(manifest.path, root)
            views.append(DashboardView(manifest.name, tiles, page, source))
            write(out / folder / page, render_dashboard_page(
                manifest.name, tiles, nav=env_nav,
                subtitle=f"{environment.name} · {len(tiles)} tile(s) · from {source}"))
        texts = [str(problem) for problem in problems]
        all_problems += texts
        write(out / folder / "index.html",
              render_environment_page(environment.name, views, problems=texts, nav=[home]))
        entries.append(IndexEntry(
            name=environment.name, href=f"{folder}/index.html",
            detail=f"project {environment.project_id or '-'}: {len(views)} dashboard(s)",
            links=[(view.name, f"{folder}/{view.href}") for view in views], problems=texts))
    return entries, all_problems


def _tiles(side: Mapping[str, Any] | None) -> list[Mapping[str, Any]] | None:
    if side is None:
        return None
    tiles: Sequence[Any] = side.get("tiles") or []
    return [tile for tile in tiles if isinstance(tile, Mapping)]


def change_view(change: Change, href: str) -> ChangeView:
    return ChangeView(
        action=change.action.value,
        dashboard=change.dashboard,
        href=href,
        id=change.id,
        rename=(change.rename.old, change.rename.new) if change.rename else None,
        added=change.tiles.added,
        changed=list(change.tiles.changed),
        removed=change.tiles.removed,
        before=_tiles(change.before),
        after=_tiles(change.after),
    )


def preview_plan(options: PreviewOptions, plan_file: Path) -> list[IndexEntry]:
    """Draw before | after of every change in a saved plan."""
    out = options.out
    environments = read_saved_plan(plan_file).environments
    planned = [e.name for e in environments]
    for name in options.envs:
        if name != "all" and not matching(planned, [name], strict=False):
            raise ConfigError(f"{plan_file}: the plan has no environment {name!r}")
    wanted = set(matching(planned, options.envs))
    environments = [e for e in environments if e.name in wanted]
    entries = []
    env_slugs: set[str] = set()
    for item in environments:
        name, project = item.name, item.project
        folder = slug(name, env_slugs)
        home = ("plan", "../index.html")
        names: set[str] = {"index"}
        views = []
        for change in item.changes:
            view = change_view(change, f"{slug(change.dashboard, names)}.html")
            views.append(view)
            write(out / folder / view.href, render_change_page(
                name, view, nav=[home, (name, "index.html")]))
        write(out / folder / "index.html",
              render_plan_environment_page(name, project, views, nav=[home]))
        problems = [error.message for error in item.errors]
        entries.append(IndexEntry(
            name=name, href=f"{folder}/index.html",
            detail=f"project {project}: {len(views)} change(s)",
            links=[(f"{view.action} {view.dashboard}", f"{folder}/{view.href}") for view in views],
            problems=problems))
    return entries


def run(options: PreviewOptions) -> int:
    """Write the preview site into ``out``; 0, or 1 when a manifest could not be drawn."""
    problems: list[str] = []
    out = options.out
    if options.plan_file is not None:
        entries = preview_plan(options, options.plan_file)
        index = render_index("dashctl plan preview", entries,
                             subtitle=f"before | after for {options.plan_file.name}")
    else:
        entries, problems = preview_repo(options)
        index = render_index("dashctl preview", entries, subtitle=f"dashboards in {options.root}")
    write(out / "index.html", index)
    for problem in problems:
        console.note(problem)
    console.note(f"preview written to {out / 'index.html'}")
    return 1 if problems else 0
