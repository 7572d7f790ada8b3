"""A small GitOps repository for pull tests: two environments, comments in every file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.factories import wire_insight, wire_markdown
from tests.support.repo import RepoKit

ENVIRONMENTS = """\
environments:
  staging:
    url: sqlite:.dashctl/staging.db
    vars: {site: staging}
    ignore: ["Scratch *"]
  production:
    url: sqlite:.dashctl/production.db
    vars: {site: production}
"""

GROWTH = """\
# yaml-language-server: $schema=../../schemas/dashboard.schema.json
# Every environment gets this one.
name: Growth KPIs (${site})   # the site shows in the title
tiles:
  # daily actives
  - id: dau
    position: {x: 0, y: 0, w: 6, h: 4}
    insight:
      query:
        events: [{name: page_view}]
        granularity: GRANULARITY_DAY   # API spelling on purpose
        aggregation: unique_users
      visualization: line
  # goals for the week
  - id: goals
    position: {x: 6, y: 0, w: 6, h: 2}
    markdown:
      content: |
        # Weekly Goals
"""

OPS = """\
# yaml-language-server: $schema=../../schemas/dashboard.schema.json
# Staging only: the on-call view.
name: Ops
formerNames: [Operations]
tiles:
  # errors first
  - id: errors
    position: {x: 0, y: 0, w: 12, h: 3}
    insight:
      query:
        events: [{name: error}]
        granularity: hour
        aggregation: count
      visualization: bar

  # then latency
  - id: latency
    position: {x: 0, y: 3, w: 6, h: 3}
    insight:
      query:
        events: [{name: slow_request}]
        granularity: hour
        aggregation: count
      visualization: line
  # runbook link
  - id: runbook
    position: {x: 6, y: 3, w: 6, h: 3}
    markdown:
      content: See the runbook.
"""


def pull_repo(root: Path, environments: str = ENVIRONMENTS) -> RepoKit:
    """The repository at ``root``: GROWTH in base/, OPS in staging/, production/ empty."""
    repo = RepoKit(root, environments)
    repo.put("base/growth-kpis.yaml", GROWTH)
    repo.put("staging/ops.yaml", OPS)
    (root / "production").mkdir()
    return repo


def ops_tiles(runbook: str = "See the runbook.") -> list[dict[str, Any]]:
    """The tiles of OPS as the API answers them."""
    hourly: dict[str, Any] = {"h": 3, "granularity": "hour", "aggregation": "count"}
    return [
        wire_insight("errors", events="error", w=12, viz="bar", **hourly),
        wire_insight("latency", events="slow_request", y=3, **hourly),
        wire_markdown("runbook", runbook, x=6, y=3, h=3),
    ]
