"""Headless Chromium (Debian's `chromium` package) driven by Playwright, for browser tests.

Nothing is downloaded: Playwright launches /usr/bin/chromium through
``executable_path``. Browser tests are skipped, saying why, only when that
binary is absent (`.ci/run` installs it in CI).

- ``browser``: one Chromium per test module;
- ``tab``: a fresh context and page for one test, recording every console
  error, page error and request it saw.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
OFFLINE = ("file:", "data:")


@dataclass
class Tab:
    """A page of its own browser context, with every console error, page error and request
    it saw."""

    context: Any
    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def assert_clean(self, allowed: tuple[str, ...] = OFFLINE) -> None:
        """No error was seen, and every request went to an address starting with ``allowed``
        (by default: none left the machine's files)."""
        assert self.errors == []
        elsewhere = [url for url in self.requests if not url.startswith(allowed)]
        assert elsewhere == [], f"the page reached beyond {allowed}"


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
    seen = Tab(context, context.new_page())
    seen.page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    seen.page.on("pageerror", lambda error: seen.errors.append(str(error)))
    seen.page.on("request", lambda request: seen.requests.append(request.url))
    try:
        yield seen
    finally:
        context.close()
