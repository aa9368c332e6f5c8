"""One behaviour suite for open play sessions and write-behind tallies, run over every
backend: in memory (the embedded default) and Redis (scaled out)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import pytest
import redis

from tonearm.livestate.base import PlaySessions, Tally
from tonearm.livestate.memory import MemoryPlaySessions, MemoryTally
from tonearm.livestate.redis_state import RedisPlaySessions, RedisTally

REDIS_URL = "redis://127.0.0.1:6379/0"
TTL = 60.0


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


BACKENDS = [
    pytest.param("memory", id="memory"),
    pytest.param(
        "redis",
        id="redis",
        marks=pytest.mark.skipif(not _redis_up(), reason="Redis is not reachable"),
    ),
]


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are removed afterwards."""
    p = f"test:{secrets.token_hex(6)}:"
    yield p
    if _redis_up():
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{p}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest, prefix: str) -> PlaySessions:
    if request.param == "memory":
        return MemoryPlaySessions()
    return RedisPlaySessions(REDIS_URL, prefix=prefix)


@pytest.fixture(params=BACKENDS)
def tally(request: pytest.FixtureRequest, prefix: str) -> Tally:
    if request.param == "memory":
        return MemoryTally()
    return RedisTally(REDIS_URL, prefix=prefix)


def advance(s: PlaySessions, credited: int, stamp: str, now: float, **kw: object) -> object:
    args: dict[str, object] = {"min_gap_s": 1.0, "end": False, "ttl_s": TTL, **kw}
    return s.advance("sess-1", credited, stamp, now=now, **args)  # type: ignore[arg-type]


def test_claim_gives_a_session_to_its_first_listener(sessions: PlaySessions) -> None:
    assert sessions.claim("sess-1", "alice", 1000, TTL) == ("alice", 1000)
    assert sessions.claim("sess-1", "bob", 2000, TTL) == ("alice", 1000)
    assert sessions.claim("sess-1", "alice", 3000, TTL) == ("alice", 1000)
    assert sessions.claim("sess-2", "bob", 2000, TTL) == ("bob", 2000)


def test_advance_credits_the_maximum_and_reports_the_previous(sessions: PlaySessions) -> None:
    first = sessions.advance("s", 0, "a", now=100.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert (first.previous, first.credited, first.counted) == (None, 0, False)
    second = sessions.advance("s", 5000, "b", now=105.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert (second.previous, second.credited) == (0, 5000)
    # Out of order: an older, smaller report lowers nothing.
    third = sessions.advance("s", 3000, "c", now=107.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert (third.previous, third.credited) == (5000, 5000)


def test_a_repeated_stamp_is_a_duplicate_even_too_soon(sessions: PlaySessions) -> None:
    sessions.advance("s", 1000, "a", now=100.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    again = sessions.advance("s", 1000, "a", now=100.1, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert again.duplicate and again.retry_after_s == 0 and again.credited == 1000


def test_the_report_after_a_pause_is_never_too_soon(sessions: PlaySessions) -> None:
    """Pause, then play again at once: the resuming report is taken (a person pressing
    play twice in a second is not a flood); the one after it keeps the gap again."""
    sessions.advance("s", 1000, "a", now=100.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    paused = sessions.advance(
        "s", 1200, "b", now=100.2, min_gap_s=0, end=False, ttl_s=TTL, pause=True
    )
    assert paused.retry_after_s == 0 and paused.credited == 1200
    resumed = sessions.advance("s", 1200, "c", now=100.3, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert resumed.retry_after_s == 0 and not resumed.duplicate
    soon = sessions.advance("s", 1500, "d", now=100.5, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert soon.retry_after_s == pytest.approx(0.8, abs=0.01) and soon.credited == 1200


def test_reports_too_close_are_refused_and_change_nothing(sessions: PlaySessions) -> None:
    sessions.advance("s", 1000, "a", now=100.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    soon = sessions.advance("s", 9000, "b", now=100.4, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert soon.retry_after_s == pytest.approx(0.6, abs=0.01)
    assert soon.credited == 1000 and not soon.duplicate
    later = sessions.advance("s", 9000, "b", now=101.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert (later.previous, later.credited, later.retry_after_s) == (1000, 9000, 0)
    # A gap of 0 never refuses.
    now = sessions.advance("s", 9500, "c", now=101.0, min_gap_s=0, end=False, ttl_s=TTL)
    assert now.credited == 9500


def test_an_ended_session_takes_no_more_reports(sessions: PlaySessions) -> None:
    sessions.advance("s", 1000, "a", now=100.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    sessions.advance("s", 2000, "end", now=102.0, min_gap_s=1.0, end=True, ttl_s=TTL)
    retried = sessions.advance("s", 2000, "end", now=110.0, min_gap_s=1.0, end=True, ttl_s=TTL)
    assert retried.duplicate and retried.credited == 2000
    late = sessions.advance("s", 9000, "p", now=120.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert late.ended and late.credited == 2000


def test_counted_is_marked_once(sessions: PlaySessions) -> None:
    sessions.advance("s", 1000, "a", now=100.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert sessions.mark_counted("s", TTL) is True
    assert sessions.mark_counted("s", TTL) is False
    after = sessions.advance("s", 2000, "b", now=105.0, min_gap_s=1.0, end=False, ttl_s=TTL)
    assert after.counted


def test_concurrent_advances_never_lose_the_maximum(sessions: PlaySessions) -> None:
    sessions.advance("s", 0, "start", now=0.0, min_gap_s=0, end=False, ttl_s=TTL)
    seen: list[tuple[int | None, int]] = []
    lock = threading.Lock()

    def report(offset: int) -> None:
        for i in range(50):
            value = offset + i * 8
            a = sessions.advance("s", value, f"{value}", now=1.0, min_gap_s=0, end=False, ttl_s=TTL)
            with lock:
                seen.append((a.previous, a.credited))

    threads = [threading.Thread(target=report, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(c for _, c in seen) == 7 + 49 * 8
    # Each increase is reported once: the deltas add up to the final credit exactly.
    assert sum(c - (p or 0) for p, c in seen) == 7 + 49 * 8


def test_hits_count_within_a_window(sessions: PlaySessions) -> None:
    assert [sessions.hit("alice", 60.0, 120.0 + i) for i in range(3)] == [1, 2, 3]
    assert sessions.hit("bob", 60.0, 130.0) == 1
    assert sessions.hit("alice", 60.0, 180.0) == 1  # the next minute


def test_a_drain_takes_everything_once(tally: Tally) -> None:
    assert not tally.drain()
    tally.add("h1|t1|128k|u", 10.0, "s1", "state-1")
    tally.add("h1|t1|128k|u", 2.5, "s1", "state-2")
    tally.add("h1|t2|mp3|", 0.0, "s2", "state-a")
    drained = tally.drain()
    assert drained.seconds == {"h1|t1|128k|u": pytest.approx(12.5)}
    assert drained.sessions == {"s1": "state-2", "s2": "state-a"}
    assert not tally.drain()


def test_concurrent_adds_and_drains_add_up(tally: Tally) -> None:
    total = 0.0
    stop = threading.Event()
    lock = threading.Lock()

    def drain() -> None:
        nonlocal total
        while not stop.is_set():
            got = sum(tally.drain().seconds.values())
            with lock:
                total += got

    drainer = threading.Thread(target=drain)
    drainer.start()
    adders = [
        threading.Thread(
            target=lambda k=k: [tally.add(f"b{k % 3}", 0.5, f"s{k}", "x") for _ in range(200)]
        )
        for k in range(4)
    ]
    for t in adders:
        t.start()
    for t in adders:
        t.join()
    stop.set()
    drainer.join()
    total += sum(tally.drain().seconds.values())
    assert total == pytest.approx(4 * 200 * 0.5)
