"""The web player's track table (#/tracks) with 100 000 rows: frame times while scrolling.

    .venv/bin/python bench/web_scroll.py [--rows 100000] [--seconds 3] [--runs 3]

Starts a real `tonearm serve` on a scratch data directory (the page, its bundle and one
real track, whose shape every stand-in row copies). In Chromium, signed in as the
server's admin, the page's track pages (`GET /api/tracks?sort=...&offset&limit`) are
answered by Playwright route interception with `--rows` stand-in rows, so the table
believes it holds that many. The mouse wheel then scrolls the table down for `--seconds`
(a notch of 100 px, then 16 ms; each notch is a round trip to the browser, so the
pace is what the machine allows), while a requestAnimationFrame loop in the page records
the time between frames. A second pass, "fling", scrolls from inside the page by 2 000 px
every frame (thousands of rows, a new page of rows fetched every few frames). Prints the
frame-time p50, p95 and max, the share of frames over 25 ms (a frame dropped at 60 Hz)
and 50 ms, how many rows the page held at the end, and how far it scrolled.

Headless Chromium with `--disable-gpu` draws in software: the figures are an upper bound
of what a desktop browser with a GPU shows. Needs Debian's /usr/bin/chromium and the
playwright package.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, Route, sync_playwright
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.fixtures.audio import make_audio
from tests.fixtures.server import ADMIN, PASSWORD, Server

NOTCH_PX = 100
NOTCH_EVERY_S = 0.016

RECORD = """() => {
    window.__frames = [];
    window.__stopFrames = false;
    let last = performance.now();
    const step = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (!window.__stopFrames) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
}"""


def stand_in(template: dict[str, Any], rows: int):  # type: ignore[no-untyped-def]
    """A route handler answering the track pages with `rows` rows shaped like `template`."""

    def answer(route: Route) -> None:
        query = parse_qs(urlparse(route.request.url).query)
        offset = int(query.get("offset", ["0"])[0])
        limit = int(query.get("limit", ["100"])[0])
        items = [
            {
                **template,
                "id": f"r{i:06d}",
                "title": f"Row {i}",
                "artist": f"Artist {i % 997}",
                "album": f"Album {i % 4001}",
                "year": 1960 + i % 60,
            }
            for i in range(offset, min(rows, offset + limit))
        ]
        route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps({"items": items, "total": rows, "next_cursor": None}),
        )

    return answer


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


FLING = """(seconds) => new Promise((done) => {
    const end = performance.now() + seconds * 1000;
    const step = (now) => {
        window.scrollBy(0, 2000);
        if (now < end) requestAnimationFrame(step); else done();
    };
    requestAnimationFrame(step);
})"""


def scroll_once(page: Page, seconds: float, fling: bool) -> dict[str, float]:
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    table = page.locator(".table-body")
    box = table.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, 400)
    page.evaluate(RECORD)
    start = time.monotonic()
    if fling:
        page.evaluate(FLING, seconds)
    while not fling and time.monotonic() - start < seconds:
        page.mouse.wheel(0, NOTCH_PX)
        time.sleep(NOTCH_EVERY_S)
    page.evaluate("() => { window.__stopFrames = true; }")
    page.wait_for_timeout(100)
    frames: list[float] = page.evaluate("() => window.__frames.slice(1)")
    return {
        "frames": len(frames),
        "p50": statistics.median(frames),
        "p95": percentile(frames, 95),
        "max": max(frames),
        "over25": sum(f > 25 for f in frames) / len(frames) * 100,
        "over50": sum(f > 50 for f in frames) / len(frames) * 100,
        "scrolled": page.evaluate("() => window.scrollY"),
        "dom_rows": page.locator("[data-testid=table-row]").count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"needs {CHROMIUM} (scripts/bootstrap.sh --dev)")

    with tempfile.TemporaryDirectory(prefix="tonearm-bench-scroll-") as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        server = Server(work / "data", f"sqlite:///{work / 'tonearm.db'}")
        try:
            response = server.upload(make_audio(work / "template.flac", seconds=2))
            response.raise_for_status()
            template = server.wait_ready(response.json()["id"])
            template = {**template, "editable": True, "genres": [], "liked": False}
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(viewport=DESKTOP, base_url=server.url)
                signed = context.request.post(
                    "/api/auth/login", data={"username": ADMIN, "password": PASSWORD}
                )
                assert signed.ok, signed.text()
                page = context.new_page()
                page.route(re.compile(r"/api/tracks\?(.*&)?sort="), stand_in(template, args.rows))
                page.goto("/#/tracks")
                page.get_by_test_id("tracks-total").wait_for()
                page.get_by_role("link", name="Row 0", exact=True).wait_for()
                passes = {
                    mode: [
                        scroll_once(page, args.seconds, mode == "fling") for _ in range(args.runs)
                    ]
                    for mode in ("wheel", "fling")
                }
                browser.close()
        finally:
            server.stop()

    print(
        f"#/tracks with {args.rows} rows, Chromium (headless, software drawing), "
        f"{DESKTOP['width']}x{DESKTOP['height']}, {args.seconds:.0f} s a run; wheel: "
        f"{NOTCH_PX} px notches as fast as the browser takes them; fling: 2000 px a frame"
    )
    for mode, runs in passes.items():
        for i, r in enumerate(runs, start=1):
            print(
                f"  {mode} {i}: {r['frames']:4.0f} frames  p50 {r['p50']:5.1f} ms"
                f"  p95 {r['p95']:5.1f} ms  max {r['max']:6.1f} ms"
                f"  >25 ms {r['over25']:4.1f}%  >50 ms {r['over50']:4.1f}%"
                f"  scrolled {r['scrolled'] / 56:,.0f} rows  rows in the page {r['dom_rows']:.0f}"
            )
        p50 = statistics.median(r["p50"] for r in runs)
        p95 = statistics.median(r["p95"] for r in runs)
        print(f"  {mode}, median of runs: p50 {p50:.1f} ms  p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
