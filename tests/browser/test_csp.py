"""The Content-Security-Policy lets the player and /docs work, and nothing else in.

The page plays through hls.js (MSE: blob: media URLs and a blob: worker), draws the
waveform, shows artwork; /docs runs Swagger UI from the package. Every CSP
violation the browser reports, as an event or on the console, fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import require_browser, sign_in
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

require_browser()

from playwright.sync_api import expect  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(browser: Browser, tonearm: Server) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(base_url=tonearm.url)
    sign_in(context)
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda m: (
            console.append(m.text)
            if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
            else None
        ),
    )
    yield page, console
    context.close()


def _violations(page: Page, console: list[str]) -> list[Any]:
    return [*page.evaluate("window.__csp"), *console]


def test_the_player_plays_under_the_policy(
    watched: tuple[Page, list[str]], tonearm: Server, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page, console = watched
    path = make_audio(
        tmp_path_factory.mktemp("audio") / "policy.flac",
        seconds=20,
        extra=["-metadata", "title=Policy Tone"],
    )
    tonearm.wait_ready(tonearm.upload(path).json()["id"])
    response = page.goto("/")
    assert response is not None
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.get_by_role("button", name="Play Policy Tone").click()
    expect(page.get_by_test_id("level")).to_have_text(re.compile(r"^HLS \d+ kbps$"))
    page.wait_for_function(
        "() => document.querySelector('audio').currentTime > 1.5", timeout=30_000
    )
    assert page.evaluate("document.querySelector('audio').src").startswith("blob:")
    expect(page.get_by_test_id("waveform")).not_to_have_class(re.compile("loading"))
    assert _violations(page, console) == []


def test_docs_render_under_the_policy(watched: tuple[Page, list[str]]) -> None:
    page, console = watched
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert page.locator(".opblock").count() > 10
    assert _violations(page, console) == []


def test_settings_and_admin_load_under_the_policy(watched: tuple[Page, list[str]]) -> None:
    # Loaded on first visit, with their own script chunks; their styles are the page's.
    page, console = watched
    page.goto("/#/settings")
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Invites")).to_be_visible()
    page.get_by_role("button", name="Create invite link").click()
    expect(page.get_by_test_id("secret-value")).to_have_value(re.compile("/#/join/"))
    assert _violations(page, console) == []
