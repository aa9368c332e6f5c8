"""The web player: click-to-sound in Chromium on loopback, and the first-load bundle size.

    .venv/bin/python bench/player.py [--runs 9] [--seconds 60] [--press-ms 0 --press-ms 100]

Starts a real `tonearm serve` on a scratch data directory, uploads a generated track and
waits until it is ready. Then, `--runs` times, opens the page in a fresh browser context
(empty cache) signed in as the server's admin (session cookie from `POST /api/auth/login`;
if the page still shows no track list, this part is skipped with a message), waits for
the track list (and for the network to go quiet, so hls.js has been preloaded as it is
for a person who looks before clicking), clicks the track's play button and measures,
inside the page, from the click event to the first `timeupdate` with `currentTime > 0`.
Prints the median, the spread and the HLS level that played. It does so twice: with a
synthetic instant click (pointerdown and click together) and with a 100 ms press, about
a person's; the page opens the audio device and starts loading the track on the press,
so the press overlaps start-up work.

The size figure is the gzip (level 9) size of the JS and CSS that src/tonearm/web/index.html
loads: the first load. hls.js (first play) and tus-js-client (first upload) are lazy
chunks, listed separately. Needs Debian's /usr/bin/chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import BrowserContext, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.fixtures.audio import make_audio
from tests.fixtures.server import ADMIN, PASSWORD, Server

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "tonearm" / "web"
CLICK_TO_SOUND_TARGET_MS = 300
TRACK_LIST_WAIT_MS = 15_000
FIRST_LOAD_TARGET_KB = 60

# Measured inside the page, on its own clock: the press (pointerdown), the click, the
# 'playing' event, and the first timeupdate that reports progress.
MEASURE = """() => {
    const audio = document.querySelector('audio');
    const t = {};
    document.addEventListener('pointerdown', (e) => { t.down ??= e.timeStamp; }, {capture: true});
    document.addEventListener('click', (e) => { t.click ??= e.timeStamp; }, {capture: true});
    audio.addEventListener('playing', () => { t.playing ??= performance.now(); });
    const tick = () => {
        if (t.click !== undefined && audio.currentTime > 0) {
            audio.removeEventListener('timeupdate', tick);
            t.sound = performance.now();
            window.__clickToSound = t;
        }
    };
    audio.addEventListener('timeupdate', tick);
}"""


class PageNotSignedIn(Exception):
    """The page showed no track list although the browser holds the admin's session."""


def sign_in(context: BrowserContext, url: str) -> None:
    """The admin's session cookie in this browser context, set through the API (the
    context's request client shares its cookies), so the bench does not depend on how
    the page's own sign-in form looks."""
    r = context.request.post(
        f"{url}/api/auth/login", data={"username": ADMIN, "password": PASSWORD}
    )
    if not r.ok:
        raise SystemExit(f"sign-in as {ADMIN!r} failed: {r.status} {r.text()}")


class Run:
    def __init__(self, t: dict[str, float]) -> None:
        self.click_to_sound = t["sound"] - t["click"]
        self.press_to_sound = t["sound"] - t["down"]
        self.click_to_playing = t["playing"] - t["click"]


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def bundle_sizes() -> tuple[dict[str, int], dict[str, int]]:
    index = (WEB / "index.html").read_text()
    first = sorted(set(re.findall(r'(?:src|href)="/assets/([^"]+\.(?:js|css))"', index)))
    first_load = {name: gzip_size(WEB / "assets" / name) for name in first}
    lazy = {
        p.name: gzip_size(p)
        for p in sorted((WEB / "assets").iterdir())
        if p.suffix in (".js", ".css") and p.name not in first_load
    }
    return first_load, lazy


def click_to_sound(url: str, title: str, runs: int, press_ms: int) -> tuple[list[Run], str]:
    times: list[Run] = []
    level = ""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            sign_in(context, url)
            page = context.new_page()
            page.goto(url, wait_until="networkidle")
            button = page.get_by_role("button", name=f"Play {title}")
            try:
                button.wait_for(timeout=TRACK_LIST_WAIT_MS)
            except PlaywrightTimeout:
                raise PageNotSignedIn from None
            page.wait_for_load_state("networkidle")
            page.evaluate(MEASURE)
            button.click(delay=press_ms)
            page.wait_for_function("() => window.__clickToSound !== undefined", timeout=30_000)
            times.append(Run(page.evaluate("window.__clickToSound")))
            level = page.get_by_test_id("level").inner_text()
            context.close()
        browser.close()
    return times, level


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the test track")
    parser.add_argument(
        "--press-ms",
        type=int,
        action="append",
        help="time between pointerdown and click; repeatable (default: 0, a synthetic instant"
        " click, and 100, about a person's press)",
    )
    args = parser.parse_args()

    first_load, lazy = bundle_sizes()
    total = sum(first_load.values())
    print("first-load JS + CSS (gzip -9), as index.html loads it:")
    for name, size in first_load.items():
        print(f"  {name:32} {size / 1024:6.1f} KB")
    verdict = "ok" if total / 1024 < FIRST_LOAD_TARGET_KB else "OVER TARGET"
    print(f"  {'total':32} {total / 1024:6.1f} KB   target < {FIRST_LOAD_TARGET_KB} KB: {verdict}")
    print("lazy chunks (not in the first load):")
    for name, size in lazy.items():
        print(f"  {name:32} {size / 1024:6.1f} KB")

    if not CHROMIUM.exists():
        sys.exit(f"click-to-sound needs {CHROMIUM} (scripts/bootstrap.sh --dev)")
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-player-") as tmp:
        work = Path(tmp)
        title = "Bench Tone"
        track = make_audio(
            work / "bench.flac", seconds=args.seconds, extra=["-metadata", f"title={title}"]
        )
        (work / "data").mkdir()
        server = Server(work / "data", f"sqlite:///{work / 'tonearm.db'}")
        try:
            response = server.upload(track)
            response.raise_for_status()
            server.wait_ready(response.json()["id"])
            results = [
                (press, *click_to_sound(server.url, title, args.runs, press))
                for press in args.press_ms or [0, 100]
            ]
        except PageNotSignedIn:
            print(
                f"click-to-sound skipped: with {ADMIN!r}'s session cookie in the browser, the "
                f"page showed no 'Play {title}' button within {TRACK_LIST_WAIT_MS // 1000} s. "
                "The page's sign-in is being reworked; rerun once it shows the track list to "
                "a signed-in browser."
            )
            return
        finally:
            server.stop()
    for press, runs, level in results:
        report(runs, level, press)


def report(runs: list[Run], level: str, press_ms: int) -> None:
    times = [r.click_to_sound for r in runs]
    median = statistics.median(times)
    verdict = "ok" if median < CLICK_TO_SOUND_TARGET_MS else "OVER TARGET"
    print(
        f"click-to-sound, Chromium, {len(runs)} runs on loopback, press {press_ms} ms,"
        f" played {level}:"
    )
    print(
        f"  click → first timeupdate with currentTime > 0, runs (ms): "
        f"{' '.join(f'{t:.0f}' for t in times)}"
    )
    print(
        f"  median {median:.0f} ms  min {min(times):.0f}  max {max(times):.0f}"
        f"   target < {CLICK_TO_SOUND_TARGET_MS} ms: {verdict}"
    )
    press = statistics.median(r.press_to_sound for r in runs)
    playing = statistics.median(r.click_to_playing for r in runs)
    print(f"  median press (pointerdown) → first timeupdate: {press:.0f} ms")
    print(
        f"  median click → 'playing' event: {playing:.0f} ms (Chromium fires timeupdate every"
        f" 250 ms while playing, so the first one with currentTime > 0 comes ~250 ms later)"
    )


if __name__ == "__main__":
    main()
