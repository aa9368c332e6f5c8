"""The queries behind history, play statistics and the royalty report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from tonearm.models import ListenerTrack, Play, PlayHour, Track, User
from tonearm.types import TrackId, UserId


@dataclass(frozen=True)
class PlaySession:
    """One play session as statistics see it."""

    track_id: TrackId
    listener: str
    started_at: datetime
    counted_at: datetime | None
    seconds: float
    stop_ms: int | None
    duration_ms: int


@dataclass(frozen=True)
class ReportRow:
    track_id: TrackId | None
    title: str | None
    artist: str | None
    owner_id: UserId | None
    owner: str | None
    rung: str
    plays: int
    seconds: float


class StatsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- history ------------------------------------------------------------------------

    def recent(
        self,
        user_id: UserId,
        viewable: ColumnElement[bool],
        before: tuple[datetime, str] | None,
        limit: int,
    ) -> list[tuple[Play, Track]]:
        query = (
            select(Play, Track)
            .join(Track, Track.id == Play.track_id)
            .where(Play.user_id == user_id, viewable)
            .order_by(Play.started_at.desc(), Play.session.desc())
            .limit(limit)
        )
        if before is not None:
            at, session_id = before
            query = query.where(
                or_(Play.started_at < at, and_(Play.started_at == at, Play.session < session_id))
            )
        return [(p, t) for p, t in self.session.execute(query)]

    def most(
        self, user_id: UserId, viewable: ColumnElement[bool], limit: int
    ) -> list[tuple[ListenerTrack, Track]]:
        query = (
            select(ListenerTrack, Track)
            .join(Track, Track.id == ListenerTrack.track_id)
            .where(ListenerTrack.user_id == user_id, ListenerTrack.plays > 0, viewable)
            .order_by(
                ListenerTrack.plays.desc(),
                ListenerTrack.last_played_at.desc(),
                ListenerTrack.track_id,
            )
            .limit(limit)
        )
        return [(lt, t) for lt, t in self.session.execute(query)]

    # -- statistics ---------------------------------------------------------------------

    def owns_tracks(self, owner_id: UserId) -> bool:
        return (
            self.session.scalar(select(Track.id).where(Track.owner_id == owner_id).limit(1))
            is not None
        )

    def sessions(
        self, since: datetime, *, owner_id: UserId | None = None, track_id: TrackId | None = None
    ) -> Iterator[PlaySession]:
        """Sessions started since ``since`` of one track, or of one owner's tracks
        (the owner now, as the report counts them)."""
        query = select(
            Play.track_id,
            Play.listener,
            Play.started_at,
            Play.counted_at,
            Play.seconds,
            Play.stop_ms,
            Play.duration_ms,
        ).where(Play.started_at >= since)
        if track_id is not None:
            query = query.where(Play.track_id == track_id)
        if owner_id is not None:
            query = query.join(Track, Track.id == Play.track_id).where(Track.owner_id == owner_id)
        for row in self.session.execute(query.execution_options(yield_per=5000)):
            yield PlaySession(*row)

    def tracks(self, ids: list[TrackId]) -> list[Track]:
        if not ids:
            return []
        return list(self.session.scalars(select(Track).where(Track.id.in_(ids))))

    # -- the royalty report -------------------------------------------------------------

    def report(
        self, start: datetime, end: datetime, owner_id: UserId | None, by_owner: bool
    ) -> list[ReportRow]:
        """Counted plays and seconds by rung, per track or per owner, in hours
        ``[start, end)``; ``owner_id`` None: every owner."""
        ph = PlayHour
        plays = func.sum(ph.plays)
        seconds = func.sum(ph.seconds)
        where = [ph.hour >= start, ph.hour < end]
        if owner_id is not None:
            where.append(Track.owner_id == owner_id)
        if by_owner:
            rows = self.session.execute(
                select(Track.owner_id, User.username, ph.rung, plays, seconds)
                .join(Track, Track.id == ph.track_id)
                .outerjoin(User, User.id == Track.owner_id)
                .where(*where)
                .group_by(Track.owner_id, User.username, ph.rung)
                .order_by(User.username, ph.rung)
            )
            return [
                ReportRow(None, None, None, o, u, r, int(p or 0), float(s or 0.0))
                for o, u, r, p, s in rows
            ]
        per_track = (
            select(
                ph.track_id.label("track_id"),
                ph.rung.label("rung"),
                plays.label("plays"),
                seconds.label("seconds"),
            )
            .join(Track, Track.id == ph.track_id)
            .where(*where)
            .group_by(ph.track_id, ph.rung)
            .subquery()
        )
        tracks = self.session.execute(
            select(
                per_track.c.track_id,
                Track.title,
                Track.artist,
                Track.owner_id,
                User.username,
                per_track.c.rung,
                per_track.c.plays,
                per_track.c.seconds,
            )
            .join(Track, Track.id == per_track.c.track_id)
            .outerjoin(User, User.id == Track.owner_id)
            .order_by(
                User.username, Track.artist, Track.title, per_track.c.track_id, per_track.c.rung
            )
        )
        return [
            ReportRow(TrackId(t), ti, ar, o, u, r, int(p or 0), float(s or 0.0))
            for t, ti, ar, o, u, r, p, s in tracks
        ]
