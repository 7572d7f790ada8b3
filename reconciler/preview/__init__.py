"""Layout previews: dashboards drawn as static, self-contained HTML pages.

`reconciler.commands.preview` writes the site for `dashctl preview`;
`render_dashboard_page` draws one dashboard from wire-form tiles (the emulator's read-only UI reuses
it). The pixel geometry of the grid is documented in `geometry.py`.
"""

from __future__ import annotations

from reconciler.preview.geometry import COMPACT, FULL, Geometry
from reconciler.preview.pages import render_dashboard_page

__all__ = ["COMPACT", "FULL", "Geometry", "render_dashboard_page"]
