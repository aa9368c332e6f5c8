"""The library's views: addresses and the Back button, the upload view on a phone, the
keyboard around the fixed player bar, and every view seen at desktop and phone sizes.

Everything is the real server's (tracks, the catalog, uploads, playback, playlists, the
queue, comments), but for the 100 000-row track table, whose pages are stood in for.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Pages, assert_accessible, require_browser
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

require_browser()

from playwright.sync_api import Page, Route, expect  # noqa: E402

pytestmark = pytest.mark.e2e

TITLE = "Quiet Room"


@pytest.fixture(scope="module")
def ready_track(tonearm: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = make_audio(
        tmp_path_factory.mktemp("audio") / "quiet-room.flac",
        seconds=20,
        source="noise",
        extra=["-metadata", f"title={TITLE}", "-metadata", "artist=Low Hum"],
    )
    response = tonearm.upload(path)
    assert response.status_code in (200, 201), response.text
    return tonearm.wait_ready(response.json()["id"])


def settled(page: Page) -> None:
    expect(page.locator("main h2").first).to_be_visible()
    expect(page.get_by_text("Loading…")).to_have_count(0)


def test_places_have_addresses_and_the_back_button_walks_them(
    page: Page, ready_track: dict[str, Any], album_tracks: list[dict[str, Any]]
) -> None:
    album_id, artist_id = album_tracks[0]["album_id"], album_tracks[0]["artist_id"]
    page.goto("/")
    expect(page.get_by_role("heading", name="Your music")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Albums").click()
    expect(page).to_have_url(re.compile(r"#/albums$"))
    expect(nav.get_by_role("link", name="Albums")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name=ALBUM).click()
    expect(page).to_have_url(re.compile(f"#/albums/{album_id}$"))
    expect(page.get_by_role("heading", name=ALBUM)).to_be_visible()
    expect(page).to_have_title(f"{ALBUM} · tonearm")
    page.locator("main").get_by_role("link", name="Low Hum").first.click()
    expect(page).to_have_url(re.compile(f"#/artists/{artist_id}$"))

    page.go_back()
    expect(page).to_have_url(re.compile(f"#/albums/{album_id}$"))
    expect(page.get_by_role("heading", name=ALBUM)).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Albums", exact=True)).to_be_visible()
    page.go_forward()
    expect(page).to_have_url(re.compile(f"#/albums/{album_id}$"))
    # A reload stays in place; a deep link opens its place.
    page.reload()
    expect(page.get_by_role("heading", name=ALBUM)).to_be_visible()
    page.goto(f"/#/tracks/{ready_track['id']}")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page).to_have_title(f"{TITLE} · tonearm")
    page.get_by_text("Details", exact=True).click()
    expect(page.get_by_test_id("rungs")).to_have_text(re.compile(r"\d+ kbps"))


def test_upload_view_on_a_phone_keeps_a_long_name_inside(
    pages: Pages, tonearm: Server, tmp_path: Path
) -> None:
    page = pages.open(tonearm, viewport=PHONE)
    page.goto("/#/upload")
    expect(page.get_by_role("heading", name="Add music")).to_be_visible()
    long_name = "Live_at_the_Grand_Hall_" * 8 + "remastered_bonus_edition.png"
    page.get_by_test_id("file-input").set_input_files(
        files=[{"name": long_name, "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" * 8}]
    )
    row = page.get_by_test_id("upload").filter(has_text="Live_at_the_Grand_Hall_")
    expect(row.get_by_test_id("upload-status")).to_contain_text("not an audio file")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    expect(page.get_by_test_id("toggle")).to_be_in_viewport()
    expect(page.get_by_role("navigation", name="Sections")).to_be_in_viewport()

    # A folder: only its audio is queued (not the cover, not the notes).
    folder = tmp_path / "An Album"
    folder.mkdir()
    make_audio(folder / "01 First.flac", seconds=2)
    (folder / "cover.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 64)
    (folder / "notes.txt").write_text("ripped with care")
    page.get_by_test_id("folder-input").set_input_files(folder)
    expect(page.get_by_test_id("upload").filter(has_text="01 First.flac")).to_be_visible()
    expect(page.get_by_test_id("upload").filter(has_text="cover.jpg")).to_have_count(0)
    expect(page.get_by_test_id("upload").filter(has_text="notes.txt")).to_have_count(0)


def test_keyboard_focus_never_lands_under_the_player_bar(
    pages: Pages, tonearm: Server, ready_track: dict[str, Any]
) -> None:
    page = pages.open(tonearm, viewport=PHONE)
    many = [
        {**ready_track, "id": f"fake{i}", "title": f"Filler {i}", "editable": False}
        for i in range(30)
    ]

    def first_page(route: Route) -> None:
        body = {"items": many, "next_cursor": None, "total": len(many)}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(re.compile(r"/api/tracks\?limit=100$"), first_page)
    page.goto("/")
    expect(page.get_by_test_id("track")).to_have_count(30)
    page.locator("body").click(position={"x": 5, "y": 5})
    hidden: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                if (el.closest('.player, .tabbar')) return null;
                const r = el.getBoundingClientRect();
                const bar = document.querySelector('.player').getBoundingClientRect();
                return {label: el.getAttribute('aria-label') || el.textContent.trim(),
                        bottom: r.bottom, top: r.top, bar: bar.top};
            }"""
        )
        if where and where["bottom"] > where["bar"] + 0.5:
            hidden.append(f"{where['label']} ({where['bottom']:.0f} > {where['bar']:.0f})")
    assert not hidden, f"focus went under the player bar: {hidden[:5]}"


def test_space_plays_and_pauses_after_a_click_on_the_waveform_and_lengths_agree(
    page: Page, ready_track: dict[str, Any]
) -> None:
    page.goto("/")
    row = page.get_by_test_id("track").filter(has_text=TITLE)
    row.get_by_role("button", name=f"Play {TITLE}").click()
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.3")
    expect(page).to_have_title(f"{TITLE} · Low Hum")
    waveform = page.get_by_test_id("waveform")
    box = waveform.bounding_box()
    assert box is not None
    waveform.click(position={"x": box["width"] * 0.5, "y": box["height"] / 2})
    page.keyboard.press(" ")
    expect(page.get_by_test_id("toggle")).to_have_attribute("aria-label", "Play")
    page.keyboard.press(" ")
    expect(page.get_by_test_id("toggle")).to_have_attribute("aria-label", "Pause")

    # The list and the player show one length: the probe's, rounded down.
    seconds = int(ready_track["duration"])
    shown = f"{seconds // 60}:{seconds % 60:02d}"
    expect(row.locator(".track-duration")).to_have_text(shown)
    expect(page.get_by_test_id("duration")).to_have_text(shown)

    # The large view opens from the bar and closes with Escape.
    page.get_by_test_id("open-now-playing").click()
    expect(page.get_by_test_id("now-playing")).to_be_visible()
    expect(page.get_by_test_id("now-playing").get_by_role("heading", name=TITLE)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("now-playing")).to_have_count(0)


VIEWS = [
    ("home", "/"),
    ("albums", "/#/albums"),
    ("album", "/#/albums/{album}"),
    ("artists", "/#/artists"),
    ("artist", "/#/artists/{artist}"),
    ("tracks", "/#/tracks"),
    ("track", "/#/tracks/{id}"),
    ("playlists", "/#/playlists"),
    ("playlist", "/#/playlists/{playlist}"),
    ("playlist-join", "/#/playlists/join/{code}"),
    ("liked", "/#/liked"),
    ("queue", "/#/queue"),
    ("live", "/#/live"),
    ("charts", "/#/charts"),
    ("history", "/#/history"),
    ("stats", "/#/stats"),
    ("upload", "/#/upload"),
    ("settings", "/#/settings"),
    ("admin", "/#/admin"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_view_is_accessible_and_fits_desktop_and_phone(
    page: Page,
    tonearm: Server,
    ready_track: dict[str, Any],
    album_tracks: list[dict[str, Any]],
    screenshots: Path,
    scheme: str,
) -> None:
    playlist = new_playlist(tonearm, f"Evening ({scheme})", [ready_track, *album_tracks])
    invite = tonearm.http.post(f"/api/playlists/{playlist}/invites", json={"role": "viewer"})
    assert invite.status_code in (200, 201), invite.text
    # Something in the queue and a comment on the track: those parts are drawn too.
    tonearm.http.put(
        "/api/queue",
        json={"track_ids": [t["id"] for t in album_tracks], "current_index": 1, "position_s": 2},
    ).raise_for_status()
    tonearm.http.post(
        f"/api/tracks/{ready_track['id']}/comments", json={"position_s": 4, "body": "Lovely."}
    ).raise_for_status()
    page.emulate_media(color_scheme=scheme)
    for size, viewport in [("desktop", {**DESKTOP, "height": 800}), ("phone", PHONE)]:
        page.set_viewport_size(viewport)
        for name, place in VIEWS:
            page.goto(
                place.format(
                    id=ready_track["id"],
                    album=album_tracks[0]["album_id"],
                    artist=album_tracks[0]["artist_id"],
                    playlist=playlist,
                    code=invite.json()["code"],
                )
            )
            settled(page)
            alerts = page.get_by_role("alert").all_inner_texts()
            assert not alerts, f"{name}: {alerts}"
            assert_accessible(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than the {size} screen"
            page.screenshot(path=screenshots / f"view-{name}-{size}-{scheme}.png")


def test_the_track_table_draws_a_window_of_100k_rows_and_edits_a_selection(
    page: Page, ready_track: dict[str, Any]
) -> None:
    total = 100_000
    asked: list[dict[str, str]] = []
    patches: list[Any] = []

    def tracks(route: Route) -> None:
        request = route.request
        if request.method == "PATCH":
            body = request.post_data_json
            patches.append(body)
            items = [
                {**ready_track, "id": i, "title": f"Row {i[1:]}", **body["changes"]}
                for i in body["ids"]
            ]
            route.fulfill(
                status=200,
                content_type="application/json",
                body=json.dumps({"updated": len(items), "items": items}),
            )
            return
        query = dict(p.split("=", 1) for p in urlparse(request.url).query.split("&") if p)
        asked.append(query)
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
        items = [
            {**ready_track, "id": f"r{i}", "title": f"Row {i}", "editable": True}
            for i in range(offset, min(total, offset + limit))
        ]
        route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps({"items": items, "total": total}),
        )

    page.route(re.compile(r"/api/tracks(\?sort=.*)?$"), tracks)
    page.goto("/#/tracks")
    expect(page.get_by_test_id("tracks-total")).to_have_text("100000 tracks")
    expect(page.get_by_role("link", name="Row 0", exact=True)).to_be_visible()

    # Halfway down: the rows there arrive, and the page holds only a window of rows.
    page.evaluate(
        "() => { const body = document.querySelector('.table-body');"
        " window.scrollTo(0, body.offsetTop + 56 * 50000); }"
    )
    expect(page.get_by_role("link", name="Row 50000", exact=True)).to_be_attached()
    assert page.get_by_test_id("table-row").count() < 120
    assert {q["offset"] for q in asked} >= {"0", "49900", "50000"}

    # A column sorts; a second click turns the order around.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.get_by_role("button", name="Title").click()
    expect(page.get_by_role("columnheader", name="Title")).to_have_attribute(
        "aria-sort", "ascending"
    )
    page.get_by_role("button", name="Title").click()
    expect(page.get_by_role("columnheader", name="Title")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert (asked[-1]["sort"], asked[-1]["order"]) == ("title", "desc")

    # Click, then Shift-click: three rows; their tags change together, filled fields only.
    page.get_by_role("checkbox", name="Select Row 1", exact=True).click()
    page.get_by_role("checkbox", name="Select Row 3", exact=True).click(modifiers=["Shift"])
    expect(page.get_by_role("region", name="Selected tracks")).to_contain_text("3 selected")
    page.get_by_role("region", name="Selected tracks").get_by_role(
        "button", name="Edit tags"
    ).click()
    dialog = page.get_by_test_id("bulk-editor")
    dialog.get_by_label("Genre").fill("Drone")
    dialog.get_by_label("Year").fill("1999")
    assert_accessible(page)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    assert patches == [{"ids": ["r1", "r2", "r3"], "changes": {"genre": "Drone", "year": 1999}}]


# ---- the real server's playlists, queue and comments -------------------------------------

ROOMS = ["First Room", "Second Room", "Third Room"]
ALBUM = "Three Rooms"


@pytest.fixture(scope="module")
def album_tracks(tonearm: Server, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Three short tracks of one album, numbered 1 to 3 in their tags."""
    folder = tmp_path_factory.mktemp("album")
    ids = []
    for number, title in enumerate(ROOMS, start=1):
        path = make_audio(
            folder / f"{number:02d}.flac",
            seconds=8,
            frequency=220.0 * number,
            extra=[
                *("-metadata", f"title={title}"),
                *("-metadata", "artist=Low Hum"),
                *("-metadata", f"album={ALBUM}"),
                *("-metadata", f"track={number}"),
            ],
        )
        response = tonearm.upload(path)
        assert response.status_code in (200, 201), response.text
        ids.append(response.json()["id"])
    return [tonearm.wait_ready(i) for i in ids]


def new_playlist(tonearm: Server, name: str, tracks: list[dict[str, Any]]) -> str:
    made = tonearm.http.post("/api/playlists", json={"name": name})
    assert made.status_code == 201, made.text
    playlist_id: str = made.json()["id"]
    added = tonearm.http.post(
        f"/api/playlists/{playlist_id}/items", json={"track_ids": [t["id"] for t in tracks]}
    )
    assert added.status_code in (200, 201), added.text
    return playlist_id


def server_order(tonearm: Server, playlist_id: str) -> list[str]:
    items = tonearm.http.get(f"/api/playlists/{playlist_id}/items").json()["items"]
    return [item["track"]["title"] for item in items]


def test_real_places_have_addresses_and_the_back_button_walks_them(
    page: Page, tonearm: Server, album_tracks: list[dict[str, Any]]
) -> None:
    playlist_id = new_playlist(tonearm, "Walking", album_tracks[:1])
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Playlists").click()
    expect(page).to_have_url(re.compile(r"#/playlists$"))
    page.get_by_role("link", name="Walking").first.click()
    expect(page).to_have_url(re.compile(f"#/playlists/{playlist_id}$"))
    expect(page.get_by_role("heading", name="Walking")).to_be_visible()
    page.get_by_role("link", name="Queue").first.click()
    expect(page).to_have_url(re.compile(r"#/queue$"))
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Walking")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"#/playlists$"))
    expect(page.get_by_role("heading", name="Your playlists")).to_be_visible()
    page.go_forward()
    expect(page.get_by_role("heading", name="Walking")).to_be_visible()
    # A deep link, then a reload, open the place.
    page.goto(f"/#/tracks/{album_tracks[1]['id']}")
    expect(page.get_by_role("heading", name=ROOMS[1])).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name=ROOMS[1])).to_be_visible()


def test_a_playlist_is_reordered_by_dragging_and_the_server_keeps_the_order(
    page: Page, tonearm: Server, album_tracks: list[dict[str, Any]]
) -> None:
    playlist_id = new_playlist(tonearm, "Dragged", album_tracks)
    page.goto(f"/#/playlists/{playlist_id}")
    items = page.get_by_test_id("playlist-item")
    expect(items).to_have_count(3)
    handle = items.nth(2).get_by_role("button", name=f"Move {ROOMS[2]}", exact=True)
    grip = handle.bounding_box()
    first = items.nth(0).bounding_box()
    assert grip is not None and first is not None
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(grip["x"] + grip["width"] / 2, first["y"] + 4, steps=12)
    page.mouse.up()
    expect(items.nth(0)).to_contain_text(ROOMS[2])
    expected = [ROOMS[2], ROOMS[0], ROOMS[1]]
    deadline = time.monotonic() + 10
    while server_order(tonearm, playlist_id) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server_order(tonearm, playlist_id) == expected
    # The page after a reload shows the server's order.
    page.reload()
    expect(items.nth(0)).to_contain_text(ROOMS[2])
    expect(items.nth(2)).to_contain_text(ROOMS[1])


def seek_bar_to(page: Page, seconds: float, duration: float) -> None:
    """Press the player bar's waveform where `seconds` is."""
    wave = page.get_by_test_id("player").get_by_test_id("waveform")
    box = wave.bounding_box()
    assert box is not None
    wave.click(position={"x": box["width"] * seconds / duration, "y": box["height"] / 2})


def test_the_queue_is_restored_after_a_reload_at_the_same_second(
    page: Page, tonearm: Server, album_tracks: list[dict[str, Any]]
) -> None:
    playlist_id = new_playlist(tonearm, "Restored", album_tracks)
    page.goto(f"/#/playlists/{playlist_id}")
    page.locator("main").get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_test_id("now-title")).to_have_text(ROOMS[0])
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.2")
    page.get_by_test_id("toggle").click()
    expect(page.get_by_test_id("toggle")).to_have_attribute("aria-label", "Play")
    seek_bar_to(page, 5.5, album_tracks[0]["duration"])
    expect(page.get_by_test_id("elapsed")).to_have_text("0:05")
    # The server holds the queue (saved a second after it changed).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        saved = tonearm.http.get("/api/queue").json()
        if saved["track_ids"] == [t["id"] for t in album_tracks]:
            break
        time.sleep(0.2)
    assert saved["track_ids"] == [t["id"] for t in album_tracks]

    page.reload()
    expect(page.get_by_test_id("now-title")).to_have_text(ROOMS[0])
    expect(page.get_by_test_id("elapsed")).to_have_text("0:05")
    expect(page.get_by_test_id("toggle")).to_have_attribute("aria-label", "Play")
    page.wait_for_function("() => Math.floor(document.querySelector('audio').currentTime) === 5")
    # The queue view lists it, the current entry marked; Next follows it.
    page.get_by_role("link", name="Queue").first.click()
    entries = page.get_by_test_id("queue-entry")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_have_attribute("aria-current", "true")
    page.get_by_test_id("player").get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("now-title")).to_have_text(ROOMS[1])
    expect(entries.nth(1)).to_have_attribute("aria-current", "true")


def test_a_comment_is_made_at_the_playing_second_marked_and_plays_from_there(
    page: Page, album_tracks: list[dict[str, Any]]
) -> None:
    track = album_tracks[2]
    page.goto(f"/#/tracks/{track['id']}")
    comments = page.get_by_test_id("comments")
    expect(comments.get_by_text("No comments yet.")).to_be_visible()
    page.locator("main").get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_test_id("now-title")).to_have_text(ROOMS[2])
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.2")
    page.get_by_test_id("toggle").click()
    wave = comments.get_by_test_id("waveform")
    box = wave.bounding_box()
    assert box is not None
    wave.click(position={"x": box["width"] * 3.5 / track["duration"], "y": box["height"] / 2})
    expect(comments.get_by_text("Comment at 0:03")).to_be_visible()
    comments.get_by_label("Comment at 0:03").fill("the hum gets louder here")
    comments.get_by_role("button", name="Post").click()
    expect(comments.get_by_test_id("comment")).to_have_count(1)
    expect(comments.get_by_test_id("comment")).to_contain_text("the hum gets louder here")
    expect(comments.locator(".wave-marker")).to_have_count(1)
    # Elsewhere in the track, then the comment's time: playback goes back there.
    wave.click(position={"x": box["width"] * 0.9, "y": box["height"] / 2})
    expect(page.get_by_test_id("elapsed")).not_to_have_text("0:03")
    comments.get_by_role("button", name="Play from 0:03").click()
    expect(page.get_by_test_id("elapsed")).to_have_text(re.compile(r"0:0[34]"))
    # A reload shows the comment and its mark.
    page.reload()
    expect(comments.get_by_test_id("comment")).to_have_count(1)
    expect(comments.locator(".wave-marker")).to_have_count(1)


def test_an_album_plays_in_track_order_through_the_queue(
    page: Page, tonearm: Server, album_tracks: list[dict[str, Any]]
) -> None:
    page.goto(f"/#/albums/{album_tracks[0]['album_id']}")
    expect(page.get_by_role("heading", name=ALBUM)).to_be_visible()
    expect(page.get_by_test_id("track")).to_have_count(3)
    page.locator("main").get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_test_id("now-title")).to_have_text(ROOMS[0])
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.2")
    page.get_by_test_id("player").get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("now-title")).to_have_text(ROOMS[1])
    # The album is the queue the server keeps, its second track current.
    ids = [t["id"] for t in album_tracks]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        saved = tonearm.http.get("/api/queue").json()
        if saved["track_ids"] == ids and saved["current_index"] == 1:
            break
        time.sleep(0.2)
    assert (saved["track_ids"], saved["current_index"]) == (ids, 1)
    page.get_by_test_id("toggle").click()


def test_a_tag_edit_shows_in_the_albums(
    page: Page, tonearm: Server, ready_track: dict[str, Any]
) -> None:
    page.goto(f"/#/tracks/{ready_track['id']}")
    page.locator("main").get_by_role("button", name="Edit tags").click()
    editor = page.get_by_test_id("tag-editor")
    editor.get_by_label("Album", exact=True).fill("Hallways")
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_have_count(0)
    expect(page.locator("main").get_by_role("link", name="Hallways")).to_be_visible()
    assert tonearm.track(ready_track["id"])["album"] == "Hallways"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Albums").click()
    page.get_by_role("link", name="Hallways").click()
    expect(page.get_by_role("heading", name="Hallways")).to_be_visible()
    expect(page.get_by_test_id("track").filter(has_text=TITLE)).to_have_count(1)
