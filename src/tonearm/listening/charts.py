"""Charts: the most played and the fastest growing tracks, artists and albums.

Windows are whole UTC hours (``play_hours`` is hourly): ``24h`` is the 24 hours whose
start lies within the last 24 hours (now 12:30 → 13:00 yesterday to 12:59 today), ``7d``
and ``30d`` likewise; ``all`` reads the all-time totals (``track_plays``). Only public
tracks that are not held back are counted; an artist or an album is charted by the
plays of its public tracks only, so a chart is the same for every viewer.

A window's whole UTC days are read from ``play_days`` (daily totals this service rolls
from ``play_hours`` once per closed day, again once if rolled within ``DAY_GRACE`` of its
end) and only its partial first and last days from the hours: at ten million plays a
30-day refresh read 6 million hourly rows (31 s on SQLite), the days are a fifth.

Reads are served from a snapshot (``models/charts.py``), rebuilt when older than
``refresh_s``: the first reader to find it stale claims the refresh (one process, one
thread: a conditional UPDATE across processes, a lock within one) while the others are
served the stale snapshot. A window without any snapshot is computed in place. When a
refresh changes a window's content, ``Event("charts", {"window": ...})`` is published
after the commit. Entries are checked again when read, so a track made private leaves
every chart at once, not at the next refresh.

Trending ranks by growth against the window of the same length just before:
``(plays - previous) / sqrt(previous + 1)``, the rise measured in (Poisson) standard
deviations of the previous count, so ten plays from nothing beat ten more on top of a
thousand; only subjects that grew are listed. ``all`` has no window before it and no
trending chart.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import Invalid
from tonearm.events import ChangeFeed
from tonearm.events.topics import charts_event
from tonearm.library.browse import CatalogService
from tonearm.library.schemas import TrackOut
from tonearm.listening import chart_schemas as schemas
from tonearm.listening.charts_repository import ChartsRepository, TrackCount, WindowBounds
from tonearm.models import ChartEntry, utcnow
from tonearm.types import ArtistId

WINDOWS: dict[str, timedelta | None] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "all": None,
}
KINDS = ("tracks", "artists", "albums")
SORTS = ("top", "trending")
KEEP = 100
"""Entries kept per chart (the most ``limit`` asks for)."""
DAY_GRACE = timedelta(minutes=10)
"""A day's totals are rolled again if they were rolled sooner than this after it ended:
a play counted at 23:59:59 may be committed (group commit) a moment after midnight."""
CLAIM_S = 300.0
"""How long a refresh claim holds: longer than any refresh, short enough that a
process that died mid-refresh does not freeze the chart for long."""

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Ranked:
    subject_id: str
    plays: int
    previous_plays: int
    score: float


def hour_start(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def day_start(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def day_after(at: datetime) -> datetime:
    """The first midnight at or after ``at``."""
    floor = day_start(at)
    return floor if floor == at else floor + timedelta(days=1)


def window_bounds(window: str, now: datetime) -> WindowBounds | None:
    """``window`` and the one before it, cut into whole days and hours; None for ``all``."""
    span = WINDOWS[window]
    if span is None:
        return None
    start = hour_start(now) - span + timedelta(hours=1)
    previous = start - span
    return WindowBounds(
        previous_start=previous,
        start=start,
        previous_days_from=day_after(previous),
        previous_days_to=day_start(start),
        days_from=day_after(start),
        days_to=day_start(now),
    )


def rank(counts: Iterable[TrackCount]) -> dict[tuple[str, str], list[Ranked]]:
    """Every chart of one window, from its per-track counts: (kind, sort) → entries."""
    totals: dict[str, dict[str, list[int]]] = {k: {} for k in KINDS}
    for c in counts:
        for kind, subject in (
            ("tracks", c.track_id),
            ("artists", c.artist_id),
            ("albums", c.album_id),
        ):
            if subject is None:
                continue
            pair = totals[kind].setdefault(str(subject), [0, 0])
            pair[0] += c.plays
            pair[1] += c.previous_plays
    out: dict[tuple[str, str], list[Ranked]] = {}
    for kind, by_subject in totals.items():
        top = [Ranked(s, p, q, float(p)) for s, (p, q) in by_subject.items() if p > 0]
        top.sort(key=lambda r: (-r.plays, r.subject_id))
        out[(kind, "top")] = top[:KEEP]
        rising = [
            Ranked(s, p, q, (p - q) / math.sqrt(q + 1)) for s, (p, q) in by_subject.items() if p > q
        ]
        rising.sort(key=lambda r: (-r.score, -r.plays, r.subject_id))
        out[(kind, "trending")] = rising[:KEEP]
    return out


def digest_of(charts: dict[tuple[str, str], list[Ranked]]) -> str:
    h = hashlib.sha256()
    for key in sorted(charts):
        h.update(repr(key).encode())
        for r in charts[key]:
            h.update(f"{r.subject_id}:{r.plays}:{r.previous_plays};".encode())
    return h.hexdigest()


class ChartService:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        catalog: CatalogService,
        events: ChangeFeed | None,
        *,
        refresh_s: float,
        clock: Clock = utcnow,
    ) -> None:
        self._uows = uows
        self.catalog = catalog
        self.library = catalog.library
        self._events = events
        self.refresh_s = refresh_s
        self._clock = clock
        self._locks = {w: threading.Lock() for w in WINDOWS}
        self._seen: dict[str, datetime] = {}
        """The newest snapshot time this process has seen per window: while it is fresh
        a read needs no look at ``chart_windows``."""

    # -- reading ------------------------------------------------------------------------

    def chart(
        self, viewer: Viewer, kind: str, window: str, sort: str, limit: int
    ) -> schemas.ChartOut:
        """The chart as ``viewer`` is shown it (their likes, what they may edit)."""
        check(kind, window, sort)
        computed = self.ensure_fresh(window)
        now = self._clock()
        with self._uows.read() as session:
            if computed is None:  # another process is making the first snapshot
                ranked = self.compute(session, window, now, days_rolled=False)[(kind, sort)]
                entries = self._describe_ranked(session, viewer, kind, ranked[:limit], now)
            else:
                entries = self._read(session, viewer, kind, window, sort, limit, now)
        return schemas.ChartOut(
            kind=kind, window=window, sort=sort, computed_at=computed or now, entries=entries
        )

    def _read(
        self,
        session: Session,
        viewer: Viewer,
        kind: str,
        window: str,
        sort: str,
        limit: int,
        now: datetime,
    ) -> list[schemas.ChartEntryOut]:
        """From the snapshot: one query for the entries and their subjects, then the
        subjects described as everywhere else."""
        repo = ChartsRepository(session)
        out: list[schemas.ChartEntryOut] = []
        if kind == "tracks":
            tracks = repo.track_entries(window, sort, limit, now)
            described = self.library.describe(session, viewer, [t for _, t in tracks])
            for (e, _), track in zip(tracks, described, strict=True):
                out.append(self._entry(len(out) + 1, e.plays, e.previous_plays, track=track))
        elif kind == "artists":
            artists = repo.artist_entries(window, sort, limit, now)
            people = self.catalog.describe_artists(session, viewer, [a for _, a in artists])
            for (e, _), artist in zip(artists, people, strict=True):
                out.append(self._entry(len(out) + 1, e.plays, e.previous_plays, artist=artist))
        else:
            albums = repo.album_entries(window, sort, limit, now)
            records = self.catalog.describe_albums(session, viewer, [a for _, a in albums])
            for (e, _), album in zip(albums, records, strict=True):
                out.append(self._entry(len(out) + 1, e.plays, e.previous_plays, album=album))
        return out

    def _describe_ranked(
        self, session: Session, viewer: Viewer, kind: str, ranked: list[Ranked], now: datetime
    ) -> list[schemas.ChartEntryOut]:
        """Entries computed in place (no snapshot yet), described the same way."""
        repo = ChartsRepository(session)
        ids = [r.subject_id for r in ranked]
        subjects: dict[str, object]
        if kind == "tracks":
            found = repo.charted_tracks(ids, now)
            shown = [found[i] for i in ids if i in found]
            subjects = {t.id: t for t in self.library.describe(session, viewer, shown)}
        elif kind == "artists":
            artists = repo.charted_artists(ids, now)
            listed = [artists[i] for i in ids if i in artists]
            subjects = {a.id: a for a in self.catalog.describe_artists(session, viewer, listed)}
        else:
            albums = repo.charted_albums(ids, now)
            listed_albums = [albums[i] for i in ids if i in albums]
            subjects = {
                a.id: a for a in self.catalog.describe_albums(session, viewer, listed_albums)
            }
        field = kind[:-1]  # tracks -> track
        return [
            self._entry(i, r.plays, r.previous_plays, **{field: subjects[r.subject_id]})
            for i, r in enumerate((r for r in ranked if r.subject_id in subjects), start=1)
        ]

    @staticmethod
    def _entry(
        position: int, plays: int, previous: int, **subject: object
    ) -> schemas.ChartEntryOut:
        return schemas.ChartEntryOut(
            rank=position,
            plays=plays,
            previous_plays=previous,
            **subject,
        )

    def artist_top(
        self, session: Session, viewer: Viewer, artist_id: ArtistId, limit: int
    ) -> list[TrackOut]:
        """An artist's tracks shown to ``viewer``, the most played by everyone first
        (all-time totals: unlike a chart, not only public tracks count)."""
        artist = self.catalog.artist(session, viewer, artist_id)
        shown = self.catalog.access.cataloged(viewer)
        tracks = ChartsRepository(session).most_played_by(artist.id, shown, limit)
        return self.library.describe(session, viewer, tracks)

    # -- computing ----------------------------------------------------------------------

    def compute(
        self, session: Session, window: str, now: datetime, *, days_rolled: bool = True
    ) -> dict[tuple[str, str], list[Ranked]]:
        """Every chart of ``window``; ``days_rolled``: ``play_days`` holds the window's
        whole days (``roll_days``), else everything is read from the hours."""
        repo = ChartsRepository(session)
        bounds = window_bounds(window, now)
        if bounds is None:
            return rank(repo.all_time_counts(now))
        if not days_rolled:
            return rank(repo.hour_counts(bounds.start, bounds.previous_start, now))
        return rank(repo.window_counts(bounds, now))

    def roll_days(self, window: str, now: datetime) -> int:
        """Write the daily totals ``window`` needs that are missing, one short write
        transaction per day (a first refresh over a long history rolls many)."""
        bounds = window_bounds(window, now)
        if bounds is None:
            return 0
        with self._uows.read() as session:
            days = ChartsRepository(session).unrolled_days(
                bounds.previous_days_from, bounds.days_to, DAY_GRACE
            )
        for day in days:
            with self._uows() as uow:
                ChartsRepository(uow.session).roll_day(day, self._clock())
        return len(days)

    def ensure_fresh(self, window: str) -> datetime | None:
        """Refresh ``window``'s snapshot if it is stale and no one else is at it.

        Returns when the snapshot to read was computed; None when there is none yet
        (another process is making it: the caller computes its answer in place)."""
        now = self._clock()
        seen = self._seen.get(window)
        if seen is not None and (now - seen).total_seconds() < self.refresh_s:
            return seen
        with self._uows.read() as session:
            state = ChartsRepository(session).state(window)
            computed = state.computed_at if state else None
        if computed is not None and (now - computed).total_seconds() < self.refresh_s:
            self._seen[window] = computed
            return computed
        lock = self._locks[window]
        # The first snapshot is waited for; a stale one is served while another refreshes.
        if not lock.acquire(blocking=computed is None):
            return computed
        try:
            return self._refresh_locked(window, computed)
        finally:
            lock.release()

    def refresh(self, window: str) -> bool:
        """Rebuild ``window`` now (a periodic job or the CLI may call it); True when its
        content changed."""
        with self._locks[window]:
            return self._rebuild(window)[1]

    def _refresh_locked(self, window: str, computed: datetime | None) -> datetime | None:
        now = self._clock()
        with self._uows.read() as session:  # another thread may have just done it
            state = ChartsRepository(session).state(window)
            if (
                state is not None
                and state.computed_at is not None
                and state.computed_at != computed
            ):
                return state.computed_at
        with self._uows() as uow:
            claimed = ChartsRepository(uow.session).claim(
                window, now, now + timedelta(seconds=CLAIM_S)
            )
        if not claimed:
            return computed
        return self._rebuild(window)[0]

    def _rebuild(self, window: str) -> tuple[datetime, bool]:
        now = self._clock()
        try:
            # Counted in a read transaction, written in a short one after: on SQLite a
            # write transaction holds the one write lock, and counting 30 days takes
            # seconds at millions of plays (the flusher must not wait for it).
            self.roll_days(window, now)
            with self._uows.read() as session:
                charts = self.compute(session, window, now)
            digest = digest_of(charts)
            entries = [
                ChartEntry(
                    window=window,
                    kind=kind,
                    sort=sort,
                    rank=i,
                    subject_id=r.subject_id,
                    plays=r.plays,
                    previous_plays=r.previous_plays,
                    score=r.score,
                )
                for (kind, sort), ranked in charts.items()
                for i, r in enumerate(ranked, start=1)
            ]
            with self._uows() as uow:
                repo = ChartsRepository(uow.session)
                state = repo.state(window)
                changed = state is None or state.digest != digest
                repo.replace(window, entries, now, digest)
                if changed and self._events is not None:
                    events = self._events
                    uow.after_commit(lambda: events.publish(charts_event(window)))
        except BaseException:
            with self._uows() as uow:
                ChartsRepository(uow.session).release(window)
            raise
        self._seen[window] = now
        return now, changed


def check(kind: str, window: str, sort: str) -> None:
    if kind not in KINDS:
        raise Invalid(f"Unknown chart kind {kind!r}: one of {', '.join(KINDS)}.")
    if window not in WINDOWS:
        raise Invalid(f"Unknown window {window!r}: one of {', '.join(WINDOWS)}.")
    if sort not in SORTS:
        raise Invalid(f"Unknown sort {sort!r}: top or trending.")
    if sort == "trending" and WINDOWS[window] is None:
        raise Invalid("Trending compares a window with the one before it: pick 24h, 7d or 30d.")
