"""The feed over Redis pub/sub, for several API processes and workers.

Every process publishes to one channel. A process with open pages holds one Redis
subscription, read by one listener thread that hands each event to an in-process
``MemoryFeed``, so a thousand open pages cost one Redis connection, not a thousand.
Redis pub/sub keeps nothing: events published while the listener reconnects are
lost, which a page survives (it reloads when its stream reconnects).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import redis

from tonearm.events.base import Event
from tonearm.events.memory import MemoryFeed, MemorySubscription

log = logging.getLogger(__name__)

CHANNEL = "tonearm:events"
_RECONNECT_S = 1.0


class RedisFeed:
    def __init__(self, url: str, *, channel: str = CHANNEL) -> None:
        self._client: redis.Redis = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5
        )
        self._channel = channel
        self._local = MemoryFeed()
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._listening = threading.Event()
        self._stop = threading.Event()

    def publish(self, event: Event) -> None:
        payload = json.dumps({"topic": event.topic, "data": event.data})
        try:
            self._client.publish(self._channel, payload)
        except redis.RedisError:
            log.warning("could not publish a %s event to Redis", event.topic, exc_info=True)

    async def subscribe(self, *, max_pending: int = 256) -> MemorySubscription:
        sub = await self._local.subscribe(max_pending=max_pending)
        if not self._listening.is_set():
            await asyncio.to_thread(self._start_listener)
        return sub

    def close(self) -> None:
        self._stop.set()
        self._local.close()
        listener = self._listener
        if listener is not None:
            listener.join(timeout=5)
        self._client.close()

    def _start_listener(self) -> None:
        """Start the listener once and wait until Redis confirmed the subscription, so
        an event published after ``subscribe`` returned is received."""
        with self._lock:
            if self._listener is None:
                self._listener = threading.Thread(
                    target=self._listen, name="events-listener", daemon=True
                )
                self._listener.start()
        self._listening.wait(timeout=10)

    def _listen(self) -> None:
        while not self._stop.is_set():
            pubsub = self._client.pubsub()  # type: ignore[no-untyped-call]
            try:
                pubsub.subscribe(self._channel)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._listening.set()
                    elif message["type"] == "message":
                        self._dispatch(message["data"])
            except redis.RedisError:
                self._listening.clear()
                log.warning("lost the Redis event subscription; reconnecting", exc_info=True)
                self._stop.wait(_RECONNECT_S)
            finally:
                pubsub.close()

    def _dispatch(self, raw: Any) -> None:
        try:
            decoded = json.loads(raw)
            event = Event(str(decoded["topic"]), dict(decoded["data"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed event on %s", self._channel)
            return
        self._local.publish(event)
