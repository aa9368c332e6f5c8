"""Who plays what now, from which player: the "now playing" list music apps show.

Live counts (``live.py``) know how many listen to a track, not who. Apps speaking the
Subsonic API say what they start playing (``scrobble`` with ``submission=false``) and
never send heartbeats, so an entry stands until the track would have ended (plus a
margin), or until the same person's same player starts another track.

In memory, per process, bounded: like the memory presence, it is not data of record
and a restart forgets it. A deployment of several API processes shows, on each, the
players that reported to it.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from tonearm.types import TrackId, UserId

_KEPT = 4096
_MARGIN_S = 60.0
"""How long past its end an entry stands (pauses, a slow network)."""


@dataclass(frozen=True)
class Playing:
    user_id: UserId
    track_id: TrackId
    player: str
    """The app's name (Subsonic's ``c``), or "" when it gave none."""
    since: float
    """When it started (seconds since the epoch)."""
    until: float

    @property
    def player_id(self) -> int:
        """A stable number for the player (Subsonic numbers its players)."""
        return zlib.crc32(f"{self.user_id}|{self.player}".encode()) & 0x7FFFFFFF


class NowPlaying:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], Playing] = OrderedDict()
        self._lock = threading.Lock()

    def started(
        self, user_id: UserId, track_id: TrackId, player: str, duration_s: float, at: float
    ) -> None:
        """``user_id`` started ``track_id`` at ``at`` on ``player``."""
        until = at + max(0.0, duration_s) + _MARGIN_S
        entry = Playing(user_id, track_id, player, at, until)
        with self._lock:
            key = (str(user_id), player)
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > _KEPT:
                self._entries.popitem(last=False)

    def entries(self) -> list[Playing]:
        """What plays now, most recently started first."""
        now = self._clock()
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.until < now]:
                del self._entries[key]
            current = list(self._entries.values())
        return sorted(current, key=lambda e: (-e.since, e.user_id, e.player))
