"""Presence on Redis, shared by every API process of a deployment.

Keys, under a configurable prefix ``P`` (one deployment, or one test, per prefix):

    P:t:<track>               sorted set  listener -> deadline (ms, Redis clock)
    P:x:<len>:<track>:<listener>  string  one per entry, expires (PX) at the deadline
    P:busy                    sorted set  track -> -listeners (0 never stored)
    P:who                     hash        listener -> tracks they are on

``touch`` and ``leave`` are Lua scripts, so each is one atomic step whichever process
calls it, and each answers the new count only when it changed it. The clock is Redis's
own (``TIME``), so processes whose clocks disagree still agree on deadlines.

Expiry without polling: Redis expires the per-entry key by itself and announces it on
``__keyevent@<db>__:expired`` (keyspace notifications, enabled here with ``CONFIG SET
notify-keyspace-events Ex`` when the server allows it). Every watching process hears
the announcement; each runs the claim script, whose ``ZREM`` answers 1 to exactly one
of them, and only that one calls its watchers. A touch that came between the expiry
and the claim re-created the key: the claim then finds it and leaves the entry be.

Busiest-first comes from storing ``-listeners`` in ``P:busy``: ``ZRANGE`` then gives
the most listened first and ties in track-id order, as the contract asks.

Notifications are fire-and-forget: an expiry announced while no process listened (all
restarting, a lost connection) is never heard. Each process therefore sweeps when its
subscription (re)starts, claiming entries whose deadline passed; that is a repair at
(re)connection, not a polling loop. Where ``CONFIG`` is refused (managed Redis services
often rename or disable it), the operator must set ``notify-keyspace-events`` to include
``Ex`` (``A`` includes ``x``); until then a warning is logged and entries leave only by
``leave`` or by the next process start's sweep.

Only processes that ``watch`` subscribe and claim: a process that reports nothing
(a script, a test's second handle on the same keys) leaves expiries to those that do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

import redis

from tonearm.errors import Unavailable
from tonearm.livestate.base import CountChanged

log = logging.getLogger(__name__)

PREFIX = "tonearm:live"
_RECONNECT_S = 1.0

# Scripts call redis.replicate_commands(): writes after TIME are then replicated as
# their effects (the default from Redis 5 on; needed by 3.2-4.x, a no-op since).
_TOUCH = """
redis.replicate_commands()
local t = redis.call('TIME')
local ttl = tonumber(ARGV[3])
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl
redis.call('SET', KEYS[2], '1', 'PX', ttl)
if redis.call('ZADD', KEYS[1], deadline, ARGV[1]) == 0 then
  return false
end
redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
return -tonumber(redis.call('ZINCRBY', KEYS[3], -1, ARGV[2]))
"""

# ARGV[3] == 'claim': an expiry, taken only while the entry's key is still gone.
_LEAVE = """
if ARGV[3] == 'claim' then
  if redis.call('EXISTS', KEYS[2]) == 1 then return false end
else
  redis.call('DEL', KEYS[2])
end
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return false
end
if redis.call('HINCRBY', KEYS[4], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[4], ARGV[1])
end
local left = -tonumber(redis.call('ZINCRBY', KEYS[3], 1, ARGV[2]))
if left <= 0 then
  redis.call('ZREM', KEYS[3], ARGV[2])
  left = 0
end
return left
"""

# Entries of one track whose deadline passed (for the sweep).
_OVERDUE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
"""


class RedisPresence:
    """``Presence`` for several processes; ``prefix`` names the deployment's keys."""

    def __init__(
        self,
        url: str,
        ttl_s: float,
        *,
        prefix: str = PREFIX,
        enable_notifications: bool = True,
    ) -> None:
        self._client: redis.Redis = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5
        )
        self._ttl_ms = max(1, round(ttl_s * 1000))
        self._prefix = prefix
        self._entry_prefix = f"{prefix}:x:".encode()
        self._busy = f"{prefix}:busy"
        self._who = f"{prefix}:who"
        self._touch = self._client.register_script(_TOUCH)
        self._leave = self._client.register_script(_LEAVE)
        self._overdue = self._client.register_script(_OVERDUE)
        db = int(self._client.connection_pool.connection_kwargs.get("db", 0))
        self._channel = f"__keyevent@{db}__:expired"
        self._enable_notifications = enable_notifications
        self._watchers: list[CountChanged] = []
        self._lock = threading.Lock()
        self._subscriber: threading.Thread | None = None
        self._subscribed = threading.Event()
        self._stop = threading.Event()

    # -- the contract ---------------------------------------------------------------

    def touch(self, track_id: str, listener: str) -> int | None:
        args = [listener, track_id, self._ttl_ms]
        return self._count(self._run(self._touch, self._keys(track_id, listener), args))

    def leave(self, track_id: str, listener: str) -> int | None:
        args = [listener, track_id, "leave"]
        return self._count(self._run(self._leave, self._keys(track_id, listener), args))

    def counts(self, track_ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(track_ids))
        if not ids:
            return {}
        scores = self._call(self._client.zmscore, self._busy, ids)
        return {t: -round(s) if s else 0 for t, s in zip(ids, scores, strict=True)}

    def busiest(self, limit: int) -> list[tuple[str, int]]:
        if limit <= 0:
            return []
        ranked = self._call(self._client.zrange, self._busy, 0, limit - 1, withscores=True)
        return [(t.decode(), -round(s)) for t, s in ranked]

    def total(self) -> int:
        return int(self._call(self._client.hlen, self._who))

    def watch(self, callback: CountChanged) -> None:
        with self._lock:
            self._watchers.append(callback)
            if self._subscriber is not None or self._stop.is_set():
                return
            if self._enable_notifications:
                self._notifications()
            self._subscriber = threading.Thread(
                target=self._listen, name="presence-expiries", daemon=True
            )
            self._subscriber.start()
        # Entries expiring after watch() returns are heard (tests and a starting
        # server rely on it); a Redis that is down only delays this.
        self._subscribed.wait(timeout=10)

    def close(self) -> None:
        self._stop.set()
        subscriber = self._subscriber
        if subscriber is not None and subscriber is not threading.current_thread():
            subscriber.join(timeout=10)
        self._client.close()

    # -- keys and calls -------------------------------------------------------------

    def _keys(self, track_id: str, listener: str) -> list[str]:
        # The track's length first: a track id or listener holding ':' cannot make one
        # entry's key read as another's.
        return [
            f"{self._prefix}:t:{track_id}",
            f"{self._prefix}:x:{len(track_id)}:{track_id}:{listener}",
            self._busy,
            self._who,
        ]

    def _entry(self, key: bytes) -> tuple[str, str] | None:
        """(track, listener) of an entry key of ours; None for anyone else's key."""
        if not key.startswith(self._entry_prefix):
            return None
        rest = key[len(self._entry_prefix) :].decode(errors="replace")
        size, _, tail = rest.partition(":")
        if not size.isdigit() or len(tail) <= int(size):
            return None
        return tail[: int(size)], tail[int(size) + 1 :]

    @staticmethod
    def _count(answer: Any) -> int | None:
        return None if answer is None else int(answer)

    def _run(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        return self._call(script, keys=keys, args=args)

    @staticmethod
    def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            raise Unavailable("Live listener counts are unavailable (Redis).") from exc

    # -- expiries -------------------------------------------------------------------

    def _notifications(self) -> None:
        """Make Redis announce expired keys, adding to (never replacing) its flags."""
        try:
            raw = self._client.config_get("notify-keyspace-events")
            flags = str(raw.get("notify-keyspace-events", ""))
            wanted = "".join(f for f in "Ex" if f not in flags and not (f == "x" and "A" in flags))
            if wanted:
                self._client.config_set("notify-keyspace-events", flags + wanted)
        except redis.ResponseError:
            log.warning(
                "Redis refused CONFIG: set notify-keyspace-events to include 'Ex' on the "
                "server, or listeners whose heartbeats stop stay counted until they leave "
                "or an API process restarts"
            )
        except redis.RedisError:
            log.warning("could not enable Redis keyspace notifications", exc_info=True)

    def _listen(self) -> None:
        while not self._stop.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=False)  # type: ignore[no-untyped-call]
            try:
                pubsub.subscribe(self._channel)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None or self._stop.is_set():
                        continue  # closed while waiting: report nothing more
                    if message["type"] == "subscribe":
                        # From here on expiries are heard: claim those missed before.
                        self._sweep()
                        self._subscribed.set()
                    elif message["type"] == "message":
                        found = self._entry(message["data"])
                        if found is not None:
                            self._claim(*found)
            except redis.RedisError:
                self._subscribed.clear()
                log.warning("lost the Redis expiry subscription; reconnecting", exc_info=True)
                self._stop.wait(_RECONNECT_S)
            finally:
                pubsub.close()

    def _claim(self, track_id: str, listener: str) -> None:
        keys = self._keys(track_id, listener)
        count = self._leave(keys=keys, args=[listener, track_id, "claim"])
        if count is None:
            return  # another process claimed it, or the listener came back in time
        for callback in list(self._watchers):
            try:
                callback(track_id, int(count))
            except Exception:
                log.exception("a presence watcher failed")

    def _sweep(self) -> None:
        """Claim every entry whose deadline passed (its announcement was missed, or is
        about to arrive: the claim decides, and a key Redis has not yet expired by
        itself is expired by the claim's ``EXISTS``)."""
        ranked: list[bytes] = self._client.zrange(self._busy, 0, -1)  # type: ignore[assignment]
        tracks = [t.decode() for t in ranked]
        for track_id in tracks:
            for raw in self._overdue(keys=[f"{self._prefix}:t:{track_id}"]):
                self._claim(track_id, raw.decode())
