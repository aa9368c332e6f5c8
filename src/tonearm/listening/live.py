"""Live listener counts: presence in, ``live`` notices out.

The process whose call changed a count publishes the notice on the change feed, which
carries it to every API process's open pages (Redis pub/sub when scaled out). An
expiry is published by the one process that noticed it (``Presence`` promises one).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from tonearm.events import ChangeFeed
from tonearm.events.topics import live_event
from tonearm.livestate.base import Presence
from tonearm.models import Visibility
from tonearm.types import TrackId, UserId

_REMEMBERED = 65536


@dataclass(frozen=True)
class Heard:
    """What a notice about a track needs to know to reach only those who may see it."""

    track_id: TrackId
    owner_id: UserId | None
    visibility: str


class LiveListeners:
    def __init__(self, presence: Presence, feed: ChangeFeed) -> None:
        self._presence = presence
        self._feed = feed
        # Who may hear of an expiry: remembered from the heartbeats that made the entry.
        self._facts: OrderedDict[str, Heard] = OrderedDict()
        self._lock = threading.Lock()
        presence.watch(self._expired)

    def heard(self, track: Heard, listener: str) -> None:
        self._remember(track)
        count = self._presence.touch(track.track_id, listener)
        if count is not None:
            self._publish(track, count)

    def left(self, track: Heard, listener: str) -> None:
        count = self._presence.leave(track.track_id, listener)
        if count is not None:
            self._publish(track, count)

    def counts(self, track_ids: Iterable[str]) -> dict[str, int]:
        return self._presence.counts(track_ids)

    def busiest(self, limit: int) -> list[tuple[str, int]]:
        return self._presence.busiest(limit)

    def total(self) -> int:
        return self._presence.total()

    def _remember(self, track: Heard) -> None:
        with self._lock:
            self._facts[track.track_id] = track
            self._facts.move_to_end(track.track_id)
            if len(self._facts) > _REMEMBERED:
                self._facts.popitem(last=False)

    def _expired(self, track_id: str, count: int) -> None:
        with self._lock:
            track = self._facts.get(track_id)
        # Heard by another process only: tell its owner and moderators, never the public.
        self._publish(track or Heard(TrackId(track_id), None, Visibility.PRIVATE), count)

    def _publish(self, track: Heard, count: int) -> None:
        self._feed.publish(
            live_event(track.track_id, count, owner_id=track.owner_id, visibility=track.visibility)
        )
