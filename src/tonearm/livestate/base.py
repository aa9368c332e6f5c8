"""The live-state contracts: what the API processes share that is not data of record.

Nothing here is the source of truth for anything that must survive: presence is who
is listening now, and rebuilds itself from the next heartbeats after a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Advance:
    """What ``PlaySessions.advance`` found and did, atomically."""

    previous: int | None
    """Credited ms before this call; None: the session had no state (a new one, or one
    this deployment forgot: the state is rebuilt and nothing is credited for the past)."""
    credited: int
    """Credited ms now: max(previous, offered)."""
    counted: bool
    """Whether the session's play is marked counted."""
    duplicate: bool = False
    """The stamp equals the last accepted one: nothing changed (an idempotent retry)."""
    retry_after_s: float = 0.0
    """> 0: refused, too soon after the last accepted report; nothing changed."""
    ended: bool = False
    """The session has ended: a report that is not a duplicate changed nothing."""


class PlaySessions(Protocol):
    """The open play sessions' state, shared by every API process.

    A session's state is small (credited ms, the last report's stamp and time, counted,
    ended) and lives ``ttl_s`` after its last change. It is a cache of the truth the
    token and the ``plays`` table hold: losing it (a restart of the embedded process)
    costs credit, never a double count.

    MUST: every method is atomic across processes (two processes reporting one session
    at once see one order); ``advance`` never lowers ``credited``; ``claim`` gives a
    session id to the first listener that asks and answers the holder to later ones.
    """

    def claim(self, session: str, listener: str, started_ms: int, ttl_s: float) -> tuple[str, int]:
        """Give ``session`` to ``listener`` unless someone holds it: (holder, started_ms)."""
        ...

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
        """Credit ``max(old, credited_ms)`` unless ``stamp`` repeats the last report
        (duplicate), the session has ended, or the last report is under ``min_gap_s``
        old (``min_gap_s`` 0: never too soon). ``end`` marks the session ended. ``pause``
        marks this report a pause: the report after a pause is never too soon (a person
        may press play again at once)."""
        ...

    def mark_counted(self, session: str, ttl_s: float) -> bool:
        """Mark the session's play counted; True only for the call that marked it."""
        ...

    def hit(self, key: str, window_s: float, now: float) -> int:
        """Count one event for ``key`` in the current fixed window of ``window_s``
        (rate limits); returns the events in the window so far, this one included."""
        ...


@dataclass(frozen=True)
class Drained:
    """What a ``Tally`` held, taken out at once."""

    seconds: dict[str, float]
    """Seconds heard per bucket key (the caller's encoding: hour, track, rung, user)."""
    sessions: dict[str, str]
    """The latest state of each touched session (the caller's encoding)."""

    def __bool__(self) -> bool:
        return bool(self.seconds or self.sessions)


class Tally(Protocol):
    """Write-behind: heard seconds added up between flushes.

    MUST: ``add`` is atomic and never loses an addition made before a ``drain`` began;
    ``drain`` takes everything at once (an addition lands wholly in one drain or the
    next, never in two) and may be called by any number of processes at once.
    """

    def add(self, bucket: str, seconds: float, session: str, state: str) -> None: ...

    def drain(self) -> Drained: ...
