"""What the plan's text and markdown tell a reviewer (SPEC §8, "the first hour").

- a new dashboard shows what it will contain: each tile with its kind and main
  fields, in the manifest's spelling (``line``, ``unique_users``, ``day``);
- changed enum fields read in that spelling too (``line -> bar``);
- unmodeled fields apply keeps are one short line per dashboard (JSON names them);
- mini-maps only where the layout changes;
- a delete says that apply skips it without ``--allow-delete``;
- an environment with errors never reads as "nothing to do".

Plans are built by the real engine from plain values; the renderers are pure.
"""

from __future__ import annotations

import json
import re

import pytest

from reconciler.engine.changes import EnvironmentPlan, Plan
from reconciler.engine.drift import DriftReport, environment_drift
from reconciler.engine.live import LiveState
from reconciler.engine.plan import EnvironmentState, build_environment_plan, plan_environment
from reconciler.repo.problem import Problem
from reconciler.report.drift_render import render_drift_markdown, render_drift_text
from reconciler.report.plan_json import render_plan_json
from reconciler.report.plan_markdown import render_plan_markdown
from reconciler.report.plan_text import kept_summary, render_plan_text
from tests.report.commonmark import assert_valid_github_markdown, blocks
from tests.support.factories import (
    FUNNEL,
    environment,
    insight,
    live,
    manifest,
    markdown,
    ui_edited,
    wire,
)

API_SPELLING = re.compile(r"\b(TILE_TYPE|GRANULARITY|AGGREGATION|VISUALIZATION)_[A-Z]+")
KPI = ("insight events=[signup, page_view] granularity=week aggregation=count"
       " visualization=kpi")
NOTES = 'markdown "# Weekly goals" (+2 lines)'


def state(*dashboards: dict) -> LiveState:
    return LiveState(summaries=[{"id": d["id"], "name": d["name"]} for d in dashboards],
                     dashboards={d["id"]: d for d in dashboards})


def plan_of(manifests: list, live_state: LiveState, **env: object) -> Plan:
    settings = {"name": "staging", "project": "proj", **env}
    return Plan([build_environment_plan(environment(**settings), manifests, [], live_state)])


def both(plan: Plan) -> tuple[str, str]:
    text, md = render_plan_text(plan), render_plan_markdown(plan)
    assert_valid_github_markdown(md)
    return text, md


def fenced(md: str, info: str = "diff") -> str:
    """Everything inside the markdown's code blocks of one kind."""
    return "".join(token.content for token in blocks(md)
                   if token.type == "fence" and token.info == info)


def test_a_create_shows_each_tile_with_its_kind_and_main_fields() -> None:
    board = manifest(
        "Activation",
        insight("signups", events=["signup", "page_view"], viz="kpi", granularity="week",
                aggregation="count"),
        markdown("notes", "# Weekly goals\n\nShip it.\n"),
        insight("dau", y=4, viz="VISUALIZATION_LINE", granularity="GRANULARITY_DAY"))
    text, md = both(plan_of([board], LiveState()))
    assert "\n".join([
        '  + create "Activation"',
        f"      + tile signups: {KPI}",
        f"      + tile notes: {NOTES}",
        "      + tile dau: insight events=[page_view] granularity=day"
        " aggregation=unique_users visualization=line",
    ]) in text
    diff = fenced(md)
    assert f"+ tile signups: {KPI}\n+ tile notes: {NOTES}\n" in diff
    for output in (text, md):
        assert not API_SPELLING.search(output), output


def test_a_tile_added_to_a_dashboard_gets_the_same_description() -> None:
    old = live("dash_1", "Growth", wire(insight("dau")))
    new = manifest("Growth", insight("dau"), markdown("notes", "# Weekly goals\nmore\nlines"))
    text, md = both(plan_of([new], state(old)))
    assert f"      + tile notes: {NOTES}\n" in text
    assert f"+ tile notes: {NOTES}\n" in fenced(md)


def test_a_markdown_tile_shows_its_first_line_escaped_and_cut() -> None:
    long = "# " + "x" * 100
    board = manifest("Notes", markdown("a", long, x=0), markdown("b", "\x1b[2J::x\n", x=6),
                     markdown("c", "", y=2))
    text = render_plan_text(plan_of([board], LiveState()))
    assert f'+ tile a: markdown "# {"x" * 55}..."\n' in text
    assert '+ tile b: markdown "\\u001b[2J::x"\n' in text  # one line, no control character
    assert '+ tile c: markdown ""\n' in text


@pytest.mark.parametrize(("old", "new"), [("line", "bar"), ("VISUALIZATION_LINE", "kpi")])
def test_a_changed_enum_field_reads_in_the_manifest_spelling(old: str, new: str) -> None:
    dashboard = live("dash_1", "Growth", wire(insight("dau", viz=old, granularity="hour")))
    plan = plan_of([manifest("Growth", insight("dau", viz=new))], state(dashboard))
    short = old.removeprefix("VISUALIZATION_").lower()
    text, md = both(plan)
    for output in (text, fenced(md)):
        assert "insight.query.granularity: hour -> day\n" in output
        assert f"insight.visualization: {short} -> {new}\n" in output
    drift = DriftReport([environment_drift(plan.environments[0])])
    for output in (render_drift_text(drift), render_drift_markdown(drift)):
        assert f"insight.visualization: git {new} -> live {short}\n" in output
        assert not API_SPELLING.search(output)


def test_a_tile_that_changes_kind_shows_no_api_spelling() -> None:
    dashboard = live("dash_1", "Growth", wire(insight("dau")))
    plan = plan_of([manifest("Growth", markdown("dau", "# Now text", x=0, h=4))],
                   state(dashboard))
    text, md = both(plan)
    assert "type: insight -> markdown" in text
    assert '{"query": {"aggregation": "unique_users", ' in text  # as a manifest writes it
    for output in (text, md):
        assert not API_SPELLING.search(output), output


def test_a_value_dashctl_does_not_know_stays_as_the_server_spelled_it() -> None:
    tile = wire(insight("dau"))
    tile["insight"]["visualization"] = "VISUALIZATION_SANKEY"
    plan = plan_of([manifest("Growth", insight("dau"))], state(live("dash_1", "Growth", tile)))
    assert "insight.visualization: VISUALIZATION_SANKEY -> line" in render_plan_text(plan)


# --- kept fields: one line per dashboard; JSON names them ------------------------------


def kept_plan() -> Plan:
    dashboard = live("dash_1", "Growth", ui_edited(insight("dau")),
                     wire(markdown("goals", "# Goals")), FUNNEL)
    return plan_of([manifest("Growth", insight("dau"), markdown("goals", "# Q4 goals"))],
                   state(dashboard))


def test_kept_fields_are_one_short_line_per_dashboard() -> None:
    text, md = both(kept_plan())
    assert "      = kept from live: 3 fields on 1 tile, 1 whole tile\n" in text
    assert "= kept from live: 3 fields on 1 tile, 1 whole tile\n" in fenced(md)
    for output in (text, md):
        assert "insight.query.filters" not in output
    (change,) = json.loads(render_plan_json(kept_plan()))["environments"][0]["changes"]
    assert change["kept"] == {"dau": ["color", "insight.query.filters", "insight.title"],
                              "funnel": ["*"]}


# --- mini-maps only where the layout changes ----------------------------------------------


def maps(md: str) -> int:
    return sum(1 for token in blocks(md) if token.type == "fence" and token.info == "text")


@pytest.mark.parametrize(("tiles", "drawn"), [
    ([insight("dau"), markdown("goals", "# Q4 goals")], False),  # content only
    ([insight("dau", viz="bar"), markdown("goals")], False),  # an enum field only
    ([insight("dau", w=4), markdown("goals")], True),  # resized
    ([insight("dau"), markdown("goals", y=2)], True),  # moved
    ([insight("dau"), markdown("goals"), insight("wau", y=4)], True),  # added
    ([insight("dau")], True),  # removed
])
def test_a_minimap_only_where_the_layout_changes(tiles: list, drawn: bool) -> None:
    dashboard = live("dash_1", "Growth", wire(insight("dau")), wire(markdown("goals")))
    md = render_plan_markdown(plan_of([manifest("Growth", *tiles)], state(dashboard)))
    assert maps(md) == drawn
    assert_valid_github_markdown(md)


def test_a_removed_tile_is_named_under_the_layout_after() -> None:
    dashboard = live("dash_1", "Growth", wire(insight("dau")), wire(markdown("goals")))
    md = render_plan_markdown(plan_of([manifest("Growth", insight("dau"))], state(dashboard)))
    assert "Layout after: `+` added, `~` changed; removed: `goals`\n" in md


def test_a_create_and_a_delete_are_drawn() -> None:
    old = live("dash_9", "Old", wire(insight("x")))
    md = render_plan_markdown(plan_of([manifest("New", insight("a"))], state(old), prune=True))
    assert maps(md) == 2


# --- deletes that apply skips without --allow-delete ---------------------------------------


def test_each_delete_says_apply_needs_allow_delete() -> None:
    stale = [live("dash_8", "Stale A", wire(insight("x"))), live("dash_9", "Stale B")]
    plan = plan_of([manifest("Kept", insight("a"))],
                   state(live("dash_1", "Kept", wire(insight("a"))), *stale), prune=True)
    text, md = both(plan)
    assert ('  - delete "Stale A" (dash_8) (apply deletes it only with --allow-delete)\n'
            '  - delete "Stale B" (dash_9) (apply deletes it only with --allow-delete)\n') in text
    assert md.count("(apply deletes it only with --allow-delete)</summary>") == 2
    assert "`dashctl apply` deletes them only with `--allow-delete`" in md


def test_a_delete_while_manifests_have_problems_says_apply_skips_it() -> None:
    env = environment(name="staging", project="proj", prune=True)
    live_state = state(live("dash_1", "Kept", wire(insight("a"))), live("dash_9", "Stale"))
    problem = Problem("base/broken.yaml", 3, 1, "unknown key 'tilez'")
    plan = Plan([build_environment_plan(env, [manifest("Kept", insight("a"))], [problem],
                                        live_state)])
    text, md = both(plan)
    assert '- delete "Stale" (dash_9) (apply skips it while the manifests have problems)' in text
    assert "`dashctl apply` skips them while the manifests have problems." in md


# --- errors: the plan is incomplete, never "nothing to do" -------------------------------


def unread(*problems: Problem) -> EnvironmentPlan:
    """The plan of an environment whose live state could not be read, as `plan` makes it."""
    env = environment(name="staging", project="proj")
    return plan_environment(EnvironmentState(env, [manifest("Growth", insight("dau"))],
                                       list(problems), live=None,
                                       error="List: unauthenticated: invalid token"))


def test_an_unread_environment_says_its_plan_is_incomplete() -> None:
    text, md = both(Plan([unread()]))
    assert text.endswith(
        "  ! error: List: unauthenticated: invalid token\n"
        "Plan incomplete: live state could not be read (1 error).\n")
    assert "0 to create" not in text
    assert "> **Plan incomplete: live state could not be read (1 error).**\n" in md
    assert "| 0 | 0 | 0 | 0 |" not in md
    assert "No changes" not in md


def test_an_unread_environment_with_manifest_problems_still_names_the_read() -> None:
    problem = Problem("base/broken.yaml", 3, 1, "unknown key 'tilez'")
    text = render_plan_text(Plan([unread(problem)]))
    assert text.endswith("Plan incomplete: live state could not be read (2 errors).\n")


def test_a_plan_with_some_errors_keeps_its_counts_and_says_it_is_incomplete() -> None:
    twins = [live("dash_1", "Twice", wire(insight("a"))), live("dash_2", "Twice")]
    plan = plan_of([manifest("Twice", insight("a")), manifest("New", insight("b"))],
                   state(*twins))
    text, md = both(plan)
    assert text.endswith("Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged."
                         " 1 error; the plan is incomplete.\n")
    assert "> **1 error; the plan is incomplete.**\n" in md
    assert "| 1 | 0 | 0 | 0 | 1 |" in md


def test_nothing_planned_after_an_error_is_incomplete_too() -> None:
    twins = [live("dash_1", "Twice", wire(insight("a"))), live("dash_2", "Twice")]
    text = render_plan_text(plan_of([manifest("Twice", insight("a"))], state(*twins)))
    assert text.endswith("Plan incomplete: nothing could be planned (1 error).\n")


def test_a_refused_plan_says_apply_refuses_it() -> None:
    stale = [live(f"dash_{n}", f"Stale {n}") for n in range(3)]
    plan = plan_of([manifest("Kept", insight("a"))],
                   state(live("dash_k", "Kept", wire(insight("a"))), *stale),
                   prune=True, max_deletes=2)
    text, md = both(plan)
    assert text.endswith("Plan: 0 to create, 0 to update, 3 to delete, 1 unchanged."
                         " 1 error: apply refuses this plan whole.\n")
    assert "> **1 error: apply refuses this plan whole.**\n" in md


# --- every HTML block ends with a blank line -----------------------------------------------


def test_every_html_block_of_the_renderers_ends_with_a_blank_line() -> None:
    old = live("dash_9", "Old", wire(insight("x")))
    growth = live("dash_1", "Growth", wire(insight("dau")))
    plan = plan_of([manifest("New", insight("a")), manifest("Growth", insight("dau", w=4))],
                   state(old, growth), prune=True)
    drift = DriftReport([environment_drift(plan.environments[0])])
    for md in (render_plan_markdown(plan), render_drift_markdown(drift)):
        assert_valid_github_markdown(md)
        lines = md.split("\n")
        for index, line in enumerate(lines):
            if line.startswith(("<!--", "</details>", "<details>")):
                assert lines[index + 1] == "", (line, md)


@pytest.mark.parametrize(("kept", "line"), [
    ({"dau": ["color"]}, "kept from live: 1 field on 1 tile"),
    ({"a": ["color", "insight.title"], "b": ["color"]}, "kept from live: 3 fields on 2 tiles"),
    ({"funnel": ["*"], "sankey": ["*"]}, "kept from live: 2 whole tiles"),
])
def test_the_kept_line_counts_fields_tiles_and_whole_tiles(
    kept: dict[str, list[str]], line: str
) -> None:
    assert kept_summary(kept) == line
