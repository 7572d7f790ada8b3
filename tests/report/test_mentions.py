"""Markdown written for people never mentions a user or team taken from data (SPEC §3).

GitHub links ``@name`` in the text of a comment or issue, outside code and
links, and notifies that user or every member of that team. Names, messages
and ids from manifests and live state reach the plan comment, the drift
markdown and the drift report that becomes an issue: rendered as GitHub
would (tests/report/commonmark.py), none of them holds a mention, and each
still reads as written.
"""

from __future__ import annotations

from reconciler.engine.changes import Plan
from reconciler.engine.drift import DriftReport, environment_drift
from reconciler.engine.live import LiveState
from reconciler.engine.plan import build_environment_plan
from reconciler.report.drift_render import environment_drift_markdown, render_drift_markdown
from reconciler.report.plan_markdown import render_plan_markdown
from reconciler.report.sanitize import md_text
from tests.report.commonmark import assert_valid_github_markdown, mentions, text_nodes
from tests.support.factories import environment, insight, live, manifest, wire

TEAM = "@octocat @my-org/security-team"


def shown(markdown: str) -> str:
    """The text a reader sees (tags and comments gone)."""
    return "".join(text_nodes(markdown))


def test_md_text_neutralises_every_mention_and_still_reads_as_written() -> None:
    for text in (TEAM, "@a", "x @b-c y", "mail me: a@b.example", "@@x", "(@x)", "**@x**"):
        assert mentions(md_text(text)) == [], md_text(text)
        assert shown(md_text(text)).strip() == text
        assert mentions(f"| {md_text(text)} |\n|---|\n| {md_text(text)} |\n") == []


def hostile_state() -> LiveState:
    """Live dashboards named after a team: one a manifest renames, one twice (ambiguous),
    one unmanaged."""
    dashboards = [
        live("dash_1", f"Growth {TEAM}", wire(insight("dau"))),
        live("dash_2", f"Twice {TEAM}", wire(insight("a"))),
        live("dash_3", f"Twice {TEAM}", wire(insight("a"))),
        live("dash_4", f"Stray {TEAM}", wire(insight(f"tile {TEAM}"))),
    ]
    return LiveState(summaries=[{"id": d["id"], "name": d["name"]} for d in dashboards],
                     dashboards={d["id"]: d for d in dashboards})


def hostile_manifests() -> list:
    return [
        manifest(f"New {TEAM}", insight(f"t {TEAM}", events=f"ev {TEAM}"),
                 {"id": "md", "position": {"x": 6, "y": 0, "w": 6, "h": 2},
                  "markdown": {"content": f"# Hi {TEAM}\nmore"}}),
        manifest(f"Renamed {TEAM}", insight("dau", w=8), formerNames=[f"Growth {TEAM}"]),
        manifest(f"Twice {TEAM}", insight("a")),
    ]


def test_the_plan_markdown_holds_no_mention() -> None:
    for prune in (True, False):
        env = environment(name="staging", project="proj", prune=prune)
        plan = Plan([build_environment_plan(env, hostile_manifests(), [], hostile_state())])
        text = render_plan_markdown(plan)
        assert mentions(text) == [], text
        assert_valid_github_markdown(text)
        seen = shown(text)
        assert f"New {TEAM}" in seen  # the create, in its <summary>
        assert f"Stray {TEAM}" in seen  # the delete in the warning, or the unmanaged line
        assert f"Twice {TEAM}" in seen  # the ambiguous error


def test_drift_markdown_and_the_issue_report_hold_no_mention() -> None:
    env = environment(name="production", project="proj")
    plan = build_environment_plan(env, hostile_manifests(), [], hostile_state())
    report = DriftReport([environment_drift(plan)])
    for text in (render_drift_markdown(report), environment_drift_markdown(report.environments[0])):
        assert mentions(text) == [], text
        assert_valid_github_markdown(text)
        assert f"Stray {TEAM}" in text  # in a code block: shown as written, never a mention


def test_a_name_in_a_summary_reads_as_written() -> None:
    """The <summary> of a change is raw HTML: markdown escapes would show as backslashes."""
    name = "Growth_KPIs *EU* [beta] <b> & `x` @team"
    env = environment(name="staging", project="proj")
    plan = Plan([build_environment_plan(env, [manifest(name, insight("dau"))], [], LiveState())])
    text = render_plan_markdown(plan)
    assert f"+ create {name}" in shown(text)
    assert mentions(text) == []
