"""One behaviour suite for every ``Presence``: in memory and on a real Redis.

A "process" is a ``Presence`` handle. On Redis, two handles on the same keys are two
API processes (each its own connections and expiry subscriber). In memory there is only
one process by nature: both handles are the same object, and the tests that are about
several processes say what that means for it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from tonearm.livestate.base import Presence
from tonearm.livestate.memory import MemoryPresence
from tonearm.livestate.redis_presence import RedisPresence

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not redis_available(), reason="Redis is not reachable on 127.0.0.1:6379"
)

Processes = Callable[..., list[Presence]]
"""``processes(n, ttl_s=30.0)``: ``n`` handles on one presence (one per process)."""


@pytest.fixture(params=["memory", pytest.param("redis", marks=needs_redis)])
def processes(request: pytest.FixtureRequest) -> Iterator[Processes]:
    made: list[Presence] = []
    prefix = f"test:live:{secrets.token_hex(6)}"

    def make(n: int, ttl_s: float = 30.0) -> list[Presence]:
        if request.param == "memory":
            one = MemoryPresence(ttl_s)
            made.append(one)
            return [one] * n
        handles: list[Presence] = [RedisPresence(REDIS_URL, ttl_s, prefix=prefix) for _ in range(n)]
        made.extend(handles)
        return handles

    yield make
    for presence in made:
        presence.close()
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


class Reports:
    """Every expiry reported, by every process's watcher."""

    def __init__(self, handles: list[Presence]) -> None:
        self.calls: list[tuple[int, str, int]] = []
        self._lock = threading.Lock()
        for n, presence in enumerate(dict.fromkeys(handles)):  # one watcher per process
            presence.watch(self._recorder(n))

    def _recorder(self, n: int) -> Callable[[str, int], None]:
        def record(track_id: str, count: int) -> None:
            with self._lock:
                self.calls.append((n, track_id, count))

        return record

    def wait(self, count: int, timeout: float = 10.0) -> list[tuple[int, str, int]]:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.calls)

    def still(self, seconds: float) -> list[tuple[int, str, int]]:
        """The reports once ``seconds`` passed with none arriving (a second report of
        one expiry would come within milliseconds of the first)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.calls)


def test_a_new_listener_changes_the_count(processes: Processes) -> None:
    (p,) = processes(1)
    assert p.touch("t1", "ann") == 1
    assert p.touch("t1", "bob") == 2
    assert p.touch("t2", "ann") == 1
    assert p.counts(["t1", "t2", "nobody-here"]) == {"t1": 2, "t2": 1, "nobody-here": 0}
    assert p.counts([]) == {}


def test_the_same_listener_counts_once_across_processes(processes: Processes) -> None:
    a, b = processes(2)
    assert a.touch("t1", "ann") == 1
    assert b.touch("t1", "ann") is None  # the other tab, another process
    assert a.touch("t1", "ann") is None
    assert a.counts(["t1"]) == b.counts(["t1"]) == {"t1": 1}
    assert a.total() == b.total() == 1


def test_leaving_takes_effect_at_once_and_only_once(processes: Processes) -> None:
    a, b = processes(2)
    reports = Reports([a, b])
    a.touch("t1", "ann")
    a.touch("t1", "bob")
    assert b.leave("t1", "ann") == 1
    assert a.counts(["t1"]) == {"t1": 1}
    assert a.leave("t1", "ann") is None
    assert a.leave("t1", "nobody") is None
    assert a.leave("never-heard", "ann") is None
    assert b.leave("t1", "bob") == 0
    assert a.counts(["t1"]) == {"t1": 0}
    assert a.busiest(10) == []
    assert a.total() == 0
    assert reports.calls == []  # leaves are answered to their caller, not to watchers


def test_an_expiry_is_reported_once_across_processes(processes: Processes) -> None:
    a, b = processes(2, ttl_s=0.3)
    reports = Reports([a, b])
    assert a.touch("t1", "ann") == 1
    assert b.touch("t1", "bob") == 2
    assert b.touch("t2", "ann") == 1
    got = reports.wait(3)
    # ann and bob left t1 one after the other (1, then 0), whichever went first.
    assert sorted((t, n) for _, t, n in got) == [("t1", 0), ("t1", 1), ("t2", 0)], got
    assert len(reports.still(1.0)) == 3
    assert a.counts(["t1", "t2"]) == b.counts(["t1", "t2"]) == {"t1": 0, "t2": 0}
    assert a.total() == 0
    assert a.busiest(5) == []


def test_a_heartbeat_keeps_a_listener_past_the_ttl(processes: Processes) -> None:
    a, b = processes(2, ttl_s=0.6)
    reports = Reports([a, b])
    a.touch("t1", "ann")
    a.touch("t1", "short")
    # ann keeps reporting, through both processes; "short" stops.
    for n in range(8):
        assert (a if n % 2 else b).touch("t1", "ann") is None
        time.sleep(0.15)
    assert reports.wait(1) == [(reports.calls[0][0], "t1", 1)]
    assert a.counts(["t1"]) == {"t1": 1}


def test_a_listener_who_returns_counts_again(processes: Processes) -> None:
    (p,) = processes(1, ttl_s=0.3)
    reports = Reports([p])
    assert p.touch("t1", "ann") == 1
    assert p.leave("t1", "ann") == 0
    assert p.touch("t1", "ann") == 1  # paused, played again
    assert [(t, n) for _, t, n in reports.wait(1)] == [("t1", 0)]
    assert p.touch("t1", "ann") == 1  # and once more after their entry expired


def test_busiest_first_ties_by_track_id(processes: Processes) -> None:
    a, b = processes(2)
    for track, listeners in {"ta": 1, "tc": 3, "tb": 3, "td": 2}.items():
        for n in range(listeners):
            (a if n % 2 else b).touch(track, f"l{n}")
    assert a.busiest(3) == [("tb", 3), ("tc", 3), ("td", 2)]
    assert b.busiest(10) == [("tb", 3), ("tc", 3), ("td", 2), ("ta", 1)]
    assert a.busiest(0) == []
    b.leave("ta", "l0")
    assert [t for t, _ in a.busiest(10)] == ["tb", "tc", "td"]


def test_total_counts_distinct_listeners(processes: Processes) -> None:
    a, b = processes(2)
    a.touch("t1", "ann")
    b.touch("t2", "ann")
    a.touch("t1", "bob")
    assert a.total() == 2
    b.leave("t1", "ann")
    assert a.total() == 2  # still on t2
    a.leave("t2", "ann")
    assert b.total() == 1


def test_many_threads_in_several_processes(processes: Processes) -> None:
    handles = processes(2)
    listeners = [f"l{n}" for n in range(40)]
    joined: list[int] = []
    left: list[int] = []
    lock = threading.Lock()

    def heartbeat(k: int) -> None:
        for n, listener in enumerate(listeners):
            count = handles[(n + k) % 2].touch("hot", listener)
            if count is not None:
                with lock:
                    joined.append(count)

    def leave(k: int) -> None:
        for listener in listeners[k::4]:
            for handle in handles:
                count = handle.leave("hot", listener)
                if count is not None:
                    with lock:
                        left.append(count)

    threads = [threading.Thread(target=heartbeat, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Each listener joined once, whichever thread and process saw it first.
    assert sorted(joined) == list(range(1, 41))
    assert handles[1].counts(["hot"]) == {"hot": 40}
    threads = [threading.Thread(target=leave, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(left) == list(range(40))
    assert handles[0].counts(["hot"]) == {"hot": 0}
    assert handles[0].total() == 0


def test_nothing_is_reported_after_close(processes: Processes) -> None:
    (p,) = processes(1, ttl_s=0.3)
    reports = Reports([p])
    p.touch("t1", "ann")
    p.close()
    assert reports.still(1.0) == []
    p.close()  # twice is harmless


# -- Redis only: what notifications cannot promise --------------------------------


@needs_redis
def test_an_expiry_announced_while_no_process_listened_is_claimed_at_start() -> None:
    """Redis keeps no announcement: entries that expired while every process was down
    are claimed by the next process's start-up sweep."""
    prefix = f"test:live:{secrets.token_hex(6)}"
    client = redis.Redis.from_url(REDIS_URL)
    before = RedisPresence(REDIS_URL, 0.2, prefix=prefix)  # reports nothing: no watcher
    after: RedisPresence | None = None
    try:
        assert before.touch("t1", "ann") == 1
        deadline = time.monotonic() + 10
        while client.exists(f"{prefix}:x:2:t1:ann") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert before.counts(["t1"]) == {"t1": 1}  # expired, but nobody claimed it
        after = RedisPresence(REDIS_URL, 0.2, prefix=prefix)
        reports = Reports([after])  # watch() returns once the sweep ran
        assert reports.calls == [(0, "t1", 0)]
        assert after.counts(["t1"]) == {"t1": 0}
        assert after.total() == 0
    finally:
        before.close()
        if after is not None:
            after.close()
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
