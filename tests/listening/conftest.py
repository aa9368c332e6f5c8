"""Play sessions built in process on SQLite and PostgreSQL, with a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import build_container, member_viewer, stage
from tests.fixtures.audio import make_audio
from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.listening.flush import CountWriter, Flusher
from tonearm.listening.live import LiveListeners
from tonearm.listening.service import PlayAnswer, PlayRules, PlayService, Report
from tonearm.listening.tokens import PlayTokens
from tonearm.livestate.base import PlaySessions
from tonearm.livestate.memory import MemoryPlaySessions, MemoryPresence, MemoryTally
from tonearm.models import Visibility
from tonearm.models.listening import ListenerTrack, Play, PlayHour, TrackPlays
from tonearm.types import TrackId

SECRET = b"k" * 32
T0 = 1_800_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now

    def at(self, seconds: float) -> None:
        """Move to ``seconds`` after T0."""
        self.now = T0 + seconds


@dataclass
class Plays:
    """A play service on a real database, its clock, people and tracks."""

    c: Container
    service: PlayService
    clock: FakeClock
    tally: MemoryTally
    counts: CountWriter
    flusher: Flusher
    owner: Viewer
    member: Viewer
    long: TrackId
    """Public, 200 s."""
    short: TrackId
    """Public, 20 s."""
    private: TrackId
    unlisted: TrackId

    def rebuilt(self, sessions: PlaySessions | None = None) -> PlayService:
        """The same deployment after a restart: live state forgotten (unless given)."""
        return PlayService(
            self.c.library,
            PlayTokens(SECRET),
            sessions or MemoryPlaySessions(),
            self.tally,
            self.counts,
            LiveListeners(MemoryPresence(30.0), self.c.infra.events),
            self.service.rules,
            clock=self.clock,
        )

    def start(
        self, viewer: Viewer, session: str, track: TrackId, service: PlayService | None = None
    ) -> PlayAnswer:
        s = service or self.service
        with self.c.infra.uows.read() as db:
            return s.settle(s.start(db, viewer, session, track, "128k", client="10.0.0.1"))

    def beat(
        self,
        viewer: Viewer,
        answer: PlayAnswer,
        played_ms: int,
        position_ms: int | None = None,
        *,
        event: str = "progress",
        rung: str = "128k",
        service: PlayService | None = None,
    ) -> PlayAnswer:
        s = service or self.service
        report = Report(
            event,  # type: ignore[arg-type]
            answer.session,
            answer.token,
            played_ms,
            played_ms if position_ms is None else position_ms,
            rung,
        )
        return s.settle(s.report(report, (viewer.binding,)))

    def counters(self, track: TrackId) -> dict[str, Any]:
        """Every counter of ``track`` as the database holds it now."""
        with self.c.infra.uows.read() as db:
            return {
                "plays_rows": db.scalar(
                    select(func.count()).select_from(Play).where(Play.track_id == track)
                ),
                "counted_rows": db.scalar(
                    select(func.count())
                    .select_from(Play)
                    .where(Play.track_id == track, Play.counted_at.is_not(None))
                ),
                "hour_plays": db.scalar(
                    select(func.coalesce(func.sum(PlayHour.plays), 0)).where(
                        PlayHour.track_id == track
                    )
                ),
                "hour_seconds": db.scalar(
                    select(func.coalesce(func.sum(PlayHour.seconds), 0.0)).where(
                        PlayHour.track_id == track
                    )
                ),
                "track_plays": db.scalar(
                    select(func.coalesce(func.sum(TrackPlays.plays), 0)).where(
                        TrackPlays.track_id == track
                    )
                ),
                "track_seconds": db.scalar(
                    select(func.coalesce(func.sum(TrackPlays.seconds), 0.0)).where(
                        TrackPlays.track_id == track
                    )
                ),
                "listener_plays": db.scalar(
                    select(func.coalesce(func.sum(ListenerTrack.plays), 0)).where(
                        ListenerTrack.track_id == track
                    )
                ),
            }


def _track(c: Container, owner: Viewer, path: Path, visibility: Visibility) -> TrackId:
    assert owner.user_id is not None
    accepted = c.ingest.service.finish(stage(c, path), owner.user_id, visibility)
    return accepted.track_id


def make_plays(tmp_path: Path, database_url: str, *, anonymous: bool = True) -> Plays:
    c = build_container(
        tmp_path / "data", database_url, accounts={"anonymous_listening": anonymous}
    )
    clock = FakeClock()
    owner = replace(member_viewer(c, "owner"), binding="owner-cookie")
    member = replace(member_viewer(c, "member"), binding="member-cookie")
    long_wav = make_audio(tmp_path / "long.wav", seconds=200.0, rate=8000, channels=1)
    short_wav = make_audio(
        tmp_path / "short.wav", seconds=20.0, rate=8000, channels=1, frequency=300.0
    )
    other_wav = make_audio(
        tmp_path / "other.wav", seconds=40.0, rate=8000, channels=1, frequency=500.0
    )
    unlisted_wav = make_audio(
        tmp_path / "unl.wav", seconds=40.0, rate=8000, channels=1, frequency=600.0
    )
    tally = MemoryTally()
    counts = CountWriter(c.infra.uows, window_s=0.005)
    service = PlayService(
        c.library,
        PlayTokens(SECRET),
        MemoryPlaySessions(),
        tally,
        counts,
        LiveListeners(MemoryPresence(30.0), c.infra.events),
        PlayRules(
            count_after_ms=30_000, heartbeat_s=10.0, min_heartbeat_gap_s=1.0, starts_per_minute=60
        ),
        clock=clock,
    )
    return Plays(
        c=c,
        service=service,
        clock=clock,
        tally=tally,
        counts=counts,
        flusher=Flusher(tally, c.infra.uows, 60.0),
        owner=owner,
        member=member,
        long=_track(c, owner, long_wav, Visibility.PUBLIC),
        short=_track(c, owner, short_wav, Visibility.PUBLIC),
        private=_track(c, owner, other_wav, Visibility.PRIVATE),
        unlisted=_track(c, owner, unlisted_wav, Visibility.UNLISTED),
    )


@pytest.fixture
def plays(tmp_path: Path, database_url: str) -> Iterator[Plays]:
    p = make_plays(tmp_path, database_url)
    yield p
    p.counts.stop()
    p.c.close()


ANONYMOUS = Viewer(user_id=None)

# The read side's site (charts, history, statistics, reports), rows written directly.
from tests.listening.world import world  # noqa: E402, F401
