"""The output sanitiser and line diffs, on plain values and through each renderer."""

from __future__ import annotations

import pytest

from reconciler.engine.changes import Plan
from reconciler.engine.drift import DriftReport, environment_drift
from reconciler.engine.live import LiveState
from reconciler.engine.plan import build_environment_plan
from reconciler.report.drift_render import render_drift_markdown, render_drift_text
from reconciler.report.fields import line_diff, show, value_change
from reconciler.report.plan_markdown import render_plan_markdown
from reconciler.report.plan_text import render_plan_text
from reconciler.report.sanitize import (
    escape_controls,
    github_data,
    github_property,
    guard_line,
    html_text,
    md_code,
    md_fence,
    md_text,
    safe_line,
)
from tests.support.factories import environment, live, manifest, markdown, wire

HOSTILE = "a\nb\r\tc\x1b[31md\x00\x7f\x85\u202e\u200b\ufeff\u2028"


def test_controls_are_shown_escaped() -> None:
    assert escape_controls(HOSTILE) == (
        "a\\nb\\r\\tc\\x1b[31md\\x00\\x7f\\x85\\u202e\\u200b\\ufeff\\u2028"
    )
    assert escape_controls("Growth KPIs (EU) é ü 日本 \\n") == "Growth KPIs (EU) é ü 日本 \\n"


@pytest.mark.parametrize(
    ("line", "safe"),
    [
        ("::error::pwned", "\\::error::pwned"),
        ("   ::add-mask::x", "   \\::add-mask::x"),
        ("\t::warning::x", "\t\\::warning::x"),
        ("##[error]x", "\\##[error]x"),
        ("a ::error::x", "a ::error::x"),
        (": :x", ": :x"),
    ],
)
def test_no_line_starts_a_workflow_command(line: str, safe: str) -> None:
    assert guard_line(line) == safe


def test_safe_line_escapes_then_guards() -> None:
    assert safe_line("x\n::error::pwned") == "x\\n::error::pwned"
    assert safe_line("::error::a\nb") == "\\::error::a\\nb"
    assert "\n" not in safe_line(HOSTILE)


def test_github_escapes() -> None:
    assert github_data("100% bad\r\nvalue\x1b") == "100%25 bad%0D%0Avalue\\x1b"
    assert github_property("a,b:c.yaml") == "a%2Cb%3Ac.yaml"


def test_markdown_escapes() -> None:
    assert md_text("a|b `c` <img src=x> *d* [e](f) &amp;") == (
        "a\\|b \\`c\\` &lt;img src=x&gt; \\*d\\* \\[e\\](f) &amp;amp;"
    )
    assert md_text("@octocat") == "@<!-- -->octocat"  # no mention: tests/report/test_mentions.py
    assert html_text('a_b *c* <i> & "d" @e\n') == (
        "a_b *c* &lt;i&gt; &amp; &quot;d&quot; @<!-- -->e\\n"
    )
    assert md_code("proj") == "`proj`"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x") == "`` `x ``"
    assert md_fence(["x ``` y", "````"], "diff").startswith("`````diff\n")


def test_show_never_cuts_a_string_and_escapes_it() -> None:
    assert show("a\x1bb") == '"a\\u001bb"'
    assert show(None) == "(none)"
    assert show(list(range(100))).endswith("...")


def test_a_long_or_multi_line_string_is_a_line_diff() -> None:
    old = "# Goals\n\n" + "x" * 100 + "\nkeep\n"
    new = "# Goals\n\n" + "x" * 99 + "y\nkeep\n"
    head, diff = value_change("markdown.content", old, new, labels=("live", "git"))
    assert head == "markdown.content:"
    assert diff == [
        "--- live", "+++ git", "@@ -1,4 +1,4 @@", " # Goals", " ",
        "-" + "x" * 100, "+" + "x" * 99 + "y", " keep",
    ]
    assert value_change("position.w", 6, 8, labels=("live", "git")) == ("position.w: 6 -> 8", [])
    assert value_change("w", 6, 8, labels=("git", "live"), named=True)[0] == "w: git 6 -> live 8"


def test_line_diff_escapes_each_line_and_shows_a_new_final_line_break() -> None:
    assert line_diff("a\x1b", "a\x1b\n", labels=("live", "git"))[2:] == [
        "@@ -1 +1,2 @@", " a\\x1b", "+",
    ]


def md_board(content: str) -> dict:
    return markdown("notes", content, x=0)


def plan_and_drift(old: str, new: str) -> tuple[Plan, DriftReport]:
    live_state = LiveState(
        summaries=[{"id": "dash_1", "name": "Board"}],
        dashboards={"dash_1": live("dash_1", "Board", wire(md_board(old)))},
    )
    manifests = [manifest("Board", md_board(new))]
    env = environment(name="staging", project="proj")
    return (
        Plan([build_environment_plan(env, manifests, [], live_state)]),
        DriftReport([environment_drift(build_environment_plan(env, manifests, [], live_state))]),
    )


def test_a_markdown_edit_past_80_characters_is_visible_in_every_renderer() -> None:
    prefix = "Weekly goals for the growth team, written by hand in the UI, line " * 2
    plan, drift = plan_and_drift(prefix + "one\n", prefix + "two\n")
    for text in (render_plan_text(plan), render_plan_markdown(plan),
                 render_drift_text(drift), render_drift_markdown(drift)):
        assert f"-{prefix}one" in text or f"+{prefix}one" in text, text
        assert f"+{prefix}two" in text or f"-{prefix}two" in text, text
        assert "..." not in text


def test_content_lines_cannot_forge_commands_in_any_renderer() -> None:
    old = "intro\n::error::old\nend\n"
    new = "intro\n::error::pwned\n##[error]x\n::add-mask::secret\nend\n"
    plan, drift = plan_and_drift(old, new)
    for text in (render_plan_text(plan), render_plan_markdown(plan),
                 render_drift_text(drift), render_drift_markdown(drift)):
        assert "pwned" in text
        for line in text.splitlines():
            assert not line.lstrip().startswith(("::", "##[")), line
