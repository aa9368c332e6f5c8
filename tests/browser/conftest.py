"""A real `tonearm serve` and Debian's headless Chromium, driven by Playwright.

Chromium comes from the Debian package (/usr/bin/chromium), never from Playwright's own
download. Screenshots go to test-output/browser/ at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.fixtures.database import fresh_database
from tests.fixtures.server import Server

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "browser"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    # Media keeps playing in a tab that headless Chromium considers hidden.
    "--disable-background-media-suspend",
]

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright


def require_browser() -> None:
    """Skip the calling test module unless Chromium and Playwright are both here."""
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium "
            "(scripts/bootstrap.sh --dev installs it)",
            allow_module_level=True,
        )
    pytest.importorskip("playwright", reason="browser tests need the playwright Python package")


# Package scope, not session: Playwright's sync API keeps an event loop running in the
# main thread while it lives, and the tests after tests/browser run their own (anyio.run).
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def tonearm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per module, on SQLite: the page, not the database, is under test here."""
    data = tmp_path_factory.mktemp("tonearm-browser")
    with fresh_database("sqlite", data) as url:
        server = Server(data, url)
        yield server
        server.stop()


@pytest.fixture
def page(browser: Browser, tonearm: Server) -> Iterator[Page]:
    """A fresh desktop page on the server; page errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=tonearm.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.x A and AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's Content-Security-Policy
        # (no inline script) refuses the <script> element add_script_tag would insert.
        page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                              'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations
