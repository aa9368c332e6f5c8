"""Search, similar tracks and radio in the page, against the real server: the Ctrl+K
palette finds a track typed without its accents and plays it with Enter; the search page
keeps its text in the address; a track's page lists what sounds like it; Start radio
fills the queue and the queue says a radio plays.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, require_browser
from tests.fixtures.audio import make_audio
from tests.fixtures.server import Server

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.e2e

SEED = "Sérénade Mélancolique"

# Two families that sound alike within and apart between: pure tones and noise.
CATALOGUE = [
    (SEED, "Zoë Arcane", "tone", 440.0),
    ("Lantern Hymn", "Brightwater", "tone", 660.0),
    ("Gravel Storm", "Stonefield", "noise", 0.0),
    ("Rust Fields", "Oxide", "anoisesrc=color=brown:sample_rate=44100:duration=20:seed=3", 0.0),
]


@pytest.fixture(scope="module")
def catalogue(tonearm: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Title -> id of four processed tracks whose sound is analysed (similar is not pending)."""
    folder = tmp_path_factory.mktemp("search-radio")
    ids: dict[str, str] = {}
    for n, (title, artist, source, frequency) in enumerate(CATALOGUE):
        path = make_audio(
            folder / f"{n}.flac",
            seconds=20,
            source=source,
            frequency=frequency or 440.0,
            extra=["-metadata", f"title={title}", "-metadata", f"artist={artist}"],
        )
        response = tonearm.upload(path)
        assert response.status_code in (200, 201), response.text
        ids[title] = tonearm.wait_ready(response.json()["id"])["id"]
    deadline = time.monotonic() + 120
    for track_id in ids.values():
        while True:
            answer: dict[str, Any] = tonearm.http.get(f"/api/tracks/{track_id}/similar").json()
            if not answer["pending"]:
                break
            assert time.monotonic() < deadline, f"{track_id} was never analysed"
            time.sleep(0.3)
    return ids


def test_ctrl_k_finds_a_track_typed_without_accents_and_enter_plays_it(
    page: Page, catalogue: dict[str, str]
) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Your music")).to_be_visible()
    page.keyboard.press("Control+k")
    palette = page.get_by_test_id("search-palette")
    expect(palette).to_be_visible()
    field = palette.get_by_role("combobox")
    expect(field).to_be_focused()

    field.press_sequentially("serenade melanc", delay=30)
    first = palette.get_by_test_id("search-option").first
    expect(first).to_have_attribute("data-kind", "track")
    expect(first).to_contain_text(SEED)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", "palette-results-0")
    assert_accessible(page)

    # The arrows move across the results (and wrap); Escape closes, focus comes back.
    field.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "false")
    field.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")

    field.press("Enter")
    expect(palette).to_have_count(0)
    expect(page.get_by_test_id("now-title")).to_have_text(SEED)
    expect(page.get_by_test_id("toggle")).to_have_attribute("aria-label", "Pause")


def test_a_typo_still_finds_the_track(page: Page, catalogue: dict[str, str]) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Your music")).to_be_visible()
    page.get_by_test_id("open-search").click()
    field = page.get_by_test_id("search-palette").get_by_role("combobox")
    field.press_sequentially("lantern hymm", delay=30)
    first = page.get_by_test_id("search-option").first
    expect(first).to_contain_text("Lantern Hymn")
    # "See all" opens the search page with the text in its address.
    page.get_by_test_id("search-option").filter(has_text="See all results").click()
    expect(page).to_have_url(re.compile(r"#/search\?q=lantern\+hymm$"))
    results = page.get_by_test_id("search-results")
    expect(results.get_by_test_id("search-option").first).to_contain_text("Lantern Hymn")
    # A kind as a tab: the address follows, and a reload keeps both.
    page.get_by_role("tab", name="Tracks").click()
    expect(page).to_have_url(re.compile(r"#/search\?q=lantern\+hymm&type=tracks$"))
    page.reload()
    expect(page.get_by_role("tab", name="Tracks")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("search-page-input")).to_have_value("lantern hymm")
    expect(results.get_by_test_id("search-option").first).to_contain_text("Lantern Hymn")
    assert_accessible(page)
    # The correction the server used is offered, and taking it searches for it.
    offer = page.get_by_test_id("did-you-mean")
    expect(offer).to_contain_text("lantern hymn")
    offer.get_by_role("button").click()
    expect(page.get_by_test_id("search-page-input")).to_have_value("lantern hymn")
    expect(page).to_have_url(re.compile(r"#/search\?q=lantern\+hymn&type=tracks$"))
    expect(offer).to_be_hidden()


def test_the_track_page_lists_similar_tracks_and_start_radio_fills_the_queue(
    page: Page, catalogue: dict[str, str]
) -> None:
    page.goto(f"/#/tracks/{catalogue[SEED]}")
    expect(page.get_by_role("heading", name=SEED)).to_be_visible()
    similar = page.get_by_test_id("similar")
    rows = similar.get_by_test_id("track")
    expect(rows.first).to_be_visible()
    titles = rows.locator(".track-title").all_inner_texts()
    assert SEED not in titles
    # The other tone is nearer than either noise.
    assert titles[0] == "Lantern Hymn", titles

    page.locator("main .hero").get_by_test_id("start-radio").click()
    expect(page.get_by_test_id("now-title")).not_to_have_text("Nothing playing")
    page.get_by_test_id("player").get_by_role("link", name="Queue").click()
    expect(page.get_by_test_id("queue-radio")).to_be_visible()
    expect(page.get_by_test_id("queue-radio")).to_contain_text(re.compile("radio", re.I))
    assert page.get_by_test_id("queue-entry").count() >= 2
    expect(page.get_by_test_id("radio-dislike")).to_be_visible()
    page.get_by_role("button", name="Stop the radio").click()
    expect(page.get_by_test_id("queue-radio")).to_have_count(0)
