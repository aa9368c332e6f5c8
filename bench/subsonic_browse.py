"""What the Subsonic browsing methods cost at scale, in process (no HTTP, no auth).

    .venv/bin/python bench/subsonic_browse.py [--tracks 100000] [--albums 10000]
                                              [--artists 2000] [--runs 30]
                                              [--db sqlite,postgresql]

The library of ``bench/library.py`` (rows only, ``bob`` the viewer: a member who sees
his own tracks and public ones); each method is called as the router calls it and its
answer rendered as JSON (``f=json``) and as XML, so the figure is the server's share of
an app's request. p50/p95 per method and database. The side-by-side run against
supysonic over HTTP is a separate benchmark; this one says where the time goes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.fixtures.accounts import build_container
from tests.fixtures.database import PG, fresh_database

from library import World, populate
from tonearm.subsonic import browsing, discovery
from tonearm.subsonic.protocol import Call, Params, Payload, envelope, render

Case = Callable[[World, random.Random], list[tuple[str, str]]]
CASES: dict[str, tuple[str, Case]] = {
    "getArtists": ("getArtists", lambda w, r: []),
    "getIndexes": ("getIndexes", lambda w, r: []),
    "getGenres": ("getGenres", lambda w, r: []),
    "getArtist": ("getArtist", lambda w, r: [("id", "ar-" + r.choice(w.artist_ids))]),
    "getAlbum": ("getAlbum", lambda w, r: [("id", "al-" + r.choice(w.album_ids))]),
    "getMusicDirectory (album)": (
        "getMusicDirectory",
        lambda w, r: [("id", "al-" + r.choice(w.album_ids))],
    ),
}


def measure(w: World, runs: int) -> dict[str, tuple[float, float, int]]:
    methods = {**browsing.methods(w.c), **discovery.methods(w.c)}
    request = Request({"type": "http", "method": "GET", "headers": [], "query_string": b""})
    rng = random.Random(3)
    out: dict[str, tuple[float, float, int]] = {}
    for name, (method, params_of) in CASES.items():
        handler = methods[method]
        samples = []
        size = 0
        for n in range(runs + 1):
            call = Call(w.viewer, "bob", Params(params_of(w, rng)), request)
            t0 = time.perf_counter()
            payload = handler(call)
            assert isinstance(payload, dict)
            body: Payload = envelope(payload)
            fmt = "json" if n % 2 else "xml"
            size = len(render(body, fmt, None).body)
            if n:  # the first call warms caches
                samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        out[name] = (statistics.median(samples), p95, size)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--albums", type=int, default=10_000)
    ap.add_argument("--artists", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--db", default="sqlite,postgresql")
    args = ap.parse_args()
    results: dict[str, dict[str, tuple[float, float, int]]] = {}
    for backend in args.db.split(","):
        if backend == "postgresql" and not PG:
            print("PostgreSQL is not reachable on 127.0.0.1; skipped")
            continue
        with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
            c = build_container(Path(tmp) / "data", url)
            try:
                t0 = time.perf_counter()
                w = populate(c, args.tracks, args.albums, args.artists)
                print(f"{backend}: {args.tracks} tracks built in {time.perf_counter() - t0:.0f} s")
                results[backend] = measure(w, args.runs)
            finally:
                c.close()
    print(f"\n{'method':<28}" + "".join(f"{b + ' p50/p95 ms (bytes)':>34}" for b in results))
    names = next(iter(results.values())).keys() if results else []
    for name in names:
        cells = "".join(
            f"{results[b][name][0]:>12.1f} /{results[b][name][1]:>8.1f} ({results[b][name][2]:>8})"
            for b in results
        )
        print(f"{name:<28}{cells}")


if __name__ == "__main__":
    main()
