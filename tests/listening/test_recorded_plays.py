"""Plays an app reports after the fact (``PlayService.record``: Subsonic's scrobble) and
what it says it starts (``playing``: now playing and live counts), in process on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.listening.conftest import T0, Plays
from tonearm.accounts.principal import Viewer
from tonearm.errors import Invalid, NotFound
from tonearm.models.listening import ListenerTrack, Play
from tonearm.types import TrackId

AT_MS = int(T0 * 1000) - 3_600_000
"""An hour before the test clock's now."""


def test_a_recorded_play_counts_like_one_heard_and_only_once(plays: Plays) -> None:
    with plays.c.infra.uows.read() as db:
        assert plays.service.record(db, plays.member, [(plays.long, AT_MS)]) == 1
        # The app sends its queue again: the same (person, track, time) counts nothing.
        assert plays.service.record(db, plays.member, [(plays.long, AT_MS)] * 2) == 0
    plays.flusher.flush()
    counters = plays.counters(plays.long)
    assert counters == {
        "plays_rows": 1,
        "counted_rows": 1,
        "hour_plays": 1,
        "hour_seconds": pytest.approx(200.0, abs=0.01),
        "track_plays": 1,
        "track_seconds": pytest.approx(200.0, abs=0.01),
        "listener_plays": 1,
    }
    with plays.c.infra.uows.read() as db:
        row = db.scalar(select(Play).where(Play.track_id == plays.long))
        assert row is not None
        assert row.user_id == plays.member.user_id
        assert row.started_at.timestamp() == AT_MS / 1000
        assert row.counted_at is not None and row.counted_at.timestamp() == AT_MS / 1000
        mine = db.get(ListenerTrack, (plays.member.user_id, plays.long))
        assert mine is not None and mine.last_played_at is not None
        assert mine.last_played_at.timestamp() == AT_MS / 1000


def test_other_times_are_other_plays_and_no_time_is_now(plays: Plays) -> None:
    with plays.c.infra.uows.read() as db:
        played = [(plays.short, AT_MS), (plays.short, AT_MS + 60_000), (plays.short, None)]
        assert plays.service.record(db, plays.member, played) == 3
        # A time in the future is now.
        assert plays.service.record(db, plays.owner, [(plays.short, AT_MS * 10)]) == 1
    with plays.c.infra.uows.read() as db:
        latest = db.scalars(
            select(Play.started_at).where(Play.user_id == plays.owner.user_id)
        ).one()
    assert latest.timestamp() == T0
    assert plays.counters(plays.short)["track_plays"] == 4


def test_invisible_tracks_and_absurd_times_record_nothing(plays: Plays) -> None:
    with plays.c.infra.uows.read() as db:
        with pytest.raises(NotFound):
            plays.service.record(db, plays.member, [(plays.long, AT_MS), (plays.private, AT_MS)])
        with pytest.raises(Invalid):
            plays.service.record(db, plays.member, [(plays.long, 12_345)])
        # Unlisted tracks are reached by link: they may be played, and counted.
        assert plays.service.record(db, plays.member, [(plays.unlisted, AT_MS)]) == 1
    assert plays.counters(plays.long)["plays_rows"] == 0


def test_playing_is_now_playing_until_the_track_would_end(plays: Plays) -> None:
    service = plays.service

    def playing(viewer: Viewer, track: TrackId, player: str, at: float) -> None:
        plays.clock.at(at)
        with plays.c.infra.uows.read() as db:
            service.playing(db, viewer, track, player)

    playing(plays.member, plays.long, "phone", 0)
    playing(plays.owner, plays.short, "", 1)
    with pytest.raises(NotFound):
        playing(plays.member, plays.private, "phone", 1)
    now = [(e.user_id, e.track_id, e.player) for e in service.now_playing.entries()]
    assert now == [
        (plays.owner.user_id, plays.short, ""),
        (plays.member.user_id, plays.long, "phone"),
    ]
    # The same player's next track replaces its entry; another player adds one.
    playing(plays.member, plays.short, "phone", 2)
    playing(plays.member, plays.long, "desktop", 3)
    mine = [(e.track_id, e.player) for e in service.now_playing.entries()]
    assert mine == [(plays.long, "desktop"), (plays.short, "phone"), (plays.short, "")]
    # An entry stands until the track would have ended, plus a minute.
    plays.clock.at(3 + 20 + 60 + 1)
    left = [(e.user_id, e.track_id) for e in service.now_playing.entries()]
    assert left == [(plays.member.user_id, plays.long)]
    plays.clock.at(3 + 200 + 60 + 1)
    assert service.now_playing.entries() == []


def test_a_page_player_starting_is_now_playing(plays: Plays) -> None:
    plays.start(plays.member, "session-one", plays.long)
    entries = plays.service.now_playing.entries()
    assert [(e.user_id, e.track_id) for e in entries] == [(plays.member.user_id, plays.long)]
