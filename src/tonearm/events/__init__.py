"""Changes pushed to open pages: a publish/subscribe feed, in-process or over Redis.

``open_feed`` chooses by URL: ``memory://`` (one process: ``tonearm serve`` with its
embedded workers) or ``redis://host:port/db`` (several API processes and workers).
"""

from __future__ import annotations

from tonearm.events.base import ChangeFeed, Closed, Event, Subscription
from tonearm.events.memory import MemoryFeed
from tonearm.events.redis_feed import RedisFeed

__all__ = ["ChangeFeed", "Closed", "Event", "MemoryFeed", "RedisFeed", "Subscription", "open_feed"]


def open_feed(url: str) -> ChangeFeed:
    if url.startswith("memory:"):
        return MemoryFeed()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisFeed(url)
    raise ValueError(f"unsupported events URL {url.split(':', 1)[0]!r}: memory:// or redis://")
