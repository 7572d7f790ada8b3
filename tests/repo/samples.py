"""The repository the repo tests start from: three environments and one manifest."""

from __future__ import annotations

ENVIRONMENTS = """\
environments:
  local:
    url: sqlite:.dashctl/local.db
    vars: {site: local}
  staging:
    url: https://analytics.staging.example.com
    project: proj_staging
    token_env: DASHCTL_TOKEN_STAGING
    prune: true
    vars: {site: staging}
  production:
    url: https://analytics.example.com
    project: proj_prod
    token_env: DASHCTL_TOKEN_PRODUCTION
    max_deletes: 3
    exclude: [experiments.yaml]
    ignore: ["Scratch *"]
    vars: {site: production}
"""

GROWTH = """\
# yaml-language-server: $schema=../../schemas/dashboard.schema.json
name: Growth KPIs
tiles:
  - id: dau
    position: {x: 0, y: 0, w: 6, h: 4}
    insight:
      query:
        events: [{name: page_view}]
        granularity: day
        aggregation: unique_users
      visualization: line
  - id: goals
    position: {x: 6, y: 0, w: 6, h: 2}
    markdown:
      content: |
        # Weekly Goals
"""
