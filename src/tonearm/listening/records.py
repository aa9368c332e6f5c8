"""What the service hands to the database writers: counted plays and the latest state of
sessions heard, with their encodings in the live-state tally."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from tonearm.types import TrackId, UserId


@dataclass(frozen=True)
class SessionState:
    """A session as the ``plays`` table should show it after the next flush."""

    session: str
    track_id: TrackId
    owner_id: UserId | None
    user_id: UserId | None
    listener: str
    rung: str
    duration_ms: int
    started_ms: int
    credited_ms: int
    stop_ms: int
    at_ms: int
    """The report that made this state (the row's ``ended_at``)."""

    def encode(self) -> str:
        # A list in field order, by hand: asdict() deep-copies, several times the cost
        # of the rest of a heartbeat.
        return json.dumps(
            [
                self.session,
                self.track_id,
                self.owner_id,
                self.user_id,
                self.listener,
                self.rung,
                self.duration_ms,
                self.started_ms,
                self.credited_ms,
                self.stop_ms,
                self.at_ms,
            ],
            separators=(",", ":"),
        )

    @staticmethod
    def decode(text: str) -> SessionState:
        return SessionState(*json.loads(text))


def at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def hour_of(ms: int) -> datetime:
    return at(ms - ms % 3_600_000)


def bucket(hour_ms: int, track_id: str, rung: str, user_id: str | None) -> str:
    """A tally key: seconds heard in one hour of one track at one rung by one person
    ("" for anonymous listeners). Ids and rungs hold no "|"."""
    return f"{hour_ms}|{track_id}|{rung}|{user_id or ''}"


def unbucket(key: str) -> tuple[datetime, TrackId, str, UserId | None]:
    hour, track_id, rung, user_id = key.split("|")
    return hour_of(int(hour)), TrackId(track_id), rung, UserId(user_id) if user_id else None
