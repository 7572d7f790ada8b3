"""A headless Chromium (Debian's `chromium` package) driven by Playwright, one per module.

Nothing is downloaded: Playwright launches /usr/bin/chromium through
``executable_path``. Browser tests are skipped, saying why, only when that
binary is absent (`.ci/run` installs it in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.preview.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, Tab


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium not installed at {CHROMIUM} "
                    "(apt-get install chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    seen = Tab(page)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("request", lambda request: seen.requests.append(request.url))
    try:
        yield seen
    finally:
        context.close()
