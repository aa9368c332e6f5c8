"""Live state inside one process: the embedded default (one API process)."""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable

from tonearm.livestate.base import CountChanged


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
