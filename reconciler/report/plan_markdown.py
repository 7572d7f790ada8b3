"""The plan as markdown for a sticky PR comment, one section per environment.

Each section starts with the hidden marker `<!-- dashctl:plan env=NAME -->`
that `dashctl comment` finds its comment by, and never exceeds the cap: when
details do not fit, they are cut from the end, the summary stays, and the
section says what was cut.
"""

from __future__ import annotations

from reconciler.engine.plan import Action, Change, EnvironmentPlan, Plan
from reconciler.report.minimap import render_minimap
from reconciler.report.plan_text import SYMBOLS, kept_text, show, warning_text

COMMENT_CAP = 65_000


def marker(env_name: str) -> str:
    return f"<!-- dashctl:plan env={env_name} -->"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def change_details(change: Change) -> str:
    symbol = SYMBOLS[change.action]
    title = f"{symbol} {change.action.value} <b>{_escape(change.dashboard)}</b>"
    lines: list[str] = []
    if change.rename:
        lines.append(f'~ name: "{change.rename.old}" -> "{change.rename.new}"')
    lines += [f"+ tile {tile}" for tile in change.tiles.added]
    for tile, fields in change.tiles.changed.items():
        lines.append(f"~ tile {tile}")
        lines += [f"~     {f.path}: {show(f.old)} -> {show(f.new)}" for f in fields]
    lines += [f"- tile {tile}" for tile in change.tiles.removed]
    lines += [f"= kept: {kept_text(change.kept)}"] if change.kept else []
    body = "```diff\n" + "\n".join(lines).replace("```", "'''") + "\n```\n" if lines else ""
    drawn = change.after if change.action is not Action.DELETE else change.before
    if drawn and drawn.get("tiles"):
        marks = {tile: "+" for tile in change.tiles.added}
        marks |= {tile: "~" for tile in change.tiles.changed}
        kept = {tile: "=" for tile, paths in change.kept.items() if paths == ["*"]}
        legend = "Layout before (deleted)" if change.action is Action.DELETE else (
            "Layout after: `+` added, `~` changed" + (", `=` kept" if kept else ""))
        marks |= kept
        body += f"\n{legend}\n\n```text\n" + render_minimap(list(drawn["tiles"]), marks)
        body += "```\n"
    return f"<details><summary>{title}</summary>\n\n{body}\n</details>\n"


def summary_block(env: EnvironmentPlan) -> str:
    s = env.summary
    lines = [
        marker(env.name),
        f"### dashctl plan: `{env.name}` (project `{env.project}`)",
        "",
    ]
    if env.deletes:
        names = ", ".join(f"**{_escape(change.dashboard)}**" for change in env.deletes)
        lines += [
            "> [!WARNING]",
            f"> This plan **deletes {len(env.deletes)} dashboard(s)**: {names}.",
            "",
        ]
    lines += [
        "| Create | Update | Delete | Unchanged | Errors |",
        "|---:|---:|---:|---:|---:|",
        f"| {s['create']} | {s['update']} | {s['delete']} | {s['unchanged']} | {len(env.errors)} |",
        "",
    ]
    if env.errors:
        lines += ["**Errors**", ""]
        lines += [
            f"- {_escape(e.dashboard) + ': ' if e.dashboard else ''}{_escape(e.message)}"
            for e in env.errors
        ]
        lines.append("")
    if not env.changes and not env.errors:
        lines += ["No changes. Live dashboards match git.", ""]
    if env.unmanaged and not env.prune:
        lines += [f"Unmanaged (left alone): {', '.join(map(_escape, env.unmanaged))}", ""]
    if env.warnings:
        lines += ["**Warnings**", ""]
        lines += [f"- {_escape(warning_text(w.dashboard, w.message))}" for w in env.warnings]
        lines.append("")
    return "\n".join(lines)


def environment_markdown(env: EnvironmentPlan, *, cap: int = COMMENT_CAP) -> str:
    """One environment's section, at most ``cap`` characters."""
    text = summary_block(env) + "\n"
    details = [change_details(change) for change in env.changes]
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


def render_plan_markdown(plan: Plan, *, cap: int = COMMENT_CAP) -> str:
    if not plan.environments:
        return "No environments selected.\n"
    share = cap // len(plan.environments)
    return "\n".join(environment_markdown(env, cap=share) for env in plan.environments)
