"""Live listener counts seen from another browser: two people play one public track, and a
third page, left open on the track, sees "N listening now" go 1 -> 2 -> 1 without a reload.

The count falls back to 1 because the second page's player sends `end` with
navigator.sendBeacon when the page goes away (pagehide), not because presence expired: the
server here keeps presence for 30 s after the last heartbeat, and the test allows 10 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import MEMBER_PASSWORD, Pages, make_member, require_browser
from tests.fixtures.audio import make_audio
from tests.fixtures.database import fresh_database
from tests.fixtures.server import Server

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.e2e

PRESENCE_TTL_S = 30
# Well under the presence TTL: only an `end` the closing page sent brings the count down.
DROP_TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def tonearm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose heartbeats come often and whose plays count after 2 s (real time passes)."""
    data = tmp_path_factory.mktemp("tonearm-live")
    with fresh_database("sqlite", data) as url:
        server = Server(
            data,
            url,
            env={
                "TONEARM_LISTENING_HEARTBEAT_S": "2",
                "TONEARM_LISTENING_COUNT_AFTER_S": "2",
                "TONEARM_LISTENING_PRESENCE_TTL_S": str(PRESENCE_TTL_S),
            },
        )
        yield server
        server.stop()


@pytest.fixture(scope="module")
def public_track(tonearm: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A minute of audio everyone may hear, so neither player reaches its end in the test."""
    path = make_audio(
        tmp_path_factory.mktemp("audio") / "crowd-pleaser.flac",
        seconds=60,
        extra=["-metadata", "title=Crowd Pleaser", "-metadata", "artist=The Many"],
    )
    response = tonearm.upload(path)
    assert response.status_code in (200, 201), response.text
    track = tonearm.wait_ready(response.json()["id"])
    changed = tonearm.http.patch(f"/api/tracks/{track['id']}", json={"visibility": "public"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["visibility"] == "public"
    return track


def open_track_page(page: Page, track_id: str) -> None:
    """The track's page, with the change feed connected (pushes before that would be lost)."""
    with page.expect_response(lambda r: "/api/events" in r.url and r.status == 200):
        page.goto(f"/#/tracks/{track_id}")
    expect(page.get_by_role("heading", name="Crowd Pleaser")).to_be_visible()


def play(page: Page) -> None:
    page.locator("section.hero").get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('audio').currentTime > 0.5", timeout=20_000
    )


def test_a_third_page_sees_the_live_count_go_1_2_1_without_reloading(
    pages: Pages, tonearm: Server, public_track: dict[str, Any], screenshots: Path
) -> None:
    make_member(tonearm, "listener-a").close()
    make_member(tonearm, "listener-b").close()
    track_id = public_track["id"]

    watcher = pages.open(tonearm)  # the admin, who owns the track
    open_track_page(watcher, track_id)
    watcher.evaluate("window.__notReloaded = true")
    badge = watcher.locator("section.hero").get_by_test_id("live-count")
    expect(badge).to_have_count(0)  # nobody listens yet

    first = pages.open(tonearm, user=("listener-a", MEMBER_PASSWORD))
    open_track_page(first, track_id)
    play(first)
    expect(badge).to_have_attribute("data-listeners", "1", timeout=10_000)
    expect(badge).to_have_text("1 listening now")

    second = pages.open(tonearm, user=("listener-b", MEMBER_PASSWORD))
    open_track_page(second, track_id)
    play(second)
    expect(badge).to_have_attribute("data-listeners", "2", timeout=10_000)

    # The second page goes away (as a person closing the tab): its beacon ends the play.
    second.close(run_before_unload=True)
    expect(badge).to_have_attribute("data-listeners", "1", timeout=DROP_TIMEOUT_MS)
    expect(badge).to_have_text("1 listening now")

    # The first listener is still playing, and the watcher never reloaded.
    assert first.evaluate("!document.querySelector('audio').paused")
    assert watcher.evaluate("window.__notReloaded === true")
    watcher.screenshot(path=str(screenshots / "live-listeners.png"))

    first.close(run_before_unload=True)
    expect(badge).to_have_count(0, timeout=DROP_TIMEOUT_MS)  # nobody, so no badge


def test_the_listening_now_page_lists_the_track_while_it_plays(
    pages: Pages, tonearm: Server, public_track: dict[str, Any]
) -> None:
    make_member(tonearm, "listener-c").close()
    watcher = pages.open(tonearm)
    with watcher.expect_response(lambda r: "/api/events" in r.url and r.status == 200):
        watcher.goto("/#/live")
    expect(watcher.get_by_role("heading", name="Listening now")).to_be_visible()

    listener = pages.open(tonearm, user=("listener-c", MEMBER_PASSWORD))
    open_track_page(listener, public_track["id"])
    play(listener)

    row = watcher.get_by_test_id("track").filter(has_text="Crowd Pleaser")
    expect(row).to_be_visible(timeout=10_000)
    expect(row.get_by_test_id("live-count")).to_have_attribute("data-listeners", "1")

    listener.locator("section.hero").get_by_role("button", name="Pause", exact=True).click()
    # A pause leaves presence at once: the track leaves the list.
    expect(row).to_have_count(0, timeout=DROP_TIMEOUT_MS)


def test_a_counted_play_shows_in_the_listeners_history(
    pages: Pages, tonearm: Server, public_track: dict[str, Any]
) -> None:
    """Plays count after 2 s here: once counted (the pause's report says so), the play is
    in the person's recent history and most played, from the page."""
    make_member(tonearm, "listener-d").close()
    listener = pages.open(tonearm, user=("listener-d", MEMBER_PASSWORD))
    open_track_page(listener, public_track["id"])
    play(listener)
    listener.wait_for_function(
        "() => document.querySelector('audio').currentTime > 3.5", timeout=20_000
    )
    with listener.expect_response(
        lambda r: r.url.endswith("/api/plays") and '"pause"' in (r.request.post_data or "")
    ) as paused:
        listener.locator("section.hero").get_by_role("button", name="Pause", exact=True).click()
    assert paused.value.json()["counted"] is True
    listener.goto("/#/history")
    recent = listener.get_by_test_id("history-recent").get_by_test_id("history-entry")
    expect(recent.filter(has_text="Crowd Pleaser")).to_have_count(1, timeout=10_000)
    expect(recent.filter(has_text="not counted")).to_have_count(0)
    listener.get_by_role("tab", name="Most played").click()
    most = listener.get_by_test_id("history-most").get_by_test_id("history-entry")
    expect(most.filter(has_text="Crowd Pleaser")).to_contain_text("1 play")
