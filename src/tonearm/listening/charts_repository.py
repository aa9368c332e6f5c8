"""The queries behind charts: per-track plays of a window from the rollups, snapshots.

Only public tracks that are not held back (``Track.reveal_at``) are charted, whoever
asks: a chart is the same for everyone, so it can be computed once and stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from tonearm.models import (
    Album,
    Artist,
    ChartEntry,
    ChartWindow,
    PlayDay,
    PlayDayMark,
    PlayHour,
    Track,
    TrackPlays,
    Visibility,
)
from tonearm.models.base import UTCDateTime
from tonearm.types import AlbumId, ArtistId, TrackId


@dataclass(frozen=True)
class WindowBounds:
    """A window ``[start, ..)`` and the one before it ``[previous_start, start)``, cut
    into whole UTC days (read from ``play_days``) and the hours around them: days
    ``[previous_days_from, previous_days_to)`` and ``[days_from, days_to)``; hours
    ``[previous_start, previous_days_from)``, ``[previous_days_to, days_from)`` (the
    day holding ``start``) and ``[days_to, ..)`` (today)."""

    previous_start: datetime
    start: datetime
    previous_days_from: datetime
    previous_days_to: datetime
    days_from: datetime
    days_to: datetime


@dataclass(frozen=True)
class TrackCount:
    """One public track's counted plays in a window and in the one before it."""

    track_id: TrackId
    artist_id: ArtistId | None
    album_id: AlbumId | None
    plays: int
    previous_plays: int


def charted(now: datetime) -> ColumnElement[bool]:
    """Tracks that may be charted: public, and not held back as a fresh upload."""
    return and_(
        Track.visibility == Visibility.PUBLIC,
        or_(Track.reveal_at.is_(None), Track.reveal_at <= now),
    )


class ChartsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- counting -----------------------------------------------------------------------

    def window_counts(self, bounds: WindowBounds, now: datetime) -> list[TrackCount]:
        """Plays per charted track in a window and the one before it: whole days from
        ``play_days`` (rolled first: ``unrolled_days``/``roll_day``), the partial days
        at the edges from ``play_hours``. One plain range per statement, so each is an
        index range scan (an ``OR`` of ranges made SQLite scan every hour)."""
        b = bounds
        ranges = (
            (
                PlayHour.hour,
                PlayHour.plays,
                PlayHour.track_id,
                b.previous_start,
                b.previous_days_from,
            ),
            (
                PlayDay.day,
                PlayDay.plays,
                PlayDay.track_id,
                b.previous_days_from,
                b.previous_days_to,
            ),
            (PlayHour.hour, PlayHour.plays, PlayHour.track_id, b.previous_days_to, b.days_from),
            (PlayDay.day, PlayDay.plays, PlayDay.track_id, b.days_from, b.days_to),
            (PlayHour.hour, PlayHour.plays, PlayHour.track_id, b.days_to, None),
        )
        totals: dict[str, TrackCount] = {}
        for at, plays, track_id, lo, hi in ranges:
            if hi is not None and hi <= lo:
                continue
            where = [at >= lo] if hi is None else [at >= lo, at < hi]
            grouped = (
                select(
                    track_id.label("track_id"),
                    func.sum(case((at >= b.start, plays), else_=0)).label("plays"),
                    func.sum(case((at < b.start, plays), else_=0)).label("previous"),
                )
                .where(*where)
                .group_by(track_id)
                .subquery()
            )
            rows = self.session.execute(
                select(
                    grouped.c.track_id,
                    Track.artist_id,
                    Track.album_id,
                    grouped.c.plays,
                    grouped.c.previous,
                )
                .join(Track, Track.id == grouped.c.track_id)
                .where(charted(now))
            )
            for t, a, al, p, q in rows:
                seen = totals.get(t)
                current, previous = int(p or 0), int(q or 0)
                if seen is not None:
                    current += seen.plays
                    previous += seen.previous_plays
                totals[t] = TrackCount(TrackId(t), a, al, current, previous)
        return list(totals.values())

    # -- daily totals -------------------------------------------------------------------

    def unrolled_days(self, first: datetime, end: datetime, grace: timedelta) -> list[datetime]:
        """Days in ``[first, end)`` not rolled yet, or rolled less than ``grace`` after
        they ended (plays counted then may have been committed after the roll)."""
        done = {
            day
            for day, at in self.session.execute(
                select(PlayDayMark.day, PlayDayMark.rolled_at).where(
                    PlayDayMark.day >= first, PlayDayMark.day < end
                )
            )
            if at >= day + timedelta(days=1) + grace
        }
        out, day = [], first
        while day < end:
            if day not in done:
                out.append(day)
            day += timedelta(days=1)
        return out

    def hour_counts(
        self, start: datetime, previous_start: datetime, now: datetime
    ) -> list[TrackCount]:
        """The same counts from ``play_hours`` alone (slow over long windows): for an
        answer computed in place while another process rolls the days."""
        ph = PlayHour
        per_track = (
            select(
                ph.track_id.label("track_id"),
                func.sum(case((ph.hour >= start, ph.plays), else_=0)).label("plays"),
                func.sum(case((ph.hour < start, ph.plays), else_=0)).label("previous"),
            )
            .where(ph.hour >= previous_start)
            .group_by(ph.track_id)
            .subquery()
        )
        rows = self.session.execute(
            select(
                per_track.c.track_id,
                Track.artist_id,
                Track.album_id,
                per_track.c.plays,
                per_track.c.previous,
            )
            .join(Track, Track.id == per_track.c.track_id)
            .where(charted(now))
        )
        return [TrackCount(TrackId(t), a, b, int(p or 0), int(q or 0)) for t, a, b, p, q in rows]

    def roll_day(self, day: datetime, now: datetime) -> None:
        """(Re)write ``day``'s totals from its hours; idempotent."""
        ph = PlayHour
        self.session.execute(delete(PlayDay).where(PlayDay.day == day))
        self.session.execute(
            insert(PlayDay).from_select(
                ["day", "track_id", "plays"],
                select(literal(day, UTCDateTime()), ph.track_id, func.sum(ph.plays))
                .where(ph.hour >= day, ph.hour < day + timedelta(days=1))
                .group_by(ph.track_id)
                .having(func.sum(ph.plays) > 0),
            )
        )
        mark = self.session.get(PlayDayMark, day)
        if mark is None:
            self.session.add(PlayDayMark(day=day, rolled_at=now))
        else:
            mark.rolled_at = now

    def all_time_counts(self, now: datetime) -> list[TrackCount]:
        rows = self.session.execute(
            select(TrackPlays.track_id, Track.artist_id, Track.album_id, TrackPlays.plays)
            .join(Track, Track.id == TrackPlays.track_id)
            .where(TrackPlays.plays > 0, charted(now))
        )
        return [TrackCount(TrackId(t), a, b, int(p), 0) for t, a, b, p in rows]

    # -- snapshots ----------------------------------------------------------------------

    def state(self, window: str) -> ChartWindow | None:
        return self.session.get(ChartWindow, window)

    def claim(self, window: str, now: datetime, until: datetime) -> bool:
        """Take the refresh of ``window`` unless someone holds an unexpired claim."""
        result = self.session.execute(
            update(ChartWindow)
            .where(
                ChartWindow.window == window,
                or_(ChartWindow.refreshing_until.is_(None), ChartWindow.refreshing_until < now),
            )
            .values(refreshing_until=until)
        )
        return bool(getattr(result, "rowcount", 0))

    def replace(
        self, window: str, entries: Sequence[ChartEntry], computed_at: datetime, digest: str
    ) -> None:
        self.session.execute(delete(ChartEntry).where(ChartEntry.window == window))
        self.session.add_all(entries)
        self.session.execute(
            update(ChartWindow)
            .where(ChartWindow.window == window)
            .values(computed_at=computed_at, refreshing_until=None, digest=digest)
        )

    def release(self, window: str) -> None:
        self.session.execute(
            update(ChartWindow).where(ChartWindow.window == window).values(refreshing_until=None)
        )

    # -- reading: entries still chartable now ------------------------------------------

    def _entries(self, window: str, kind: str, sort: str) -> list[ColumnElement[bool]]:
        return [ChartEntry.window == window, ChartEntry.kind == kind, ChartEntry.sort == sort]

    def track_entries(
        self, window: str, sort: str, limit: int, now: datetime
    ) -> list[tuple[ChartEntry, Track]]:
        """The chart's tracks in rank order, less any no longer public (checked here, so
        a track made private leaves every chart at once, not at the next refresh)."""
        rows = self.session.execute(
            select(ChartEntry, Track)
            .join(Track, Track.id == ChartEntry.subject_id)
            .where(*self._entries(window, "tracks", sort), charted(now))
            .order_by(ChartEntry.rank)
            .limit(limit)
        )
        return [(e, t) for e, t in rows]

    def artist_entries(
        self, window: str, sort: str, limit: int, now: datetime
    ) -> list[tuple[ChartEntry, Artist]]:
        through = select(Track.id).where(Track.artist_id == Artist.id, charted(now)).exists()
        rows = self.session.execute(
            select(ChartEntry, Artist)
            .join(Artist, Artist.id == ChartEntry.subject_id)
            .where(*self._entries(window, "artists", sort), through)
            .order_by(ChartEntry.rank)
            .limit(limit)
        )
        return [(e, a) for e, a in rows]

    def album_entries(
        self, window: str, sort: str, limit: int, now: datetime
    ) -> list[tuple[ChartEntry, Album]]:
        through = select(Track.id).where(Track.album_id == Album.id, charted(now)).exists()
        rows = self.session.execute(
            select(ChartEntry, Album)
            .join(Album, Album.id == ChartEntry.subject_id)
            .where(*self._entries(window, "albums", sort), through)
            .order_by(ChartEntry.rank)
            .limit(limit)
        )
        return [(e, a) for e, a in rows]

    def charted_tracks(self, ids: Sequence[str], now: datetime) -> dict[str, Track]:
        if not ids:
            return {}
        rows = self.session.scalars(select(Track).where(Track.id.in_(ids), charted(now)))
        return {t.id: t for t in rows}

    def charted_artists(self, ids: Sequence[str], now: datetime) -> dict[str, Artist]:
        if not ids:
            return {}
        through = select(Track.id).where(Track.artist_id == Artist.id, charted(now)).exists()
        rows = self.session.scalars(select(Artist).where(Artist.id.in_(ids), through))
        return {a.id: a for a in rows}

    def charted_albums(self, ids: Sequence[str], now: datetime) -> dict[str, Album]:
        if not ids:
            return {}
        through = select(Track.id).where(Track.album_id == Album.id, charted(now)).exists()
        rows = self.session.scalars(select(Album).where(Album.id.in_(ids), through))
        return {a.id: a for a in rows}

    # -- an artist's most played ----------------------------------------------------------

    def most_played_by(
        self, artist_id: ArtistId, shown: ColumnElement[bool], limit: int
    ) -> list[Track]:
        """The artist's tracks that satisfy ``shown``, the most played (all-time totals)
        first, then the unplayed ones in album order."""
        plays = func.coalesce(TrackPlays.plays, 0)
        return list(
            self.session.scalars(
                select(Track)
                .outerjoin(TrackPlays, TrackPlays.track_id == Track.id)
                .where(Track.artist_id == artist_id, shown)
                .order_by(
                    plays.desc(),
                    Track.album_id,
                    func.coalesce(Track.disc_number, 1),
                    func.coalesce(Track.track_number, 10000),
                    Track.id,
                )
                .limit(limit)
            )
        )
