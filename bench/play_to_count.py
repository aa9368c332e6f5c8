"""Time from a play starting in one browser to the live count changing in another.

    .venv/bin/python bench/play_to_count.py [--runs 10]

A real `tonearm serve` (embedded default: SQLite, in-memory presence) and Debian's
Chromium. A watcher (the admin) keeps the track's page open; a listener's page presses
Play. Measured per run, on the one machine clock both pages share:

  (a) play → count: from the press of Play to the watcher's "N listening now" badge
      changing (the target is < 2 s);
  (b) baseline: from the press of Play to the listener's own audio element reporting
      `playing` (the time any player needs before there is anything to count).

Each run the listener pauses and the badge goes back before the next press. Prints
p50/p95 of both and (a) - (b), the part the live path adds. Needs Debian's chromium
(scripts/bootstrap.sh --dev).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, expect, sync_playwright
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    MEMBER_PASSWORD,
    make_member,
    sign_in,
)
from tests.fixtures.audio import make_audio
from tests.fixtures.database import fresh_database
from tests.fixtures.server import Server

WATCH = """() => {
  window.__badgeAt = null;
  const seen = () => {
    const badge = document.querySelector('section.hero [data-testid="live-count"]');
    if (badge && badge.dataset.listeners === '1' && window.__badgeAt === null) {
      window.__badgeAt = performance.timeOrigin + performance.now();
    }
  };
  const all = {subtree: true, childList: true, attributes: true, characterData: true};
  new MutationObserver(seen).observe(document.body, all);
}"""

ARM = """() => {
  window.__playingAt = null;
  document.querySelector('audio').addEventListener('playing', () => {
    window.__playingAt = performance.timeOrigin + performance.now();
  }, {once: true});
  return performance.timeOrigin + performance.now();
}"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def open_track(page: Page, track_id: str) -> None:
    with page.expect_response(lambda r: "/api/events" in r.url and r.status == 200):
        page.goto(f"/#/tracks/{track_id}")
    page.locator("section.hero").wait_for()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_database("sqlite", Path(tmp)) as url:
        server = Server(Path(tmp) / "data", url)
        try:
            audio = make_audio(Path(tmp) / "bench.flac", seconds=120)
            made = server.upload(audio)
            made.raise_for_status()
            track = server.wait_ready(made.json()["id"])
            server.http.patch(
                f"/api/tracks/{track['id']}", json={"visibility": "public"}
            ).raise_for_status()
            make_member(server, "bench-listener").close()
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                watcher_ctx = browser.new_context(viewport=DESKTOP, base_url=server.url)
                sign_in(watcher_ctx)
                listener_ctx = browser.new_context(viewport=DESKTOP, base_url=server.url)
                sign_in(listener_ctx, "bench-listener", MEMBER_PASSWORD)
                watcher, listener = watcher_ctx.new_page(), listener_ctx.new_page()
                open_track(watcher, track["id"])
                open_track(listener, track["id"])
                badge = watcher.locator("section.hero").get_by_test_id("live-count")
                counted: list[float] = []
                playing: list[float] = []
                for _ in range(args.runs):
                    expect(badge).to_have_count(0, timeout=20_000)
                    watcher.evaluate(WATCH)
                    pressed = listener.evaluate(ARM)  # the press follows at once
                    hero = listener.locator("section.hero")
                    hero.get_by_role("button", name="Play", exact=True).click()
                    listener.wait_for_function("() => window.__playingAt !== null", timeout=20_000)
                    watcher.wait_for_function("() => window.__badgeAt !== null", timeout=20_000)
                    counted.append(watcher.evaluate("() => window.__badgeAt") - pressed)
                    playing.append(listener.evaluate("() => window.__playingAt") - pressed)
                    print(f"run {len(counted)}: {counted[-1]:.0f} ms", flush=True)
                    listener.locator("section.hero").get_by_role(
                        "button", name="Pause", exact=True
                    ).click()
                browser.close()
        finally:
            server.stop()
    added = [c - p for c, p in zip(counted, playing, strict=True)]
    print(f"runs: {args.runs} (one listener, one watcher, embedded default)")
    for name, values in (
        ("(a) play -> count in another browser", counted),
        ("(b) baseline: play -> own audio playing", playing),
        ("(a) - (b): what the live path adds", added),
    ):
        print(
            f"{name:44s} p50 {statistics.median(values):7.0f} ms   p95 {pct(values, 0.95):7.0f} ms"
        )
    print(f"target (a) p95 < 2000 ms: {'met' if pct(counted, 0.95) < 2000 else 'NOT met'}")


if __name__ == "__main__":
    main()
