"""Lyrics in the page, on the real server: synced lines follow playback in the player, a
press on a line seeks the media there, and the track page's tap-to-sync editor saves
LRC that the API then returns."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE, assert_accessible, require_browser
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.e2e

SYNCED = "\n".join(
    [
        "[ti:Hum]",
        "[00:00.50]First light",
        "[00:03.00]Second wind",
        "[00:06.00]Third rail",
        "[00:09.00]<00:09.00>Slow <00:09.80>words",
        "[00:12.00]Twelfth night",
        "[00:15.00]Last call",
    ]
)


def _track(tonearm: Server, folder: Path, name: str, frequency: float) -> dict[str, Any]:
    path = make_audio(folder / f"{name}.flac", seconds=20, frequency=frequency)
    response = tonearm.upload(path)
    assert response.status_code in (200, 201), response.text
    return tonearm.wait_ready(response.json()["id"])


@pytest.fixture(scope="module")
def tracks(tonearm: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("lyrics-audio")
    synced = _track(tonearm, folder, "sung", 330.0)
    put = tonearm.http.put(f"/api/tracks/{synced['id']}/lyrics", json={"text": SYNCED})
    assert put.status_code == 200, put.text
    return {"synced": synced, "plain": _track(tonearm, folder, "to-sync", 415.0)}


def _media_time(page: Page) -> float:
    return float(page.evaluate("() => document.querySelector('audio').currentTime"))


def _wait_between(page: Page, low: float, high: float) -> None:
    page.wait_for_function(
        "([low, high]) => { const t = document.querySelector('audio').currentTime;"
        " return t >= low && t < high; }",
        arg=[low, high],
    )


def test_synced_lyrics_follow_playback_and_a_line_seeks_there(
    page: Page, tracks: dict[str, Any]
) -> None:
    track = tracks["synced"]
    page.goto(f"/#/tracks/{track['id']}")
    page.locator("main").get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.6")
    page.get_by_test_id("open-now-playing").click()
    lyrics = page.get_by_test_id("now-playing").get_by_test_id("lyrics")
    expect(lyrics.locator("li")).to_have_count(6)
    current = lyrics.locator("[aria-current='true']")
    expect(current).to_have_count(1)
    # The highlight follows playback: once the media passes 3 s, the second line.
    page.wait_for_function("() => document.querySelector('audio').currentTime > 3.1")
    expect(current).to_contain_text("Second wind")

    # A press on a line: the media element goes to that line's time.
    lyrics.get_by_role("button", name=re.compile("Twelfth night")).click()
    _wait_between(page, 12.0, 13.5)
    expect(current).to_contain_text("Twelfth night")
    expect(page.get_by_test_id("elapsed")).to_have_text(re.compile(r"0:1[23]"))

    # Back to the enhanced line: its words light up as they are sung.
    lyrics.get_by_role("button", name=re.compile("Slow words")).click()
    _wait_between(page, 9.0, 10.5)
    expect(current).to_contain_text("Slow words")
    expect(current.locator(".word.sung").first).to_have_text("Slow ")
    page.wait_for_function("() => document.querySelector('audio').currentTime > 9.9")
    expect(current.locator(".word.sung")).to_have_count(2)
    assert 9.0 <= _media_time(page) < 12.0


def test_tap_to_sync_saves_lrc_the_api_returns(
    page: Page, tonearm: Server, tracks: dict[str, Any]
) -> None:
    track = tracks["plain"]
    page.goto(f"/#/tracks/{track['id']}")
    card = page.get_by_test_id("lyrics-card")
    expect(card.get_by_text("No lyrics yet.")).to_be_visible()
    card.get_by_role("button", name="Add lyrics").click()
    card.get_by_test_id("lyrics-text").fill("One by one\n\nTwo by two\nThree by three\n")
    card.get_by_role("button", name="Sync to the music").click()

    sync = card.get_by_test_id("lyrics-sync")
    tap_button = sync.get_by_test_id("sync-tap")
    expect(tap_button).to_have_text(re.compile("Play, then tap"))
    sync.get_by_role("button", name="Play", exact=True).click()
    expect(tap_button).to_have_text(re.compile("Tap: “One by one”"))

    stamps: list[float] = []

    def tap_with(action: str, after: float) -> None:
        page.wait_for_function(f"() => document.querySelector('audio').currentTime > {after}")
        stamps.append(_media_time(page))
        if action == "click":
            tap_button.click()
        else:
            tap_button.focus()
            page.keyboard.press(action)

    tap_with(" ", 1.0)
    expect(tap_button).to_have_text(re.compile("Tap: “Two by two”"))
    # A tap too many, taken back with Backspace.
    tap_with("Enter", 2.0)
    page.keyboard.press("Backspace")
    stamps.pop()
    expect(tap_button).to_have_text(re.compile("Tap: “Two by two”"))
    tap_with("Enter", 2.5)
    tap_with("click", 4.0)
    expect(tap_button).to_have_text("Every line has its time")
    # Nudge the last line a tenth of a second later.
    sync.get_by_role("button", name="Later: Three by three").click()
    sync.get_by_test_id("sync-save").click()
    expect(card.get_by_test_id("lyrics-status")).to_have_text("The synced lyrics were saved.")

    got = tonearm.http.get(f"/api/tracks/{track['id']}/lyrics").json()
    assert got["synced"] is True
    assert [line["text"] for line in got["lines"]] == ["One by one", "Two by two", "Three by three"]
    starts = [line["start_ms"] / 1000 for line in got["lines"]]
    assert starts == sorted(starts)
    # Each line starts where the media was when it was tapped (the last one a tenth
    # later), to within the page's reaction to the key.
    for start, media, extra in zip(starts, stamps, (0.0, 0.0, 0.1), strict=True):
        assert media + extra - 0.05 <= start <= media + extra + 0.75, (start, media)
    assert re.fullmatch(r"(\[\d\d:\d\d\.\d\d\][^\n]+\n?){3}", got["text"]), got["text"]
    assert "lyrics" in tonearm.track(track["id"])["edited"]
    # The card shows what was saved, with its times.
    expect(card.locator(".lyric-time")).to_have_count(3)


def test_lyrics_views_are_accessible_and_fit_a_phone(page: Page, tracks: dict[str, Any]) -> None:
    page.set_viewport_size(PHONE)
    track = tracks["synced"]
    page.goto(f"/#/tracks/{track['id']}")
    card = page.get_by_test_id("lyrics-card")
    expect(card.locator(".lyric-time")).to_have_count(6)

    def fits() -> None:
        assert_accessible(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px wider than the phone"

    fits()
    card.get_by_role("button", name="Sync to the music").click()
    # Synced lyrics keep their times to adjust: every line has one already.
    expect(card.get_by_test_id("sync-tap")).to_have_text("Every line has its time")
    fits()
    card.get_by_role("button", name="Cancel").click()
    page.locator("main").get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.6")
    page.get_by_test_id("toggle").click()
    page.get_by_test_id("open-now-playing").click()
    expect(page.get_by_test_id("now-playing").locator("[aria-current='true']")).to_have_count(1)
    assert_accessible(page)


def test_a_lyrics_file_dropped_with_its_audio_becomes_its_lyrics(
    page: Page, tonearm: Server, tmp_path: Path
) -> None:
    song = make_audio(tmp_path / "Night Drive.flac", seconds=2, frequency=505.0)
    lrc = tmp_path / "night drive.lrc"  # the name's case does not matter
    lrc.write_text("[00:00.40]Headlights\n[00:01.20]Open road\n", encoding="utf-8")
    lonely = tmp_path / "Someone Else.txt"
    lonely.write_text("words without their song\n", encoding="utf-8")
    page.goto("/#/upload")
    page.get_by_test_id("file-input").set_input_files([song, lrc, lonely])

    rows = page.get_by_test_id("lyrics-upload")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Someone Else.txt")).to_contain_text(
        "no audio file of the same name"
    )
    # Away from the Upload view and back while the file uploads: nothing is lost.
    page.goto("/#/tracks")
    expect(page.get_by_test_id("lyrics-upload")).to_have_count(0)
    page.goto("/#/upload")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="night drive.lrc")).to_contain_text(
        "Saved as the synced lyrics of Night Drive.flac", timeout=60_000
    )
    # Neither text file went to the audio uploads.
    expect(page.get_by_test_id("upload")).to_have_count(1)
    track_id = next(
        t["id"]
        for t in tonearm.http.get("/api/tracks", params={"mine": "true"}).json()["items"]
        if t["filename"] == "Night Drive.flac"
    )
    got = tonearm.http.get(f"/api/tracks/{track_id}/lyrics").json()
    assert got["text"] == "[00:00.40]Headlights\n[00:01.20]Open road"
    assert [(x["start_ms"], x["text"]) for x in got["lines"]] == [
        (400, "Headlights"),
        (1200, "Open road"),
    ]
