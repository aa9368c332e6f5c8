"""The live-state contracts: what the API processes share that is not data of record.

Nothing here is the source of truth for anything that must survive: presence is who
is listening now, and rebuilds itself from the next heartbeats after a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

CountChanged = Callable[[str, int], None]
"""``(track_id, listeners now)``."""


class Presence(Protocol):
    """Who is listening to which track now.

    An entry (track, listener) lives ``ttl_s`` (a constructor argument) after its last
    ``touch``; a listener counts once per track however many processes or tabs report it.

    MUST: ``touch`` and ``leave`` return the track's new count when the call changed it
    (a new listener, one gone) and None otherwise; an entry's expiry is noticed without a
    polling loop (a timer for the next deadline in memory; key expiry on Redis) and is
    reported to the watchers of exactly one process in the deployment, once; every
    method may be called from any thread and never blocks for long.
    MAY: report an expiry up to a second or two late.
    """

    def touch(self, track_id: str, listener: str) -> int | None: ...

    def leave(self, track_id: str, listener: str) -> int | None: ...

    def counts(self, track_ids: Iterable[str]) -> dict[str, int]:
        """Listeners now for each of ``track_ids`` (0 included)."""
        ...

    def busiest(self, limit: int) -> list[tuple[str, int]]:
        """The tracks with the most listeners now, most first, ties by track id."""
        ...

    def total(self) -> int:
        """Distinct listeners now, over every track."""
        ...

    def watch(self, callback: CountChanged) -> None:
        """Call ``callback`` for each count change that an expiry made (changes made by
        ``touch``/``leave`` are returned to their caller instead). Called from any thread."""
        ...

    def close(self) -> None: ...
