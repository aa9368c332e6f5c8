"""Live listener counts: presence in, ``live`` notices out.

The process whose call changed a count publishes the notice on the change feed, which
carries it to every API process's open pages (Redis pub/sub when scaled out). An
expiry is published by the one process that noticed it (``Presence`` promises one);
that process may never have heard the track, so it looks up who may hear of it.

Presence is not data of record: when it is unavailable (Redis down), a heartbeat is
still a heartbeat, and ``heard``/``left`` log it and carry on.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import Unavailable
from tonearm.events import ChangeFeed
from tonearm.events.topics import live_event
from tonearm.library.repository import TrackRepository
from tonearm.livestate.base import Presence
from tonearm.models import Visibility
from tonearm.types import TrackId, UserId

log = logging.getLogger(__name__)

_REMEMBERED = 65536


@dataclass(frozen=True)
class Heard:
    """What a notice about a track needs to know to reach only those who may see it."""

    track_id: TrackId
    owner_id: UserId | None
    visibility: str


Lookup = Callable[[TrackId], Heard | None]
"""Who may hear of a track's count, for an expiry of a track this process never heard."""


class TrackFacts:
    """``Lookup`` from the database: one primary-key read per expiry of a track heard
    only by other processes."""

    def __init__(self, uows: UnitOfWorkFactory) -> None:
        self._uows = uows

    def __call__(self, track_id: TrackId) -> Heard | None:
        with self._uows.read() as session:
            track = TrackRepository(session).get(track_id)
            if track is None:
                return None
            return Heard(track.id, track.owner_id, track.visibility)


class LiveListeners:
    def __init__(self, presence: Presence, feed: ChangeFeed, lookup: Lookup | None = None) -> None:
        self._presence = presence
        self._feed = feed
        self._lookup = lookup
        # Who may hear of an expiry: remembered from the heartbeats that made the entry.
        self._facts: OrderedDict[str, Heard] = OrderedDict()
        self._lock = threading.Lock()
        presence.watch(self._expired)

    def heard(self, track: Heard, listener: str) -> None:
        self._remember(track)
        try:
            count = self._presence.touch(track.track_id, listener)
        except Unavailable:
            log.warning("presence is unavailable: a heartbeat was not counted live")
            return
        if count is not None:
            self._publish(track, count)

    def left(self, track: Heard, listener: str) -> None:
        try:
            count = self._presence.leave(track.track_id, listener)
        except Unavailable:
            log.warning("presence is unavailable: a listener stays counted until expiry")
            return
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
        if track is None and self._lookup is not None:
            try:
                track = self._lookup(TrackId(track_id))
            except Exception:
                log.warning("could not look up track %s for a live notice", track_id, exc_info=True)
        # Unknown (deleted, or the lookup failed): moderators only, never the public.
        self._publish(track or Heard(TrackId(track_id), None, Visibility.PRIVATE), count)

    def _publish(self, track: Heard, count: int) -> None:
        self._feed.publish(
            live_event(track.track_id, count, owner_id=track.owner_id, visibility=track.visibility)
        )
