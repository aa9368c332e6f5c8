"""Open play sessions and write-behind tallies in Redis, shared by every API process.

Each operation is one Lua script, so it is atomic across processes and costs one
round trip: a heartbeat is one ``advance`` and one ``add``. Keys start with a
configurable prefix (tests give each run its own).

Layout: ``{p}s:{session}`` a hash (c: credited ms, s: last stamp, a: last report ms,
n: counted, e: ended); ``{p}claim:{session}`` a hash (l: listener, t: started ms);
``{p}hit:{key}:{window}`` a counter; ``{p}tally:sec`` (bucket -> seconds, by
HINCRBYFLOAT) and ``{p}tally:ses`` (session -> latest state) drained together.
"""

from __future__ import annotations

from typing import Any

import redis

from tonearm.livestate.base import Advance, Drained

PREFIX = "tonearm:listening:"

_CLAIM = """
local h = redis.call('HMGET', KEYS[1], 'l', 't')
if h[1] then return h end
redis.call('HSET', KEYS[1], 'l', ARGV[1], 't', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {ARGV[1], ARGV[2]}
"""

# Returns {previous (-1: none), credited, counted, code, retry after ms};
# code 0 applied, 1 duplicate, 2 ended, 3 too soon.
_ADVANCE = """
local h = redis.call('HMGET', KEYS[1], 'c', 's', 'a', 'n', 'e', 'p')
local offered = tonumber(ARGV[1])
local counted = (h[4] == '1') and 1 or 0
local gap = tonumber(ARGV[4])
if h[1] then
  local prev = tonumber(h[1])
  if h[2] == ARGV[2] then return {prev, prev, counted, 1, 0} end
  if h[5] == '1' then return {prev, prev, counted, 2, 0} end
  local wait = tonumber(h[3]) + gap - tonumber(ARGV[3])
  if gap > 0 and wait > 0 and h[6] ~= '1' then return {prev, prev, counted, 3, wait} end
  local new = math.max(prev, offered)
  redis.call('HSET', KEYS[1], 'c', new, 's', ARGV[2], 'a', ARGV[3], 'p', ARGV[7])
  if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'e', '1') end
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  return {prev, new, counted, 0, 0}
end
redis.call('HSET', KEYS[1], 'c', offered, 's', ARGV[2], 'a', ARGV[3], 'p', ARGV[7])
if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'e', '1') end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {-1, offered, counted, 0, 0}
"""

_MARK = """
local first = redis.call('HSETNX', KEYS[1], 'n', '1')
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return first
"""

_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""

_ADD = """
if ARGV[1] ~= '0' then redis.call('HINCRBYFLOAT', KEYS[1], ARGV[2], ARGV[1]) end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1
"""

_DRAIN = """
local seconds = redis.call('HGETALL', KEYS[1])
local sessions = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
return {seconds, sessions}
"""


def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisPlaySessions:
    def __init__(self, url: str, *, prefix: str = PREFIX) -> None:
        self._redis = _client(url)
        self._p = prefix
        self._claim = self._redis.register_script(_CLAIM)
        self._advance = self._redis.register_script(_ADVANCE)
        self._mark = self._redis.register_script(_MARK)
        self._hit = self._redis.register_script(_HIT)

    def claim(self, session: str, listener: str, started_ms: int, ttl_s: float) -> tuple[str, int]:
        held: Any = self._claim(
            keys=[f"{self._p}claim:{session}"], args=[listener, started_ms, _ms(ttl_s)]
        )
        return held[0].decode(), int(held[1])

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
        out: Any = self._advance(
            keys=[f"{self._p}s:{session}"],
            args=[
                credited_ms,
                stamp,
                round(now * 1000),
                round(min_gap_s * 1000),
                "1" if end else "0",
                _ms(ttl_s),
                "1" if pause else "0",
            ],
        )
        previous, credited, counted, code, wait_ms = (int(v) for v in out)
        return Advance(
            previous=None if previous < 0 else previous,
            credited=credited,
            counted=bool(counted),
            duplicate=code == 1,
            ended=code == 2,
            retry_after_s=wait_ms / 1000 if code == 3 else 0.0,
        )

    def mark_counted(self, session: str, ttl_s: float) -> bool:
        return bool(self._mark(keys=[f"{self._p}s:{session}"], args=[_ms(ttl_s)]))

    def hit(self, key: str, window_s: float, now: float) -> int:
        window = int(now // window_s)
        return int(self._hit(keys=[f"{self._p}hit:{key}:{window}"], args=[_ms(window_s) * 2]))

    def close(self) -> None:
        self._redis.close()


class RedisTally:
    def __init__(self, url: str, *, prefix: str = PREFIX) -> None:
        self._redis = _client(url)
        self._keys = [f"{prefix}tally:sec", f"{prefix}tally:ses"]
        self._add = self._redis.register_script(_ADD)
        self._drain = self._redis.register_script(_DRAIN)

    def add(self, bucket: str, seconds: float, session: str, state: str) -> None:
        self._add(keys=self._keys, args=[repr(seconds) if seconds else "0", bucket, session, state])

    def drain(self) -> Drained:
        out: Any = self._drain(keys=self._keys)
        seconds_flat, sessions_flat = out
        seconds = {
            seconds_flat[i].decode(): float(seconds_flat[i + 1])
            for i in range(0, len(seconds_flat), 2)
        }
        sessions = {
            sessions_flat[i].decode(): sessions_flat[i + 1].decode()
            for i in range(0, len(sessions_flat), 2)
        }
        return Drained(seconds, sessions)

    def close(self) -> None:
        self._redis.close()
