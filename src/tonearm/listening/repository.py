"""The plays tables, written in batches: counted plays (group commit) and the
write-behind flush of heard seconds.

Every write is a multi-row upsert (``INSERT ... ON CONFLICT``) in the dialect of the
database, so a batch of any size costs a few statements, and replaying a batch (a
retried report, a second process counting the same session) changes nothing twice:
a play's row is keyed by its session, and it counts only while ``counted_at`` is null.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from tonearm.listening.records import SessionState, at, hour_of, unbucket
from tonearm.livestate.base import Drained
from tonearm.models import Track, User
from tonearm.models.listening import ListenerTrack, Play, PlayHour, TrackPlays
from tonearm.types import TrackId, UserId

# Rows per statement: 11 parameters each stays under SQLite's 32766 variables.
_CHUNK = 2000


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _greatest(session: Session, a: Any, b: Any) -> ColumnElement[Any]:
    """The larger of two values, a null ``a`` counting as ``b``."""
    if session.get_bind().dialect.name == "postgresql":
        return func.greatest(a, b)
    return func.max(func.coalesce(a, b), b)


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), _CHUNK):
        yield rows[i : i + _CHUNK]


def _existing(
    session: Session, track_ids: set[TrackId], user_ids: set[UserId]
) -> tuple[set[str], set[str]]:
    """Tracks and people still there (one deleted mid-listen takes its plays with it)."""
    tracks: set[str] = set()
    users: set[str] = set()
    if track_ids:
        tracks.update(session.scalars(select(Track.id).where(Track.id.in_(track_ids))))
    if user_ids:
        users.update(session.scalars(select(User.id).where(User.id.in_(user_ids))))
    return tracks, users


def _same_play(ins: Any) -> ColumnElement[bool]:
    """A session id names one listener's play of one track: a row of another (an id
    reused after the live state forgot its claim) is never changed."""
    return and_(Play.listener == ins.excluded.listener, Play.track_id == ins.excluded.track_id)


def listener_of(session: Session, play_session: str) -> str | None:
    """Who played ``play_session``, if it was ever written."""
    return session.scalar(select(Play.listener).where(Play.session == play_session))


def _play_row(s: SessionState, users: set[str], counted: bool) -> dict[str, Any]:
    return {
        "session": s.session,
        "track_id": s.track_id,
        "owner_id": s.owner_id if s.owner_id in users else None,
        "user_id": s.user_id if s.user_id in users else None,
        "listener": s.listener,
        "rung": s.rung,
        "duration_ms": s.duration_ms,
        "started_at": at(s.started_ms),
        "counted_at": at(s.at_ms) if counted else None,
        "ended_at": at(s.at_ms),
        "seconds": s.credited_ms / 1000,
        "stop_ms": s.stop_ms,
    }


def count_plays(session: Session, plays: Sequence[SessionState]) -> set[str]:
    """Record ``plays`` as counted and add them to the counters; returns the sessions
    that counted now (those already counted, or whose track is gone, are left)."""
    latest = {p.session: p for p in plays}  # one row per session in one statement
    tracks, users = _existing(
        session,
        {p.track_id for p in latest.values()},
        {u for p in latest.values() for u in (p.user_id, p.owner_id) if u is not None},
    )
    rows = [_play_row(p, users, True) for p in latest.values() if p.track_id in tracks]
    if not rows:
        return set()
    ins = _insert(session, Play).values(rows)
    counted = set(
        session.scalars(
            ins.on_conflict_do_update(
                index_elements=[Play.session],
                set_={"counted_at": ins.excluded.counted_at, "rung": ins.excluded.rung},
                where=Play.counted_at.is_(None) & _same_play(ins),
            ).returning(Play.session)
        )
    )
    hours: dict[tuple[datetime, str, str], int] = defaultdict(int)
    per_track: dict[str, tuple[int, datetime]] = {}
    per_listener: dict[tuple[str, str], tuple[int, datetime]] = {}
    for p in latest.values():
        if p.session not in counted:
            continue
        when = at(p.at_ms)
        hours[(hour_of(p.at_ms), p.track_id, p.rung)] += 1
        n, last = per_track.get(p.track_id, (0, when))
        per_track[p.track_id] = (n + 1, max(last, when))
        if p.user_id is not None and p.user_id in users:
            n, last = per_listener.get((p.user_id, p.track_id), (0, when))
            per_listener[(p.user_id, p.track_id)] = (n + 1, max(last, when))
    _add_hours(session, {k: (n, 0.0) for k, n in hours.items()})
    _add_tracks(session, {t: (n, 0.0, last) for t, (n, last) in per_track.items()})
    _add_listeners(session, {k: (n, 0.0, last) for k, (n, last) in per_listener.items()})
    return counted


def flush_heard(session: Session, drained: Drained) -> None:
    """Add drained seconds to the counters and bring the sessions' rows up to date
    (inserting those that never counted: the skips)."""
    states = [SessionState.decode(text) for text in drained.sessions.values()]
    buckets = [(unbucket(key), seconds) for key, seconds in drained.seconds.items()]
    tracks, users = _existing(
        session,
        {s.track_id for s in states} | {b[1] for b, _ in buckets},
        {u for s in states for u in (s.user_id, s.owner_id) if u is not None}
        | {b[3] for b, _ in buckets if b[3] is not None},
    )
    hours: dict[tuple[datetime, str, str], tuple[int, float]] = defaultdict(lambda: (0, 0.0))
    per_track: dict[str, tuple[int, float, datetime | None]] = {}
    per_listener: dict[tuple[str, str], tuple[int, float, datetime | None]] = {}
    for (hour, track_id, rung, user_id), seconds in buckets:
        if track_id not in tracks or seconds <= 0:
            continue
        hours[(hour, track_id, rung)] = (0, hours[(hour, track_id, rung)][1] + seconds)
        per_track[track_id] = (0, per_track.get(track_id, (0, 0.0, None))[1] + seconds, None)
        if user_id is not None and user_id in users:
            old = per_listener.get((user_id, track_id), (0, 0.0, None))
            per_listener[(user_id, track_id)] = (0, old[1] + seconds, None)
    _add_hours(session, hours)
    _add_tracks(session, per_track)
    _add_listeners(session, per_listener)
    rows = [_play_row(s, users, False) for s in states if s.track_id in tracks]
    for chunk in _chunks(rows):
        ins = _insert(session, Play).values(list(chunk))
        session.execute(
            ins.on_conflict_do_update(
                index_elements=[Play.session],
                set_={
                    "seconds": _greatest(session, Play.seconds, ins.excluded.seconds),
                    "stop_ms": ins.excluded.stop_ms,
                    "ended_at": ins.excluded.ended_at,
                    "rung": case((Play.counted_at.is_(None), ins.excluded.rung), else_=Play.rung),
                },
                where=_same_play(ins),
            )
        )


def _upsert_adding(
    session: Session,
    table: Any,
    keys: Sequence[InstrumentedAttribute[Any]],
    rows: list[dict[str, Any]],
    last_played: InstrumentedAttribute[Any] | None,
) -> None:
    """Insert ``rows`` or add their plays and seconds to the rows already there."""
    for chunk in _chunks(rows):
        ins = _insert(session, table).values(list(chunk))
        changes: dict[str, Any] = {
            "plays": table.plays + ins.excluded.plays,
            "seconds": table.seconds + ins.excluded.seconds,
        }
        if last_played is not None:
            changes["last_played_at"] = func.coalesce(
                _greatest(session, last_played, ins.excluded.last_played_at), last_played
            )
        session.execute(ins.on_conflict_do_update(index_elements=list(keys), set_=changes))


def _add_hours(session: Session, hours: dict[tuple[datetime, str, str], tuple[int, float]]) -> None:
    rows = [
        {"hour": h, "track_id": t, "rung": r, "plays": n, "seconds": s}
        for (h, t, r), (n, s) in sorted(hours.items())
    ]
    _upsert_adding(session, PlayHour, [PlayHour.hour, PlayHour.track_id, PlayHour.rung], rows, None)


def _add_tracks(session: Session, totals: dict[str, tuple[int, float, datetime | None]]) -> None:
    rows = [
        {"track_id": t, "plays": n, "seconds": s, "last_played_at": last}
        for t, (n, s, last) in sorted(totals.items())
    ]
    _upsert_adding(session, TrackPlays, [TrackPlays.track_id], rows, TrackPlays.last_played_at)


def _add_listeners(
    session: Session, totals: dict[tuple[str, str], tuple[int, float, datetime | None]]
) -> None:
    rows = [
        {"user_id": u, "track_id": t, "plays": n, "seconds": s, "last_played_at": last}
        for (u, t), (n, s, last) in sorted(totals.items())
    ]
    _upsert_adding(
        session,
        ListenerTrack,
        [ListenerTrack.user_id, ListenerTrack.track_id],
        rows,
        ListenerTrack.last_played_at,
    )
