"""The plan as markdown for a sticky PR comment, one section per environment.

Each section starts with the hidden marker `<!-- dashctl:plan env=NAME -->`
that `dashctl comment` finds its comment by, and never exceeds the cap: when
details do not fit, they are cut from the end, the summary stays, and the
section says what was cut.

Data never breaks out of where it is put: names and messages are escaped for
prose and tables (`md_text`) and HTML (`html_text`), never as a mention; code
spans and fences are longer than any backtick run they hold, and control
characters are shown escaped. Every HTML block (the marker, ``<details>``) is
followed by a blank line, which is what ends it on GitHub: markdown glued to
it would be shown as raw text. A change draws its mini-map only where the
layout changes (a tile added, removed, moved or resized).
"""

from __future__ import annotations

from reconciler.engine.changes import Action, Change, EnvironmentPlan, Plan
from reconciler.engine.unmodeled import WHOLE
from reconciler.report import fleets, outside
from reconciler.report.fields import value_change
from reconciler.report.minimap import render_minimap
from reconciler.report.plan_text import (
    PLAN_SIDES,
    SYMBOLS,
    delete_note,
    kept_summary,
    member_state,
    planned_nothing,
    status_text,
    warning_text,
)
from reconciler.report.sanitize import (
    escape_controls,
    guard_text,
    html_text,
    md_code,
    md_fence,
    md_text,
    quoted,
)
from reconciler.report.tiles import added_tile, field_change

COMMENT_CAP = 65_000


def marker(env_name: str) -> str:
    """The hidden marker of an environment's section (no name can close the comment)."""
    return f"<!-- dashctl:plan env={escape_controls(env_name).replace('>', '&gt;')} -->"


def _field_lines(path: str, old: object, new: object, prefix: str) -> list[str]:
    if path == "name":
        head, diff = value_change(path, old, new, labels=PLAN_SIDES)
        head = head if diff else f"name: {quoted(str(old))} -> {quoted(str(new))}"
    else:
        head, diff = field_change(path, old, new, labels=PLAN_SIDES)
    return [f"{prefix}{head}", *diff]


def change_diff_lines(change: Change) -> list[str]:
    """The lines of the ```diff block of one change (escaped; a diff of long strings)."""
    lines: list[str] = []
    if change.rename:
        lines += _field_lines("name", change.rename.old, change.rename.new, "~ ")
    lines += [f"+ {added_tile(tile, change.after)}" for tile in change.tiles.added]
    for tile, fields in change.tiles.changed.items():
        lines.append(f"~ tile {escape_controls(tile)}")
        for field in fields:
            lines += _field_lines(field.path, field.old, field.new, "~     ")
    lines += [f"- tile {escape_controls(tile)}" for tile in change.tiles.removed]
    lines += [f"= {kept_summary(change.kept)}"] if change.kept else []
    return lines


def layout_changes(change: Change) -> bool:
    """True when a change adds, removes, moves or resizes a tile (a mini-map shows it).

    A changed tile whose fields are not known (an older saved plan) may have moved.
    """
    if change.action is not Action.UPDATE or change.tiles.added or change.tiles.removed:
        return True
    return any(not fields or any(field.path.startswith("position") for field in fields)
               for fields in change.tiles.changed.values())


def minimap_block(change: Change) -> str:
    """The layout of a change's dashboard after it (before it, for a delete), or ""."""
    drawn = change.after if change.action is not Action.DELETE else change.before
    if not drawn or not drawn.get("tiles") or not layout_changes(change):
        return ""
    marks = {tile: "+" for tile in change.tiles.added}
    marks |= {tile: "~" for tile in change.tiles.changed}
    kept = {tile: "=" for tile, paths in change.kept.items() if paths == [WHOLE]}
    marks |= kept
    if change.action is Action.DELETE:
        legend = "Layout before (deleted)"
    else:
        legend = "Layout after: `+` added, `~` changed" + (", `=` kept" if kept else "")
        if change.tiles.removed:
            legend += "; removed: " + ", ".join(map(md_code, change.tiles.removed))
    return f"\n{legend}\n\n```text\n{render_minimap(list(drawn['tiles']), marks)}```\n"


def change_details(change: Change, env: EnvironmentPlan) -> str:
    """One change as a <details> block; each HTML block ends with a blank line (GitHub
    would read markdown glued to it as HTML)."""
    symbol = SYMBOLS[change.action]
    title = f"{symbol} {change.action.value} <b>{html_text(change.dashboard)}</b>"
    if change.action is Action.DELETE:
        title += f" ({html_text(delete_note(env))})"
    lines = change_diff_lines(change)
    body = (md_fence(lines, "diff") if lines else "") + minimap_block(change)
    return f"<details><summary>{title}</summary>\n\n{body}\n</details>\n\n"


def _deletes_warning(env: EnvironmentPlan) -> list[str]:
    names = ", ".join(f"**{md_text(change.dashboard)}**" for change in env.deletes)
    when = ("`dashctl apply` skips them while the manifests have problems." if env.problems
            else "`dashctl apply` deletes them only with `--allow-delete`; without it, it "
                 "skips them and applies the rest.")
    return [
        "> [!WARNING]",
        f"> This plan **deletes {len(env.deletes)} dashboard(s)**: {names}.",
        f"> {when}",
        "",
    ]


def summary_block(env: EnvironmentPlan) -> str:
    s = env.summary
    lines = [
        marker(env.name),
        "",
        f"### dashctl plan: {md_code(env.name)} (project {md_code(env.project)})",
        "",
    ]
    status = status_text(env)
    if status:
        lines += ["> [!CAUTION]", f"> **{md_text(status)}**", ""]
    if env.deletes:
        lines += _deletes_warning(env)
    if not (status and planned_nothing(env)):  # no row of zeros that reads as nothing to do
        lines += [
            "| Create | Update | Delete | Unchanged | Errors |",
            "|---:|---:|---:|---:|---:|",
            f"| {s['create']} | {s['update']} | {s['delete']} | {s['unchanged']} "
            f"| {len(env.errors)} |",
            "",
        ]
    if env.outside_edits:
        lines += [f"**{outside.HEADING}**", ""]
        lines += [
            f"- **{md_text(edit.dashboard)}** ({md_code(edit.id)}"
            f"{outside.when(edit, md_text)}): {outside.what_happened(edit, md_text)}."
            f" Apply: {outside.what_apply_does(edit, md_text)}."
            for edit in env.outside_edits
        ]
        lines.append("")
    if env.errors:
        lines += ["**Errors**", ""]
        lines += [
            f"- {md_text(e.dashboard) + ': ' if e.dashboard else ''}{md_text(e.message)}"
            for e in env.errors
        ]
        lines.append("")
    if not env.changes and not env.errors:
        lines += ["No changes. Live dashboards match git.", ""]
    if env.unmanaged and not env.prune:
        lines += [f"Unmanaged (left alone): {', '.join(map(md_text, env.unmanaged))}", ""]
    if env.warnings:
        lines += ["**Warnings**", ""]
        lines += [f"- {md_text(warning_text(w.dashboard, w.message))}" for w in env.warnings]
        lines.append("")
    return "\n".join(lines)


def environment_markdown(env: EnvironmentPlan, *, cap: int = COMMENT_CAP) -> str:
    """One environment's section, at most ``cap`` characters."""
    summary = summary_block(env)
    blocks = [change_details(change, env) for change in env.changes]
    text = guard_text(summary) + "\n"
    details = [guard_text(block) for block in blocks]
    for index, block in enumerate(details):
        cut = len(details) - index
        note = (
            f"\n_{cut} dashboard detail block(s) cut to fit the {cap:,}-character comment "
            "limit; run `dashctl plan` for the full plan._\n"
        )
        if len(text) + len(block) + len(note) > cap:
            return (text + note)[:cap]
        text += block
    return text[:cap]


MAX_SECTIONS = 20  # past this many, fleet members get a table row each, not a section


def member_row(env: EnvironmentPlan) -> str:
    s = env.summary
    return (f"| {md_code(env.name)} | {s['create']} | {s['update']} | {s['delete']} "
            f"| {len(env.errors)} |")


def render_plan_markdown(plan: Plan, *, cap: int = COMMENT_CAP) -> str:
    if not plan.environments:
        return "No environments selected.\n"
    shown, _ = fleets.split(plan.environments, lambda e: e.fleet,
                            lambda e: member_state(e) == "in sync")
    summary = fleets.summary_lines(plan.environments, lambda e: e.fleet, member_state)
    tail = "".join(f"\n_{md_text(line)}_\n" for line in summary)
    sections = [e for e in shown if e.fleet is None or len(shown) <= MAX_SECTIONS]
    rows = [e for e in shown if e not in sections]
    budget = cap - len(tail)
    table = ""
    if rows:  # at most half of the comment when there are sections too
        room = (budget // 2 if sections else budget) - 300
        table = ("\n| Fleet member | Create | Update | Delete | Errors |\n"
                 "|---|---:|---:|---:|---:|\n")
        for index, env in enumerate(rows):
            row = member_row(env) + "\n"
            if len(table) + len(row) > room:
                table += f"\n_... and {len(rows) - index} more member(s) with changes._\n"
                break
            table += row
        budget -= len(table)
    share = budget // max(len(sections), 1)
    body = "\n".join(environment_markdown(env, cap=share) for env in sections)
    return body + table + tail
