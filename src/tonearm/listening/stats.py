"""Play statistics for the people who own the music: per track and over all of theirs.

Built from the sessions themselves (``plays``), not the hourly rollups, because
listeners, completion and the skip curve need each session: a day's plays are the
sessions that counted that day (UTC), its listeners their distinct listeners, its
seconds those heard in sessions started that day. A session is complete when its
playhead stopped at 90 % of the track or later, or when it heard 90 % of the track's
length; the skip curve bins where every session stopped, in twentieths of the track.

A track's statistics are shown to its owner, moderators and admins; to anyone else
the track does not exist (404), as the library's access rules say.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.errors import NotFound
from tonearm.library.service import LibraryService
from tonearm.listening import chart_schemas as schemas
from tonearm.listening.stats_repository import PlaySession, StatsRepository
from tonearm.models import utcnow
from tonearm.types import TrackId

COMPLETE = 0.9
BINS = 20
TOP_TRACKS = 10


class StatsService:
    def __init__(self, library: LibraryService, clock: Callable[[], datetime] = utcnow) -> None:
        self.library = library
        self._clock = clock

    def _since(self, days: int) -> tuple[date, datetime]:
        today = self._clock().date()
        first = today - timedelta(days=days - 1)
        return first, datetime(first.year, first.month, first.day, tzinfo=UTC)

    def track(
        self, session: Session, viewer: Viewer, track_id: TrackId, days: int
    ) -> schemas.TrackStatsOut:
        track = self.library.visible(session, viewer, track_id)
        if not (viewer.is_moderator or (viewer.signed_in and track.owner_id == viewer.user_id)):
            raise NotFound("No such track.")
        first, since = self._since(days)
        sessions = list(StatsRepository(session).sessions(since, track_id=track.id))
        base = _summary(sessions, first, days)
        return schemas.TrackStatsOut(**base.model_dump(), skip_curve=_skip_curve(sessions))

    def owner(self, session: Session, viewer: Viewer, days: int) -> schemas.OwnerStatsOut:
        user_id = viewer.require_user()
        repo = StatsRepository(session)
        if not repo.owns_tracks(user_id):
            raise NotFound("You have no tracks yet.")
        first, since = self._since(days)
        sessions = list(repo.sessions(since, owner_id=user_id))
        base = _summary(sessions, first, days)
        per_track: dict[TrackId, list[float]] = defaultdict(lambda: [0, 0.0])
        for s in sessions:
            totals = per_track[s.track_id]
            totals[0] += 1 if s.counted_at is not None else 0
            totals[1] += s.seconds
        ranked = sorted(per_track.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        ranked = [kv for kv in ranked if kv[1][0] > 0][:TOP_TRACKS]
        tracks = repo.tracks([t for t, _ in ranked])
        described = {t.id: t for t in self.library.describe(session, viewer, tracks)}
        top = [
            schemas.TopTrackOut(track=described[t], plays=int(p), seconds=round(s, 3))
            for t, (p, s) in ranked
            if t in described
        ]
        return schemas.OwnerStatsOut(**base.model_dump(), top_tracks=top)


def _summary(sessions: Iterable[PlaySession], first: date, days: int) -> schemas.StatsOut:
    plays: Counter[date] = Counter()
    seconds: defaultdict[date, float] = defaultdict(float)
    listeners: defaultdict[date, set[str]] = defaultdict(set)
    everyone: set[str] = set()
    total = complete = 0
    for s in sessions:
        seconds[s.started_at.date()] += s.seconds
        if s.counted_at is not None:
            day = s.counted_at.date()
            plays[day] += 1
            listeners[day].add(s.listener)
            everyone.add(s.listener)
        if s.duration_ms > 0:
            total += 1
            if _complete(s):
                complete += 1
    series = []
    for i in range(days):
        day = first + timedelta(days=i)
        series.append(
            schemas.DayOut(
                day=day,
                plays=plays[day],
                listeners=len(listeners[day]),
                seconds=round(seconds[day], 3),
            )
        )
    return schemas.StatsOut(
        series=series,
        plays=sum(plays.values()),
        listeners=len(everyone),
        seconds=round(sum(seconds.values()), 3),
        completion_rate=round(complete / total, 4) if total else None,
    )


def _complete(s: PlaySession) -> bool:
    edge = COMPLETE * s.duration_ms
    return (s.stop_ms is not None and s.stop_ms >= edge) or s.seconds * 1000 >= edge


def _skip_curve(sessions: Iterable[PlaySession]) -> list[schemas.SkipBinOut]:
    bins = [0] * BINS
    for s in sessions:
        if s.stop_ms is None or s.duration_ms <= 0:
            continue
        at = min(BINS - 1, max(0, int(s.stop_ms * BINS // s.duration_ms)))
        bins[at] += 1
    return [schemas.SkipBinOut(at=round(i / BINS, 2), stopped=n) for i, n in enumerate(bins)]
