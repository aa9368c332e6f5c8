"""A real `tonearm serve` and Debian's headless Chromium, driven by Playwright.

Chromium comes from the Debian package (/usr/bin/chromium), never from Playwright's own
download. Screenshots go to test-output/browser/ at the repository root.

Accounts: `page` is signed in as the test server's admin (tests/fixtures/server.py makes
it), `visitor` is a page nobody signed in on, and `first_run` is a server whose first
run is left for the page to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.fixtures.database import fresh_database
from tests.fixtures.server import ADMIN, PASSWORD, Server

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
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


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


class FirstRunServer(Server):
    """`tonearm serve` on an empty database: nobody exists until the page creates the admin.

    Its `http` client has no working credentials until `sign_in_as_admin` is called.
    """

    def _admin_token(self) -> str:
        return "none-yet"

    def sign_in_as_admin(self) -> None:
        """After the page's first run: a token of the admin it created, for `http`."""
        self.http.close()
        self.token = Server._admin_token(self)
        self.auth = {"Authorization": f"Bearer {self.token}"}
        self.http = httpx.Client(base_url=self.url, timeout=60, headers=self.auth)


@pytest.fixture
def first_run(tmp_path: Path) -> Iterator[FirstRunServer]:
    with fresh_database("sqlite", tmp_path) as url:
        server = FirstRunServer(tmp_path / "data", url)
        yield server
        server.stop()


def sign_in(context: BrowserContext, username: str = ADMIN, password: str = PASSWORD) -> None:
    """Sign the browser context in through the API: the session cookie lands in the context."""
    response = context.request.post(
        "/api/auth/login", data={"username": username, "password": password}
    )
    assert response.ok, response.text()


class Pages:
    """Browser contexts for a test, each page's errors collected; all closed at the end."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def open(
        self,
        server: Server,
        *,
        user: tuple[str, str] | None = (ADMIN, PASSWORD),
        viewport: dict[str, int] | None = None,
    ) -> Page:
        """A new browser (its own cookies) on `server`, signed in as `user` unless None."""
        context = self.browser.new_context(viewport=viewport or DESKTOP, base_url=server.url)
        self.contexts.append(context)
        if user is not None:
            sign_in(context, *user)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser) -> Iterator[Pages]:
    opened = Pages(browser)
    yield opened
    opened.close()
    assert not opened.errors, f"errors in the page: {opened.errors}"


@pytest.fixture
def page(pages: Pages, tonearm: Server) -> Page:
    """A fresh desktop page on the server, signed in as its admin; page errors fail the test.

    The admin's play queue (kept on the server, restored by every new page) is emptied
    first, so nothing is loaded when the test starts.
    """
    empty = {"track_ids": [], "current_index": 0, "position_s": 0, "shuffle": False}
    tonearm.http.put("/api/queue", json={**empty, "repeat": "off"}).raise_for_status()
    return pages.open(tonearm)


@pytest.fixture
def visitor(pages: Pages, tonearm: Server) -> Page:
    """A fresh desktop page on the server that nobody signed in on."""
    return pages.open(tonearm, user=None)


MEMBER_PASSWORD = "a long enough secret"


def make_member(server: Server, username: str, password: str = MEMBER_PASSWORD) -> httpx.Client:
    """A member created through the admin API, and an API client holding their token."""
    made = server.http.post(
        "/api/users", json={"username": username, "password": password, "role": "member"}
    )
    assert made.status_code == 201, made.text
    with httpx.Client(base_url=server.url, timeout=60) as browser:
        signed = browser.post("/api/auth/login", json={"username": username, "password": password})
        signed.raise_for_status()
        token = browser.post(
            "/api/me/tokens",
            json={"name": "tests", "scopes": ["read", "upload", "library"]},
            headers={"X-CSRF-Token": signed.json()["csrf_token"]},
        )
        token.raise_for_status()
        browser.post(
            "/api/auth/logout", headers={"X-CSRF-Token": signed.json()["csrf_token"]}
        ).raise_for_status()
    return httpx.Client(
        base_url=server.url,
        timeout=60,
        headers={"Authorization": f"Bearer {token.json()['token']}"},
    )


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def assert_accessible(page: Page) -> None:
    violations = run_axe(page)
    assert not violations, "\n".join(
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations
    )


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
