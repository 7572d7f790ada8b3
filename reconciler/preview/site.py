"""`dashctl preview`: write the static preview site (the I/O edge of this package).

Layout of ``--out DIR``::

    index.html                 every environment, and links to its pages
    <env>/index.html           every dashboard of the environment (or every planned change)
    <env>/<dashboard>.html     one dashboard (or one change, before | after)

File names are slugs of the names, so no name can reach outside DIR.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import click

from reconciler.errors import ConfigError, DashctlError
from reconciler.model import tiles_to_wire
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

SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 60


def slug(name: str, taken: set[str]) -> str:
    """A file-name-safe, unique (within ``taken``, which it extends) form of ``name``."""
    base = SLUG.sub("-", name.lower()).strip("-")[:MAX_SLUG].strip("-") or "dashboard"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


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


def preview_repo(root: Path, env: str, out: Path) -> tuple[list[IndexEntry], list[str]]:
    """Draw the desired dashboards of each environment; returns index entries and problems."""
    from reconciler.repo.loader import load_manifests, load_repo, select_environments

    repo = load_repo(root)
    entries: list[IndexEntry] = []
    all_problems: list[str] = []
    env_slugs: set[str] = set()
    for environment in select_environments(repo, env):
        manifests, problems = load_manifests(repo, environment)
        folder = slug(environment.name, env_slugs)
        home = ("all environments", "../index.html")
        env_nav = [home, (environment.name, "index.html")]
        names: set[str] = {"index"}
        views = []
        for manifest in manifests:
            dashboard = manifest.dashboard
            tiles = tiles_to_wire(dashboard.tiles)
            page = f"{slug(dashboard.name, names)}.html"
            source = _relative(manifest.path, root)
            views.append(DashboardView(dashboard.name, tiles, page, source))
            write(out / folder / page, render_dashboard_page(
                dashboard.name, tiles, nav=env_nav,
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


def read_plan(path: Path) -> Mapping[str, Any]:
    from reconciler.engine.saved import plan_from_json

    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: cannot read saved plan ({error})") from None
    plan_from_json(data, source=str(path))  # the one check of what a saved plan is
    return dict(data)


def _ids(values: Any) -> list[str]:
    return [str(value) for value in values] if isinstance(values, list) else []


def _tiles(side: Any) -> list[Mapping[str, Any]] | None:
    if not isinstance(side, Mapping):
        return None
    tiles = side.get("tiles")
    return [tile for tile in tiles if isinstance(tile, Mapping)] if isinstance(tiles, list) else []


def change_view(change: Mapping[str, Any], href: str) -> ChangeView:
    tiles = change.get("tiles")
    tiles = tiles if isinstance(tiles, Mapping) else {}
    rename = change.get("rename")
    return ChangeView(
        action=str(change.get("action", "")),
        dashboard=str(change.get("dashboard", "")),
        href=href,
        id=str(change["id"]) if change.get("id") else None,
        rename=(str(rename.get("from")), str(rename.get("to")))
        if isinstance(rename, Mapping) else None,
        added=_ids(tiles.get("added")),
        changed=_ids(tiles.get("changed")),
        removed=_ids(tiles.get("removed")),
        before=_tiles(change.get("before")),
        after=_tiles(change.get("after")),
    )


def preview_plan(plan_file: Path, env: str, out: Path) -> list[IndexEntry]:
    """Draw before | after of every change in a saved plan."""
    environments: Iterable[Mapping[str, Any]] = read_plan(plan_file)["environments"]
    if env != "all":
        environments = [e for e in environments if e.get("name") == env]
        if not environments:
            raise ConfigError(f"{plan_file}: the plan has no environment {env!r}")
    entries = []
    env_slugs: set[str] = set()
    for item in environments:
        name, project = str(item.get("name", "")), str(item.get("project", ""))
        folder = slug(name, env_slugs)
        home = ("plan", "../index.html")
        names: set[str] = {"index"}
        views = []
        for change in item.get("changes", []):
            view = change_view(change, f"{slug(str(change.get('dashboard', '')), names)}.html")
            views.append(view)
            write(out / folder / view.href, render_change_page(
                name, view, nav=[home, (name, "index.html")]))
        write(out / folder / "index.html",
              render_plan_environment_page(name, project, views, nav=[home]))
        problems = [str(error.get("message", "")) for error in item.get("errors", [])
                    if isinstance(error, Mapping)]
        entries.append(IndexEntry(
            name=name, href=f"{folder}/index.html",
            detail=f"project {project}: {len(views)} change(s)",
            links=[(f"{view.action} {view.dashboard}", f"{folder}/{view.href}") for view in views],
            problems=problems))
    return entries


def run_preview(root: Path, *, env: str, plan_file: Path | None, out: Path) -> int:
    """Write the preview site into ``out``; 0, or 1 when a manifest could not be drawn."""
    problems: list[str] = []
    if plan_file is not None:
        entries = preview_plan(plan_file, env, out)
        index = render_index("dashctl plan preview", entries,
                             subtitle=f"before | after for {plan_file.name}")
    else:
        entries, problems = preview_repo(root, env, out)
        index = render_index("dashctl preview", entries, subtitle=f"dashboards in {root}")
    write(out / "index.html", index)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"preview written to {out / 'index.html'}", err=True)
    return 1 if problems else 0
