"""The change feed contract: publish an event from anywhere, receive it on open pages.

An ``Event`` is a topic and a JSON object. What it carries is for the server (who
owns the thing, who may see it); the HTTP edge decides per viewer what to forward and
strips the rest (``social/live.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    topic: str
    """What changed: ``track``, ``playlist``, ``queue``."""
    data: dict[str, Any] = field(default_factory=dict)
    """JSON-serialisable; see ``events/topics.py`` for each topic's shape."""


class Closed(Exception):
    """The subscription has ended: the feed closed, or the subscriber fell too far behind."""


class Subscription(Protocol):
    async def get(self, timeout: float) -> Event | None:
        """The next event, or None when none arrived within ``timeout`` seconds.

        Raises ``Closed`` once the subscription has ended; it never ends by itself
        otherwise.
        """
        ...

    def close(self) -> None:
        """Stop receiving (idempotent); the feed forgets this subscriber."""
        ...


class ChangeFeed(Protocol):
    """Publish/subscribe for change notices.

    MUST: ``publish`` may be called from any thread, never blocks for long and never
    raises for a transport failure (a notice is a hint to reload, not data: a lost one
    is logged, not an error for the request that made the change); a subscriber
    receives every event published after ``subscribe`` returned, in the order one
    publisher published them, until its subscription ends; a subscriber that falls
    ``max_pending`` events behind is ended (``Closed``) rather than buffered without
    bound, and the others are not slowed; ``close`` ends every subscription.
    MAY: deliver across processes (Redis) or only inside this one (memory).
    """

    def publish(self, event: Event) -> None: ...

    async def subscribe(self, *, max_pending: int = 256) -> Subscription:
        """A subscription for the running event loop (``get`` is awaited on it)."""
        ...

    def close(self) -> None: ...
