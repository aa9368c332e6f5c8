"""From a presence change to ``event: live`` on an open ``/api/events`` page.

    .venv/bin/python bench/live.py [--changes 200] [--redis redis://127.0.0.1:6379/0]

The issue's "play -> count in another browser < 2 s" is this server part plus the
browser's (measured by the web player's tests). Each change is a listener joining or
leaving a public track (the count goes 1, 0, 1, ...), made the way ``POST /api/plays``
makes it (``LiveListeners.heard`` / ``left``), and timed until the page's stream
delivers its notice; changes are made one after the other.

(a) memory: one process (the embedded default): the app in this process, its stream
    read through ASGI by another thread.
(b) Redis: a real ``tonearm serve`` (events on Redis) holds the page; this process is
    "another API process" that heard the play: its ``LiveListeners`` touch the shared
    presence and publish on the shared feed, the server's feed listener forwards.
(c) baseline, same run: a bare Redis PUBLISH -> pub/sub subscriber round trip
    (redis-py, one thread each), what (b) cannot be faster than.
Prints p50/p95/max in ms, and (b) against (c).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.test_live_events import member_headers
from tests.fixtures.accounts import Site, build_container
from tests.fixtures.audio import make_audio
from tests.fixtures.database import fresh_database
from tests.fixtures.server import Server
from tests.listening.streams import AppStream, HttpStream, Stream

from tonearm.accounts.credentials import SESSION_COOKIE
from tonearm.events import RedisFeed
from tonearm.listening.live import Heard, LiveListeners
from tonearm.livestate.redis_presence import RedisPresence
from tonearm.types import TrackId

Change = Callable[[int], None]


def summary(name: str, samples: list[float]) -> float:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    p50 = statistics.median(ms)
    print(f"{name:<44} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  max {ms[-1]:7.2f} ms")
    return p50


def timed(stream: Stream, track: str, change: Change, changes: int) -> list[float]:
    samples = []
    for n in range(changes):
        t0 = time.perf_counter()
        change(n)
        stream.wait_for(("live", {"track_id": track, "listeners": 1 - n % 2}), timeout=30)
        samples.append(time.perf_counter() - t0)
    return samples


def toggler(live: LiveListeners, track: Heard) -> Change:
    def change(n: int) -> None:
        if n % 2 == 0:
            live.heard(track, "bench-listener")
        else:
            live.left(track, "bench-listener")

    return change


def memory_case(changes: int, tmp: Path) -> list[float]:
    c = build_container(tmp / "memory", f"sqlite:///{tmp / 'memory.db'}")
    site = Site(c)
    admin = site.setup()
    made = admin.browser.post(
        "/api/tracks",
        params={"visibility": "public"},
        files={"file": ("tone.wav", make_audio(tmp / "tone.wav", seconds=1.0).read_bytes())},
    )
    track = str(made.json()["id"])
    stream = AppStream(site.app, {"cookie": f"{SESSION_COOKIE}={admin.cookie}"})
    try:
        heard = Heard(TrackId(track), None, "public")
        return timed(stream, track, toggler(c.listening.live, heard), changes)
    finally:
        stream.close()
        c.close()


def redis_case(changes: int, url: str, tmp: Path) -> list[float]:
    prefix = f"bench:live:{secrets.token_hex(4)}"
    env = {"TONEARM_EVENTS_URL": url, "TONEARM_LISTENING_REDIS_PREFIX": prefix}
    with fresh_database("sqlite", tmp) as db:
        server = Server(tmp / "redis", db, workers=0, env=env)
        presence = RedisPresence(url, 30.0, prefix=prefix)
        feed = RedisFeed(url)
        try:
            made = server.upload(make_audio(tmp / "tone2.wav", seconds=1.0))
            track = str(made.json()["id"])
            server.http.patch(f"/api/tracks/{track}", json={"visibility": "public"})
            stream = HttpStream(server.url, member_headers(server, "bench"))
            live = LiveListeners(presence, feed)
            heard = Heard(TrackId(track), None, "public")
            return timed(stream, track, toggler(live, heard), changes)
        finally:
            presence.close()
            feed.close()
            server.stop()


def baseline(changes: int, url: str) -> list[float]:
    channel = f"bench:ping:{secrets.token_hex(4)}"
    client = redis.Redis.from_url(url)
    pubsub = client.pubsub()  # type: ignore[no-untyped-call]
    pubsub.subscribe(channel)
    arrived = threading.Event()
    ready = threading.Event()
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            message = pubsub.get_message(timeout=1.0)
            if message is None:
                continue
            if message["type"] == "subscribe":
                ready.set()
            elif message["type"] == "message":
                arrived.set()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait(10)
    samples = []
    for n in range(changes):
        arrived.clear()
        t0 = time.perf_counter()
        client.publish(channel, str(n))
        arrived.wait(10)
        samples.append(time.perf_counter() - t0)
    stop.set()
    thread.join()
    pubsub.close()
    client.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        summary("(a) memory: change -> event: live", memory_case(args.changes, folder))
        base = summary(
            "(c) baseline: Redis PUBLISH -> subscriber", baseline(args.changes, args.redis)
        )
        over = summary(
            "(b) Redis: change in another process -> page",
            redis_case(args.changes, args.redis, folder),
        )
        print(f"(b) / (c) at p50: {over / base:.1f}x the bare pub/sub round trip")


if __name__ == "__main__":
    main()
