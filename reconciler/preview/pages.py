"""Whole preview pages: a dashboard, a planned change (before | after), an index. Pure.

Each function returns a complete, self-contained HTML document as a string;
writing files is `site.py`'s job. ``render_dashboard_page`` is the piece the
emulator's read-only UI reuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.preview.geometry import COMPACT, FULL
from reconciler.preview.grid import grid_html, sample_note
from reconciler.preview.html import document, esc

Link = tuple[str, str]  # (text, href)


def nav_html(links: Sequence[Link]) -> str:
    if not links:
        return ""
    parts = [f'<a href="{esc(href)}">{esc(text)}</a>' for text, href in links]
    return f'<nav>{" / ".join(parts)}</nav>'


def _count(tiles: Sequence[Any]) -> str:
    return "1 tile" if len(tiles) == 1 else f"{len(tiles)} tiles"


def render_dashboard_page(
    title: str,
    tiles: Sequence[Mapping[str, Any]],
    *,
    subtitle: str = "",
    nav: Sequence[Link] = (),
    marks: Mapping[str, str] | None = None,
) -> str:
    """One dashboard drawn on the grid at full size, as a whole HTML page."""
    subtitle = subtitle or _count(tiles)
    body = (f'{sample_note(tiles)}<section class="dashboard">'
            f"{grid_html(tiles, marks=marks, geometry=FULL)}</section>")
    return document(title, body, subtitle=subtitle, nav=nav_html(nav))


@dataclass(frozen=True)
class DashboardView:
    """A desired dashboard as listed on an environment's page."""

    name: str
    tiles: Sequence[Mapping[str, Any]]
    href: str
    source: str = ""  # the manifest it came from


def dashboard_section(view: DashboardView) -> str:
    source = f' <small>({esc(view.source)})</small>' if view.source else ""
    return (f'<section class="dashboard"><h2><a href="{esc(view.href)}">{esc(view.name)}</a>'
            f"{source} &middot; {_count(view.tiles)}</h2>"
            f"{grid_html(view.tiles, geometry=FULL)}</section>")


def render_environment_page(
    environment: str, views: Sequence[DashboardView], *, problems: Sequence[str] = (),
    nav: Sequence[Link] = (),
) -> str:
    """Every dashboard of one environment, one after another."""
    body = "".join(dashboard_section(view) for view in views)
    if not views:
        body = '<p class="empty">no dashboards</p>'
    body = _problems_html(problems) + sample_note(*(view.tiles for view in views)) + body
    return document(f"Environment {environment}", body,
                    subtitle=f"{len(views)} dashboard(s) as git declares them", nav=nav_html(nav))


@dataclass(frozen=True)
class ChangeView:
    """One planned change of a saved plan, in wire-form dicts."""

    action: str
    dashboard: str
    href: str
    id: str | None = None
    rename: tuple[str, str] | None = None
    added: Sequence[str] = ()
    changed: Sequence[str] = ()
    removed: Sequence[str] = ()
    before: Sequence[Mapping[str, Any]] | None = None
    after: Sequence[Mapping[str, Any]] | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


def change_marks(view: ChangeView) -> tuple[dict[str, str], dict[str, str]]:
    """Marks for the before side and the after side."""
    before = {tile: "~" for tile in view.changed} | {tile: "-" for tile in view.removed}
    after = {tile: "~" for tile in view.changed} | {tile: "+" for tile in view.added}
    if view.action == "delete":
        before = {str(t.get("id", "")): "-" for t in view.before or []}
    if view.action == "create":
        after = {str(t.get("id", "")): "+" for t in view.after or []}
    return before, after


def change_heading(view: ChangeView, *, link: bool) -> str:
    name = esc(view.dashboard)
    if link:
        name = f'<a href="{esc(view.href)}">{name}</a>'
    parts = [f'<span class="badge {esc(view.action)}">{esc(view.action)}</span> {name}']
    if view.id:
        parts.append(f"<small>({esc(view.id)})</small>")
    if view.rename:
        parts.append(f"<small>renamed from &ldquo;{esc(view.rename[0])}&rdquo;</small>")
    return f'<h2>{" ".join(parts)}</h2>'


def legend_html(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    added = sum(mark == "+" for mark in after.values())
    changed = len({tile for marks in (before, after) for tile, mark in marks.items()
                   if mark == "~"})
    removed = sum(mark == "-" for mark in before.values())
    return (f'<p class="legend"><span class="badge added">+</span> {added} added '
            f'&nbsp; <span class="badge changed">~</span> {changed} changed '
            f'&nbsp; <span class="badge removed">-</span> {removed} removed</p>')


def _side(label: str, tiles: Sequence[Mapping[str, Any]] | None, marks: Mapping[str, str],
          missing: str) -> str:
    if tiles is None:
        grid = (f'<div class="canvas missing" style="width:{COMPACT.width + 24}px">'
                f'<p class="empty">{esc(missing)}</p></div>')
    else:
        grid = grid_html(tiles, marks=marks, geometry=COMPACT)
    return f'<div class="side" data-side="{esc(label)}"><h3>{esc(label)}</h3>{grid}</div>'


def change_section(view: ChangeView, *, link: bool) -> str:
    before_marks, after_marks = change_marks(view)
    sides = (_side("before", view.before, before_marks, "does not exist yet")
             + _side("after", view.after, after_marks, "deleted"))
    return (f'<section class="dashboard change" data-action="{esc(view.action)}">'
            f"{change_heading(view, link=link)}{legend_html(before_marks, after_marks)}"
            f'<div class="sides">{sides}</div></section>')


def render_change_page(environment: str, view: ChangeView, *, nav: Sequence[Link] = ()) -> str:
    """One planned change: before and after side by side, changed tiles marked."""
    body = sample_note(view.before, view.after) + change_section(view, link=False)
    return document(f"{view.dashboard} ({environment})", body,
                    subtitle=f"planned {view.action} in {environment}", nav=nav_html(nav))


def render_plan_environment_page(
    environment: str, project: str, views: Sequence[ChangeView], *, nav: Sequence[Link] = ()
) -> str:
    body = "".join(change_section(view, link=True) for view in views)
    if not views:
        body = '<p class="empty">no changes</p>'
    body = sample_note(*(side for view in views for side in (view.before, view.after))) + body
    return document(f"Plan for {environment}", body,
                    subtitle=f"project {project}: {len(views)} change(s)", nav=nav_html(nav))


@dataclass(frozen=True)
class IndexEntry:
    """One environment on the index page."""

    name: str
    href: str
    detail: str
    links: Sequence[Link] = ()
    problems: Sequence[str] = ()


def _problems_html(problems: Sequence[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{esc(problem)}</li>" for problem in problems)
    return f'<ul class="problems">{items}</ul>'


def render_index(title: str, entries: Sequence[IndexEntry], *, subtitle: str = "") -> str:
    """The index: every environment, and a link to each of its pages."""
    sections = []
    for entry in entries:
        items = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>'
                        for text, href in entry.links)
        sections.append(
            f'<section class="env"><h2><a href="{esc(entry.href)}">{esc(entry.name)}</a></h2>'
            f"<p>{esc(entry.detail)}</p>{_problems_html(entry.problems)}"
            f'<ul class="list">{items}</ul></section>'
        )
    body = "".join(sections) or '<p class="empty">no environments</p>'
    return document(title, body, subtitle=subtitle)
