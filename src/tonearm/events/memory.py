"""The in-process feed: publishers in any thread, subscribers on event loops.

Each subscriber holds its own bounded buffer on its own loop; ``publish`` hands the
event to that loop with ``call_soon_threadsafe``, so a publisher never touches asyncio
state from a foreign thread and never waits for a slow reader. A buffer that fills up
ends its subscription (the page reconnects and reloads) instead of growing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque

from tonearm.events.base import Closed, Event

log = logging.getLogger(__name__)


class MemorySubscription:
    def __init__(self, feed: MemoryFeed, loop: asyncio.AbstractEventLoop, max_pending: int) -> None:
        self._feed = feed
        self._loop = loop
        self._max = max_pending
        self._items: deque[Event] = deque()
        self._wake = asyncio.Event()
        self._ended: str | None = None

    # These two run on the subscriber's loop (scheduled by call_soon_threadsafe).
    def _deliver(self, event: Event) -> None:
        if self._ended is not None:
            return
        if len(self._items) >= self._max:
            self._end("fell behind")
            self._feed._forget(self)
            return
        self._items.append(event)
        self._wake.set()

    def _end(self, reason: str) -> None:
        if self._ended is None:
            self._ended = reason
            self._items.clear()
        self._wake.set()

    def _send(self, fn: object, *args: object) -> bool:
        try:
            self._loop.call_soon_threadsafe(fn, *args)  # type: ignore[arg-type]
        except RuntimeError:  # its loop is closed: the subscriber is gone
            return False
        return True

    async def get(self, timeout: float) -> Event | None:
        while True:
            if self._ended is not None:
                raise Closed(self._ended)
            if self._items:
                return self._items.popleft()
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                return None

    def close(self) -> None:
        self._feed._forget(self)
        self._ended = self._ended or "closed"


class MemoryFeed:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[MemorySubscription] = set()
        self._closed = False

    def publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for sub in subscribers:
            if not sub._send(sub._deliver, event):
                self._forget(sub)

    async def subscribe(self, *, max_pending: int = 256) -> MemorySubscription:
        sub = MemorySubscription(self, asyncio.get_running_loop(), max_pending)
        with self._lock:
            if self._closed:
                sub._end("the server is shutting down")
            else:
                self._subscribers.add(sub)
        return sub

    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            subscribers = list(self._subscribers)
            self._subscribers.clear()
        for sub in subscribers:
            sub._send(sub._end, "the server is shutting down")

    def _forget(self, sub: MemorySubscription) -> None:
        with self._lock, contextlib.suppress(KeyError):
            self._subscribers.remove(sub)
