"""The Subsonic API and the page share one state, and one person: a member makes an app
password in Settings, reads it off the page and signs a real Subsonic client (py-sonic) in
with it; revoking it in the page stops the client. What the client does (a star, a saved
queue, a scrobble) is what the page then shows: a like, the restored queue, a counted play.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import libsonic
import pytest
from libsonic.errors import SonicError

from tests.browser.conftest import (
    MEMBER_PASSWORD,
    Pages,
    assert_accessible,
    make_member,
    require_browser,
)
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

require_browser()

from playwright.sync_api import expect  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

TITLES = ("Signal Hill", "Quiet Harbour")


@pytest.fixture(scope="module")
def member(tonearm: Server) -> httpx.Client:
    """The member "sonia" (an API client holding her token), who owns the tracks below."""
    return make_member(tonearm, "sonia")


@pytest.fixture(scope="module")
def tracks(
    tonearm: Server, member: httpx.Client, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    """Two of sonia's tracks, twenty seconds each (long enough to restore a queue mid-way)."""
    folder = tmp_path_factory.mktemp("subsonic-audio")
    made = []
    for i, title in enumerate(TITLES):
        path = make_audio(
            folder / f"{i}.flac",
            seconds=20,
            frequency=330 + 110 * i,
            extra=["-metadata", f"title={title}", "-metadata", "artist=Sonia"],
        )
        with path.open("rb") as fh:
            r = member.post("/api/tracks", files={"file": (path.name, fh)})
        assert r.status_code in (200, 201), r.text
        made.append(tonearm.wait_ready(r.json()["id"]))
    return made


def client(tonearm: Server, password: str) -> libsonic.Connection:
    """py-sonic as apps sign in: token authentication (t = md5(password + s), s)."""
    return libsonic.Connection(
        "http://127.0.0.1", "sonia", password, port=tonearm.port, appName="tonearm-tests"
    )


def code_of(tonearm: Server, password: str, *, token: bool = False) -> int:
    """The Subsonic error code of a ping with this password, sent as itself or as a
    token (0: signed in)."""
    salt = "c0ffee"
    secret = (
        {"t": hashlib.md5((password + salt).encode(), usedforsecurity=False).hexdigest(), "s": salt}
        if token
        else {"p": password}
    )
    r = httpx.get(
        f"{tonearm.url}/rest/ping.view",
        params={"u": "sonia", **secret, "f": "json", "v": "1.16.1", "c": "tests"},
        timeout=30,
    )
    body = r.json()["subsonic-response"]
    return int(body["error"]["code"]) if body["status"] == "failed" else 0


def create_app_password(page: Page) -> str:
    """Create (or replace) the app password in Settings; the password the page shows."""
    section = page.get_by_test_id("subsonic")
    replace = section.get_by_role("button", name="Replace app password")
    if replace.count():
        replace.click()
        page.get_by_role("dialog").get_by_role("button", name="Replace app password").click()
    else:
        section.get_by_role("button", name="Create app password").click()
    shown = section.get_by_test_id("secret-value")
    expect(shown).to_have_value(re.compile(r"^[a-z0-9]{6}(-[a-z0-9]{6}){3}$"))
    return shown.input_value()


def open_settings(page: Page) -> None:
    page.goto("/#/settings")
    expect(page.get_by_role("heading", name="Subsonic")).to_be_visible()
    expect(page.get_by_test_id("subsonic").get_by_text("Loading…")).to_have_count(0)


def test_an_app_password_made_in_the_page_signs_an_app_in_until_revoked(
    pages: Pages, tonearm: Server, member: httpx.Client, screenshots: Path
) -> None:
    page = pages.open(tonearm, user=("sonia", MEMBER_PASSWORD))
    open_settings(page)
    section = page.get_by_test_id("subsonic")
    expect(section).to_contain_text(f"{tonearm.url}")
    expect(section).to_contain_text("sonia")
    expect(page.get_by_test_id("app-password-status")).to_contain_text("no app password")

    password = create_app_password(page)
    expect(section.get_by_test_id("secret")).to_contain_text("shown only this once")
    assert_accessible(page)
    page.screenshot(path=screenshots / "subsonic-password.png", full_page=True)
    assert client(tonearm, password).ping() is True

    # Shown once: after a reload the page says when it was made and last used, not what.
    page.reload()
    expect(page.get_by_test_id("app-password-status")).to_contain_text("last used by an app")
    expect(section.get_by_test_id("secret")).to_have_count(0)
    assert password not in page.content()

    # Replacing it: the old one stops, the new one works.
    newer = create_app_password(page)
    assert newer != password
    assert code_of(tonearm, password) == 40
    assert client(tonearm, newer).ping() is True

    section.get_by_role("button", name="Revoke app password").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke app password").click()
    expect(page.get_by_test_id("app-password-status")).to_contain_text("no app password")
    with pytest.raises(SonicError):
        client(tonearm, newer).ping()
    # Token sign-in with no app password is 41 ("make one in Settings"); the password, 40.
    assert code_of(tonearm, newer, token=True) == 41
    assert code_of(tonearm, newer) == 40


def signed_in_client(pages: Pages, tonearm: Server) -> tuple[Page, libsonic.Connection]:
    page = pages.open(tonearm, user=("sonia", MEMBER_PASSWORD))
    open_settings(page)
    return page, client(tonearm, create_app_password(page))


def test_a_star_from_an_app_is_a_like_in_the_page(
    pages: Pages, tonearm: Server, tracks: list[dict[str, Any]]
) -> None:
    page, app = signed_in_client(pages, tonearm)
    starred = tracks[0]
    app.star(sids=[starred["id"]])
    page.goto(f"/#/tracks/{starred['id']}")
    like = page.get_by_role("button", name="Like this track")
    expect(like).to_have_attribute("aria-pressed", "true")
    page.goto("/#/liked")
    expect(page.locator("main").get_by_text(starred["title"])).to_be_visible()
    app.unstar(sids=[starred["id"]])
    page.goto(f"/#/tracks/{starred['id']}")
    expect(like).to_have_attribute("aria-pressed", "false")


def test_a_queue_saved_by_an_app_is_restored_by_the_web_player(
    pages: Pages, tonearm: Server, tracks: list[dict[str, Any]]
) -> None:
    page, app = signed_in_client(pages, tonearm)
    ids = [t["id"] for t in tracks]
    app.savePlayQueue(ids, current=ids[1], position=7000)
    page.goto("/")
    expect(page.get_by_test_id("now-title")).to_have_text(TITLES[1])
    expect(page.get_by_test_id("elapsed")).to_have_text("0:07")
    page.wait_for_function("() => Math.floor(document.querySelector('audio').currentTime) === 7")
    page.get_by_role("link", name="Queue").first.click()
    entries = page.get_by_test_id("queue-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(1)).to_have_attribute("aria-current", "true")


def test_a_scrobble_from_an_app_is_a_counted_play_in_the_page(
    pages: Pages, tonearm: Server, tracks: list[dict[str, Any]]
) -> None:
    page, app = signed_in_client(pages, tonearm)
    played = tracks[1]
    app.scrobble(played["id"], submission=True)
    page.goto("/#/history")
    recent = page.get_by_test_id("history-recent").get_by_test_id("history-entry")
    expect(recent.filter(has_text=played["title"])).to_have_count(1, timeout=10_000)
    page.get_by_role("tab", name="Most played").click()
    most = page.get_by_test_id("history-most").get_by_test_id("history-entry")
    expect(most.filter(has_text=played["title"])).to_contain_text("1 play")
