"""The first page, end to end: upload through it, watch processing, play, seek, resume."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from tests.browser.conftest import require_browser, run_axe
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

require_browser()

from playwright.sync_api import Page, Request, Route, expect  # noqa: E402

pytestmark = pytest.mark.e2e

TITLE = "Morning Tone"


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "morning-tone.flac"
    return make_audio(
        path,
        seconds=24,
        extra=[
            "-metadata",
            f"title={TITLE}",
            "-metadata",
            "artist=The Oscillators",
            "-metadata",
            "album=Test Signals",
        ],
    )


@pytest.fixture(scope="module")
def ready_track(tonearm: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A second, ready track put in through the API, for tests that only play."""
    path = make_audio(
        tmp_path_factory.mktemp("audio") / "evening-noise.flac",
        seconds=30,
        source="noise",
        extra=["-metadata", "title=Evening Noise", "-metadata", "artist=Pink"],
    )
    response = tonearm.upload(path)
    assert response.status_code in (200, 201), response.text
    return tonearm.wait_ready(response.json()["id"])


def current_time(page: Page) -> float:
    return float(page.evaluate("document.querySelector('audio').currentTime"))


def wait_playing(page: Page, beyond: float = 0.3, timeout: float = 15) -> float:
    page.wait_for_function(
        f"() => document.querySelector('audio').currentTime > {beyond}", timeout=timeout * 1000
    )
    return current_time(page)


def test_upload_process_and_play(page: Page, tone: Path, screenshots: Path) -> None:
    segments: list[str] = []
    page.on("request", lambda r: segments.append(r.url) if "/s/" in r.url else None)
    page.goto("/#/upload")
    expect(page.get_by_role("heading", name="Add music")).to_be_visible()

    page.get_by_test_id("file-input").set_input_files(tone)
    upload = page.get_by_test_id("upload").filter(has_text=tone.name)
    expect(upload).to_be_visible()
    expect(upload.get_by_test_id("upload-status")).to_have_text("Ready to play", timeout=90_000)
    expect(page.get_by_test_id("announcer")).to_contain_text("ready to play")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()

    row = page.get_by_test_id("track").filter(has_text=TITLE)
    expect(row).to_contain_text("The Oscillators")
    expect(row).to_contain_text("Test Signals")
    expect(row).to_contain_text("0:24")
    expect(row).to_have_attribute("data-status", "ready")
    page.screenshot(path=screenshots / "desktop-uploaded.png", full_page=True)

    row.get_by_role("button", name=f"Play {TITLE}").click()
    first = wait_playing(page)
    time.sleep(1.0)
    assert current_time(page) > first, "currentTime did not advance"
    assert segments, "no HLS segment was fetched"
    expect(page.get_by_test_id("level")).to_have_text(re.compile(r"^HLS \d+ kbps$"))
    expect(page.get_by_test_id("now-title")).to_have_text(TITLE)
    assert page.evaluate("navigator.mediaSession.metadata.title") == TITLE
    assert page.evaluate("navigator.mediaSession.playbackState") == "playing"

    # Keyboard: space pauses and plays, the right arrow skips ahead five seconds.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press(" ")
    expect(page.get_by_test_id("toggle")).to_have_attribute("aria-label", "Play")
    before = current_time(page)
    page.keyboard.press("ArrowRight")
    assert current_time(page) == pytest.approx(before + 5, abs=0.5)
    page.keyboard.press(" ")
    expect(page.get_by_test_id("toggle")).to_have_attribute("aria-label", "Pause")
    page.screenshot(path=screenshots / "desktop-playing.png", full_page=True)


def test_waveform_click_and_drag_seek(
    page: Page, ready_track: dict[str, Any], screenshots: Path
) -> None:
    page.goto("/")
    row = page.get_by_test_id("track").filter(has_text="Evening Noise")
    row.get_by_role("button", name="Play Evening Noise").click()
    wait_playing(page)
    waveform = page.get_by_test_id("waveform")
    expect(waveform).not_to_have_class(re.compile("loading"))
    box = waveform.bounding_box()
    assert box is not None
    duration = ready_track["duration"]

    waveform.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})
    assert current_time(page) == pytest.approx(duration * 0.75, abs=1.0)
    now = float(waveform.get_attribute("aria-valuenow") or "nan")
    assert now == pytest.approx(duration * 0.75, abs=1.5)
    wait_playing(page, beyond=duration * 0.75 + 0.2)

    # Drag from a quarter to the middle: the position lands where the pointer lets go.
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=4)
    page.mouse.up()
    assert current_time(page) == pytest.approx(duration * 0.5, abs=1.0)
    # The played part is drawn in the accent colour: sample a pixel left of the playhead.
    page.screenshot(path=screenshots / "desktop-waveform.png")


def growing_playlist(text: str, keep: int) -> str:
    """A finished variant playlist as the server serves it mid-encode: EVENT, no ENDLIST,
    only the first `keep` segments."""
    out: list[str] = []
    segments = 0
    for line in text.splitlines():
        if line == "#EXT-X-ENDLIST":
            continue
        segments += line.startswith("#EXTINF:")
        if segments > keep:
            break
        out.append(
            "#EXT-X-PLAYLIST-TYPE:EVENT" if line.startswith("#EXT-X-PLAYLIST-TYPE:") else line
        )
    return "\n".join(out) + "\n"


def test_a_track_still_encoding_plays_from_the_start_at_its_full_length(
    page: Page, ready_track: dict[str, Any]
) -> None:
    # The 30 s track as a player sees it while only 24 s (four 6 s segments) are encoded.
    # A growing playlist is live to hls.js, which would join it 18 s before its end.
    def partial(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=growing_playlist(response.text(), keep=4))

    page.route(re.compile(r"/hls/(?!master)[^/?]+\.m3u8"), partial)
    page.goto("/")
    page.get_by_role("button", name="Play Evening Noise").click()
    started = wait_playing(page, beyond=0.2)
    assert started < 1.5, f"playback started {started:.1f} s in, not at the start"
    media = float(page.evaluate("document.querySelector('audio').duration"))
    assert media < 25 or media == float("inf"), f"the media knew the whole track ({media} s)"
    # The seek bar spans the whole track, from the API's duration.
    duration = ready_track["duration"]
    expect(page.get_by_test_id("duration")).to_have_text(f"0:{int(duration):02d}")
    waveform = page.get_by_test_id("waveform")
    expect(waveform).to_have_attribute("aria-valuemax", str(int(duration)))

    # Past what is encoded: the seek stops at the edge of what is there.
    box = waveform.bounding_box()
    assert box is not None
    waveform.click(position={"x": box["width"] * 0.95, "y": box["height"] / 2})
    page.wait_for_timeout(300)
    landed = current_time(page)
    assert 18 <= landed <= 24.1, f"the seek landed at {landed:.1f} s"
    shown = float(waveform.get_attribute("aria-valuenow") or "nan")
    assert shown == pytest.approx(landed, abs=1.0)


def test_falls_back_to_mp3_when_hls_fails(page: Page, ready_track: dict[str, Any]) -> None:
    page.route("**/hls/master.m3u8", lambda route: route.fulfill(status=500, body="broken"))
    mp3: list[Request] = []
    page.on("request", lambda r: mp3.append(r) if r.url.endswith("stream.mp3") else None)
    page.goto("/")
    page.get_by_role("button", name="Play Evening Noise").click()
    wait_playing(page, timeout=30)
    expect(page.get_by_test_id("level")).to_have_text("MP3")
    assert mp3, "the MP3 was never requested"


def test_non_audio_file_says_why(page: Page) -> None:
    page.goto("/#/upload")
    # The drop zone is there once the page knows who is signed in.
    expect(page.get_by_test_id("dropzone")).to_be_visible()
    # A real drop: a DataTransfer holding a file that is not audio, dropped on the zone.
    page.evaluate(
        """() => {
            const bytes = new Uint8Array(64 * 1024).map((_, i) => (i * 7919) % 251);
            const file = new File([bytes], 'holiday-notes.mp3', {type: 'audio/mpeg'});
            const data = new DataTransfer();
            data.items.add(file);
            const zone = document.querySelector('[data-testid=dropzone]');
            for (const type of ['dragenter', 'dragover', 'drop']) {
                zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true,
                                                        dataTransfer: data}));
            }
        }"""
    )
    upload = page.get_by_test_id("upload").filter(has_text="holiday-notes.mp3")
    expect(upload).to_have_attribute("data-phase", "failed", timeout=30_000)
    status = upload.get_by_test_id("upload-status")
    expect(status).to_contain_text("not audio")
    expect(upload.get_by_role("button", name="Retry")).to_have_count(0)
    expect(page.get_by_test_id("announcer")).to_contain_text("holiday-notes.mp3 failed")

    # Known non-audio types are refused before a byte is sent.
    page.get_by_test_id("file-input").set_input_files(
        files=[{"name": "cover.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" * 8}],
    )
    png = page.get_by_test_id("upload").filter(has_text="cover.png")
    expect(png.get_by_test_id("upload-status")).to_have_text(
        "This is not an audio file (it is an image)."
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility_and_phone_layout(
    page: Page, ready_track: dict[str, Any], screenshots: Path, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_role("button", name="Play Evening Noise").click()
    wait_playing(page)
    switch = page.get_by_role("switch", name="Normalize")
    expect(switch).to_be_checked()

    violations = run_axe(page)
    assert not violations, "\n".join(
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations
    )
    page.screenshot(path=screenshots / f"desktop-{scheme}.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone"
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_in_viewport()
    violations = run_axe(page)
    assert not violations, [v["id"] for v in violations]
    page.screenshot(path=screenshots / f"phone-{scheme}.png", full_page=True)


def test_reload_during_upload_resumes_from_server_offset(
    page: Page, tonearm: Server, tmp_path: Path, screenshots: Path
) -> None:
    # 30 s of 96 kHz 5.1 PCM: 35 MB to send, 30 s to process.
    big = make_audio(tmp_path / "big-session.wav", seconds=30, rate=96000, channels=6)
    size = big.stat().st_size
    creations: list[str] = []
    page.on(
        "response",
        lambda r: (
            creations.append(r.headers["location"])
            if r.request.method == "POST" and r.url.endswith("/api/uploads")
            else None
        ),
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    throttle = {"offline": False, "latency": 0, "downloadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", {**throttle, "uploadThroughput": 6_000_000})
    page.goto("/#/upload")
    page.get_by_test_id("file-input").set_input_files(big)

    # Reload once the server holds the first chunk and the second is on its way.
    deadline = time.monotonic() + 60
    while not creations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert creations, "the upload was never created"
    upload_url = urljoin(tonearm.url, creations[0])
    offset = 0
    while offset == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        offset = tonearm.http.get(upload_url).json()["offset"]
    assert 0 < offset < size
    page.wait_for_timeout(700)
    page.reload()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {**throttle, "uploadThroughput": -1})

    # The server keeps what arrived before the connection dropped (once it notices).
    saved, previous = -1, -2
    while saved != previous and time.monotonic() < deadline:
        page.wait_for_timeout(300)
        previous, saved = saved, tonearm.http.get(upload_url).json()["offset"]
    assert offset <= saved < size
    notice = page.get_by_test_id("interrupted")
    expect(notice).to_contain_text(re.compile(r"big-session\.wav\s*\d+% sent"))

    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r) if "/api/uploads" in r.url else None)
    page.get_by_test_id("file-input").set_input_files(big)
    upload = page.get_by_test_id("upload").filter(has_text="big-session.wav")
    expect(upload.get_by_test_id("upload-status")).to_contain_text(
        re.compile(r"resumed at \d+%|Processing|Ready|Queued|Encoding|Reading"), timeout=30_000
    )
    expect(upload).to_have_attribute("data-phase", re.compile("processing|ready"), timeout=60_000)
    assert not [r for r in requests if r.method == "POST"], "a new upload was created"
    heads = [r for r in requests if r.method == "HEAD"]
    patches = [r for r in requests if r.method == "PATCH"]
    assert heads and heads[0].url == upload_url
    assert patches[0].url == upload_url
    assert int(patches[0].headers["upload-offset"]) == saved
    state = tonearm.http.get(upload_url).json()
    assert state["offset"] == size and state["track_id"]
    page.screenshot(path=screenshots / "desktop-resumed.png", full_page=True)
