"""Live state inside one process: the embedded default (one API process)."""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from typing import TypeVar

from tonearm.livestate.base import Advance, CountChanged, Drained


class MemoryPresence:
    """Presence in dictionaries; one timer thread sleeps until the next deadline.

    The heap holds at most one entry per (track, listener): a touch only moves the
    deadline in the dictionary, and an entry found early is put back at its new
    deadline instead of being removed, so heartbeats cost no heap work. ``_queued``
    keeps that true across a leave and a return before the old entry surfaced
    (pause, play): the old entry serves the new deadline.
    """

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_s
        self._clock = clock
        self._deadlines: dict[str, dict[str, float]] = {}
        self._listeners: Counter[str] = Counter()
        self._heap: list[tuple[float, str, str]] = []
        self._queued: set[tuple[str, str]] = set()
        self._watchers: list[CountChanged] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._expire, name="presence", daemon=True)
        self._thread.start()

    def touch(self, track_id: str, listener: str) -> int | None:
        with self._cond:
            entries = self._deadlines.setdefault(track_id, {})
            deadline = self._clock() + self._ttl
            new = listener not in entries
            entries[listener] = deadline
            if not new:
                return None
            self._listeners[listener] += 1
            if (track_id, listener) not in self._queued:
                self._queued.add((track_id, listener))
                heapq.heappush(self._heap, (deadline, track_id, listener))
                if self._heap[0][0] == deadline:
                    self._cond.notify()
            return len(entries)

    def leave(self, track_id: str, listener: str) -> int | None:
        with self._cond:
            return self._drop(track_id, listener)

    def counts(self, track_ids: Iterable[str]) -> dict[str, int]:
        with self._cond:
            return {t: len(self._deadlines.get(t, ())) for t in track_ids}

    def busiest(self, limit: int) -> list[tuple[str, int]]:
        with self._cond:
            ranked = sorted(((-len(e), t) for t, e in self._deadlines.items() if e))
        return [(t, -n) for n, t in ranked[:limit]]

    def total(self) -> int:
        with self._cond:
            return len(self._listeners)

    def watch(self, callback: CountChanged) -> None:
        self._watchers.append(callback)

    def close(self) -> None:
        """Stops the timer; once this returns no watcher is called again."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _drop(self, track_id: str, listener: str) -> int | None:
        entries = self._deadlines.get(track_id)
        if not entries or entries.pop(listener, None) is None:
            return None
        self._listeners[listener] -= 1
        if self._listeners[listener] <= 0:
            del self._listeners[listener]
        if not entries:
            del self._deadlines[track_id]
        return len(entries)

    def _expire(self) -> None:
        while True:
            changed: list[tuple[str, int]] = []
            with self._cond:
                while not self._closed:
                    if not self._heap:
                        self._cond.wait()
                        continue
                    wait = self._heap[0][0] - self._clock()
                    if wait <= 0:
                        break
                    self._cond.wait(wait)
                if self._closed:
                    return
                now = self._clock()
                while self._heap and self._heap[0][0] <= now:
                    _, track_id, listener = heapq.heappop(self._heap)
                    deadline = self._deadlines.get(track_id, {}).get(listener)
                    if deadline is None:
                        self._queued.discard((track_id, listener))
                        continue  # it left; its heap entry was stale
                    if deadline > now:
                        heapq.heappush(self._heap, (deadline, track_id, listener))
                        continue
                    self._queued.discard((track_id, listener))
                    count = self._drop(track_id, listener)
                    if count is not None:
                        changed.append((track_id, count))
            for track_id, count in changed:
                for callback in self._watchers:
                    callback(track_id, count)


class _Session:
    __slots__ = ("at", "counted", "credited", "ended", "expires", "paused", "stamp")

    def __init__(self) -> None:
        self.credited = 0
        self.paused = False
        self.stamp = ""
        self.at = float("-inf")
        self.counted = False
        self.ended = False
        self.expires = 0.0


class MemoryPlaySessions:
    """Open play sessions in dictionaries, under one lock.

    Entries are kept in order of their last change, so the expired ones are dropped
    from the front as new changes arrive: no timer, no scan.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._claims: OrderedDict[str, tuple[str, int, float]] = OrderedDict()
        self._hits: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def claim(self, session: str, listener: str, started_ms: int, ttl_s: float) -> tuple[str, int]:
        with self._lock:
            now = self._clock()
            _prune(self._claims, now, lambda c: c[2])
            held = self._claims.get(session)
            if held is not None:
                return held[0], held[1]
            self._claims[session] = (listener, started_ms, now + ttl_s)
            return listener, started_ms

    def advance(
        self,
        session: str,
        credited_ms: int,
        stamp: str,
        *,
        now: float,
        min_gap_s: float,
        end: bool,
        ttl_s: float,
        pause: bool = False,
    ) -> Advance:
        with self._lock:
            _prune(self._sessions, self._clock(), lambda s: s.expires)
            state = self._sessions.get(session)
            previous: int | None = None
            if state is None:
                state = self._sessions[session] = _Session()
            else:
                previous = state.credited
                if stamp == state.stamp:
                    return Advance(previous, state.credited, state.counted, duplicate=True)
                if state.ended:
                    return Advance(previous, state.credited, state.counted, ended=True)
                wait = state.at + min_gap_s - now
                if min_gap_s > 0 and wait > 0 and not state.paused:
                    return Advance(previous, state.credited, state.counted, retry_after_s=wait)
            state.credited = max(state.credited, credited_ms)
            state.stamp = stamp
            state.at = now
            state.paused = pause
            state.ended = state.ended or end
            state.expires = self._clock() + ttl_s
            self._sessions.move_to_end(session)
            return Advance(previous, state.credited, state.counted)

    def mark_counted(self, session: str, ttl_s: float) -> bool:
        with self._lock:
            state = self._sessions.get(session)
            if state is None:
                state = self._sessions[session] = _Session()
                state.expires = self._clock() + ttl_s
            if state.counted:
                return False
            state.counted = True
            return True

    def hit(self, key: str, window_s: float, now: float) -> int:
        window = int(now // window_s)
        with self._lock:
            seen, hits = self._hits.get(key, (window, 0))
            hits = hits + 1 if seen == window else 1
            if len(self._hits) > 65536:  # old windows of listeners gone quiet
                self._hits = {k: v for k, v in self._hits.items() if v[0] == window}
            self._hits[key] = (window, hits)
            return hits


_V = TypeVar("_V")


def _prune(items: OrderedDict[str, _V], now: float, expires: Callable[[_V], float]) -> None:
    while items:
        key, value = next(iter(items.items()))
        if expires(value) > now:
            return
        del items[key]


class MemoryTally:
    """Write-behind sums in one process; a drain swaps the dictionaries."""

    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}
        self._sessions: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, bucket: str, seconds: float, session: str, state: str) -> None:
        with self._lock:
            if seconds:
                self._seconds[bucket] = self._seconds.get(bucket, 0.0) + seconds
            self._sessions[session] = state

    def drain(self) -> Drained:
        with self._lock:
            seconds, self._seconds = self._seconds, {}
            sessions, self._sessions = self._sessions, {}
        return Drained(seconds, sessions)
