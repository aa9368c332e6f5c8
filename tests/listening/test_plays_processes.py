"""Play sessions across real ``tonearm serve`` processes: two API processes on one
PostgreSQL and Redis, and an embedded server killed with SIGKILL mid-stream.

Real time passes here (the wall clock caps what is credited), so the settings shorten
the rule to 1 s and the heartbeat gap to 0.1 s; the players below report every 0.25 s.
"""

from __future__ import annotations

import signal
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from tests.fixtures.audio import MakeAudio
from tests.fixtures.database import PG, fresh_database
from tests.fixtures.server import Server
from tonearm.models.listening import Play, PlayHour, TrackPlays

pytestmark = pytest.mark.e2e

FAST_RULES = {
    "TONEARM_LISTENING_COUNT_AFTER_S": "1.0",
    "TONEARM_LISTENING_MIN_HEARTBEAT_GAP_S": "0.1",
}


class Player:
    """One play session as a player runs it: played_ms is the real time since the start."""

    def __init__(self, url: str, auth: dict[str, str], track: str, session: str) -> None:
        self.session = session
        self.began = time.monotonic()
        r = httpx.post(
            f"{url}/api/plays",
            json={"event": "start", "session": session, "track_id": track, "rung": "128k"},
            headers=auth,
            timeout=30,
        )
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]
        self.auth = auth
        self.last: dict[str, Any] = r.json()

    def report(self, url: str, event: str = "progress", played_ms: int | None = None) -> Any:
        played = round((time.monotonic() - self.began) * 1000) if played_ms is None else played_ms
        body = {
            "event": event,
            "session": self.session,
            "token": self.token,
            "played_ms": played,
            "position_ms": min(played, 5000),
            "rung": "128k",
        }
        self.body = body
        return self.retry(url)

    def retry(self, url: str) -> Any:
        """The last report again, as a player whose answer got lost sends it."""
        r = httpx.post(f"{url}/api/plays", json=self.body, headers=self.auth, timeout=30)
        assert r.status_code == 200, r.text
        self.last = r.json()
        return self.last


def _upload(server: Server, audio: MakeAudio) -> str:
    song = audio("song.wav", seconds=30.0, rate=8000, channels=1)
    r = server.upload(song)
    assert r.status_code in (200, 201), r.text
    return str(r.json()["id"])


def _totals(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            return {
                "rows": db.scalar(select(func.count()).select_from(Play)),
                "counted": db.scalar(
                    select(func.count()).select_from(Play).where(Play.counted_at.is_not(None))
                ),
                "track_plays": db.scalar(select(func.coalesce(func.sum(TrackPlays.plays), 0))),
                "hour_plays": db.scalar(select(func.coalesce(func.sum(PlayHour.plays), 0))),
                "hour_seconds": float(
                    db.scalar(select(func.coalesce(func.sum(PlayHour.seconds), 0.0))) or 0.0
                ),
                "row_seconds": {
                    s: float(v) for s, v in db.execute(select(Play.session, Play.seconds))
                },
            }
    finally:
        engine.dispose()


@pytest.mark.skipif(not PG, reason="PostgreSQL is not reachable on 127.0.0.1")
def test_one_listener_across_two_api_processes_counts_once(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, audio: MakeAudio
) -> None:
    data = tmp_path_factory.mktemp("two-apis")
    with fresh_database("postgresql", data) as url:
        env = {"TONEARM_EVENTS_URL": redis_url, **FAST_RULES}
        first = Server(data, url, env=env)
        second = Server(data, url, env=env)
        try:
            track = _upload(first, audio)
            player = Player(first.url, first.auth, track, "two-process-session")
            answers = []
            for i in range(12):
                time.sleep(0.25)
                answers.append(player.report((first, second)[i % 2].url))
            assert answers[-1]["counted"] is True
            assert [a["counted"] for a in answers] == sorted(a["counted"] for a in answers)
            ended = player.report(second.url, "end")
            # Both processes share the session's state: the same answer from either.
            assert player.retry(first.url) == ended
        finally:
            first.stop()  # a graceful stop flushes what it heard
            second.stop()
        totals = _totals(url)
        assert totals["rows"] == totals["counted"] == 1
        assert totals["track_plays"] == totals["hour_plays"] == 1
        credited = answers[-1]["credited_ms"] / 1000
        assert totals["row_seconds"]["two-process-session"] >= credited
        assert totals["hour_seconds"] == pytest.approx(totals["row_seconds"]["two-process-session"])


def test_sigkill_loses_no_counted_play_and_never_counts_twice(
    tmp_path_factory: pytest.TempPathFactory, audio: MakeAudio
) -> None:
    data = tmp_path_factory.mktemp("sigkill")
    url = f"sqlite:///{data / 'tonearm.db'}"
    env = {**FAST_RULES, "TONEARM_LISTENING_FLUSH_INTERVAL_S": "2.0"}
    server = Server(data, url, env=env)
    auth = server.auth
    try:
        track = _upload(server, audio)
        players = [Player(server.url, auth, track, f"kill-session-{i}") for i in range(3)]
        for _ in range(6):
            time.sleep(0.25)
            for p in players[:2]:
                p.report(server.url)
        players[2].report(server.url, played_ms=500)  # heard a little, not counted
        assert [p.last["counted"] for p in players] == [True, True, False]
        heard = sum(p.last["credited_ms"] for p in players) / 1000
    finally:
        server.process.kill(signal.SIGKILL)
        server.http.close()
    killed = _totals(url)
    assert killed["counted"] == killed["track_plays"] == 2  # committed before answered
    flushed = killed["hour_seconds"]
    lost = heard - flushed
    print(f"\nSIGKILL: heard {heard:.2f} s, flushed {flushed:.2f} s, lost {lost:.2f} s")
    assert 0 <= lost <= heard

    restarted = Server(data, url, env=env)
    try:
        for p in players:
            # Rebuilt from the token: the counted ones answer counted (the table says
            # so), and the third qualifies by now and counts.
            assert p.report(restarted.url)["counted"] is True
        for _ in range(6):
            time.sleep(0.25)
            for p in players:
                p.report(restarted.url)
        assert all(p.last["counted"] for p in players)
    finally:
        restarted.stop()
    after = _totals(url)
    assert after["counted"] == after["track_plays"] == after["hour_plays"] == 3
    assert after["rows"] == 3
    # Never doubled: no row holds more than its session's wall clock.
    for p in players:
        assert after["row_seconds"][p.session] <= time.monotonic() - p.began
