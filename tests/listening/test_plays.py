"""The play-session rules, with a clock the test moves, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.listening.conftest import ANONYMOUS, T0, Plays, make_plays
from tonearm.errors import Conflict, Forbidden, Invalid, NotFound, Throttled, Unauthenticated
from tonearm.listening.service import Report
from tonearm.models.listening import Play


def test_29_9_seconds_do_not_count_and_30_do(plays: Plays) -> None:
    p = plays
    started = p.start(p.member, "session-a", p.long)
    assert (started.counted, started.credited_ms, started.count_after_ms) == (False, 0, 30_000)
    p.clock.at(29.9)
    almost = p.beat(p.member, started, 29_900)
    assert (almost.counted, almost.credited_ms) == (False, 29_900)
    assert p.counters(p.long)["counted_rows"] == 0
    p.clock.at(31.0)
    assert p.beat(p.member, started, 29_999).counted is False
    p.clock.at(32.0)
    counted = p.beat(p.member, started, 30_000)
    assert (counted.counted, counted.credited_ms) == (True, 30_000)
    # Committed before the answer: the counters are there already, no flush needed.
    after = p.counters(p.long)
    assert after["counted_rows"] == 1
    assert after["hour_plays"] == after["track_plays"] == after["listener_plays"] == 1


def test_the_wall_clock_caps_what_a_player_claims(plays: Plays) -> None:
    """Seeking forward (or lying) moves played_ms beyond the time that passed."""
    p = plays
    started = p.start(p.member, "session-seek", p.long)
    p.clock.at(5.0)
    seek = p.beat(p.member, started, 100_000, 150_000)
    assert (seek.counted, seek.credited_ms) == (False, 5_000)
    p.clock.at(29.9)
    assert p.beat(p.member, started, 190_000).credited_ms == 29_900
    assert p.counters(p.long)["counted_rows"] == 0
    p.clock.at(31.0)
    assert p.beat(p.member, started, 190_001).counted is True
    p.flusher.flush()
    with p.c.infra.uows.read() as db:
        row = db.scalars(select(Play).where(Play.session == "session-seek")).one()
    assert row.seconds == pytest.approx(31.0)


def test_a_20_second_track_counts_at_its_end(plays: Plays) -> None:
    p = plays
    started = p.start(p.member, "session-short", p.short)
    assert started.count_after_ms == 19_500
    p.clock.at(19.0)
    assert p.beat(p.member, started, 19_000).counted is False
    p.clock.at(21.0)
    ended = p.beat(p.member, started, 20_000, event="end")
    assert (ended.counted, ended.credited_ms) == (True, 20_000)
    assert p.counters(p.short)["track_plays"] == 1


def test_paused_time_is_not_credited(plays: Plays) -> None:
    p = plays
    started = p.start(p.member, "session-pause", p.long)
    p.clock.at(10.0)
    p.beat(p.member, started, 10_000, event="pause")
    p.clock.at(60.0)  # fifty seconds paused: the player's played_ms did not move
    resumed = p.beat(p.member, started, 10_000)
    assert (resumed.counted, resumed.credited_ms) == (False, 10_000)
    p.clock.at(80.0)
    assert p.beat(p.member, started, 29_000).counted is False
    p.clock.at(81.0)
    assert p.beat(p.member, started, 30_000).counted is True


def test_duplicates_and_late_reports_change_nothing(plays: Plays) -> None:
    p = plays
    started = p.start(p.member, "session-dup", p.long)
    assert p.start(p.member, "session-dup", p.long).token == started.token  # a retried start
    p.clock.at(35.0)
    first = p.beat(p.member, started, 31_000)
    assert first.counted
    p.clock.at(35.2)  # the same report again, too soon for a new one: the same answer
    assert p.beat(p.member, started, 31_000) == first
    p.clock.at(40.0)
    late = p.beat(p.member, started, 20_000)  # an older report arriving late
    assert (late.counted, late.credited_ms) == (True, 31_000)
    p.flusher.flush()
    counters = p.counters(p.long)
    assert counters["track_plays"] == counters["hour_plays"] == 1
    assert counters["hour_seconds"] == pytest.approx(31.0)


def test_a_retried_final_report_counts_once(plays: Plays) -> None:
    p = plays
    started = p.start(p.member, "session-end", p.long)
    p.clock.at(40.0)
    end = p.beat(p.member, started, 40_000, event="end")
    assert end.counted
    p.clock.at(41.0)
    assert p.beat(p.member, started, 40_000, event="end") == end  # sendBeacon retried
    p.clock.at(90.0)
    with pytest.raises(Conflict):
        p.beat(p.member, started, 90_000)  # the session is over
    p.flusher.flush()
    counters = p.counters(p.long)
    assert counters["track_plays"] == counters["counted_rows"] == 1
    assert counters["track_seconds"] == pytest.approx(40.0)


def test_a_restarted_process_never_counts_twice_nor_credits_the_past(plays: Plays) -> None:
    p = plays
    started = p.start(p.member, "session-restart", p.long)
    p.clock.at(35.0)
    assert p.beat(p.member, started, 35_000).counted
    p.flusher.flush()
    restarted = p.rebuilt()  # its live state is gone; the token and the table are not
    p.clock.at(45.0)
    again = p.beat(p.member, started, 45_000, service=restarted)
    assert again.counted  # rebuilt from the token: it had counted (the table says so)
    p.clock.at(55.0)
    p.beat(p.member, started, 55_000, service=restarted)
    p.flusher.flush()
    counters = p.counters(p.long)
    assert counters["track_plays"] == counters["counted_rows"] == 1
    # 35 s before the restart; the 10 s between the last report before and the first
    # after are lost (never doubled); 10 s after.
    assert counters["hour_seconds"] == pytest.approx(45.0)
    with p.c.infra.uows.read() as db:
        assert db.scalars(select(Play.seconds).where(Play.session == "session-restart")).one() == (
            pytest.approx(55.0)
        )


def test_a_session_first_seen_after_a_restart_counts_if_it_already_qualifies(
    plays: Plays,
) -> None:
    p = plays
    started = p.start(p.member, "session-new-proc", p.long)
    restarted = p.rebuilt()
    p.clock.at(31.0)
    answer = p.beat(p.member, started, 31_000, service=restarted)
    assert answer.counted
    assert p.counters(p.long)["counted_rows"] == 1


def test_anonymous_listeners_count_on_public_tracks_only(plays: Plays) -> None:
    p = plays
    anon = replace(ANONYMOUS, binding="")
    started = p.start(anon, "anon-session", p.long)
    for track in (p.private, p.unlisted):
        with pytest.raises(NotFound):
            p.start(anon, "anon-session-2", track)
    p.clock.at(31.0)
    assert p.beat(anon, started, 31_000).counted
    with p.c.infra.uows.read() as db:
        row = db.scalars(select(Play).where(Play.session == "anon-session")).one()
    assert (row.listener, row.user_id) == ("anon:anon-session", None)
    assert p.counters(p.long)["listener_plays"] == 0  # nobody's history


def test_anonymous_listening_off_refuses_anonymous_starts(
    tmp_path: Path, database_url: str
) -> None:
    p = make_plays(tmp_path, database_url, anonymous=False)
    try:
        with pytest.raises(Unauthenticated):
            p.start(ANONYMOUS, "anon-session", p.long)
        assert p.start(p.member, "member-session", p.long).token
    finally:
        p.counts.stop()
        p.c.close()


def test_private_tracks_start_for_those_who_see_them(plays: Plays) -> None:
    p = plays
    with pytest.raises(NotFound):
        p.start(p.member, "member-private", p.private)
    assert p.start(p.owner, "owner-private", p.private).token
    assert p.start(p.member, "member-unlisted", p.unlisted).token


def test_foreign_tokens_and_sessions_are_refused(plays: Plays) -> None:
    p = plays
    mine = p.start(p.owner, "owner-session", p.long)
    p.clock.at(20.0)
    p.beat(p.owner, mine, 20_000)  # checked once for the owner (and remembered)
    p.tally.drain()
    p.clock.at(31.0)
    with pytest.raises(Forbidden):
        p.beat(p.member, mine, 31_000)  # another person's token
    stolen = Report("progress", "other-session", mine.token, 31_000, 31_000, "128k")
    with pytest.raises(Forbidden):
        p.service.report(stolen, (p.owner.binding,))  # the token of another session
    forged = Report("progress", "owner-session", mine.token[:-2] + "AA", 31_000, 31_000, "128k")
    with pytest.raises(Forbidden):
        p.service.report(forged, (p.owner.binding,))
    with pytest.raises(Conflict):
        p.start(p.member, "owner-session", p.long)  # someone else's session id
    assert p.counters(p.long)["counted_rows"] == 0
    assert not p.tally.drain().seconds


def test_impossible_values_are_refused(plays: Plays) -> None:
    p = plays
    started = p.start(p.member, "session-values", p.long)
    p.clock.at(10.0)
    with pytest.raises(Invalid):
        p.beat(p.member, started, 10_000, 205_001)  # past the end (200 s + 5 s)
    with pytest.raises(Invalid):
        p.beat(p.member, started, -1, 1000)
    with pytest.raises(Invalid):
        p.beat(p.member, started, 10_000, rung="320k; drop")
    assert p.beat(p.member, started, 10_000, 204_000).credited_ms == 10_000


def test_floods_are_refused_without_touching_counters(plays: Plays) -> None:
    p = plays
    started = p.start(p.member, "session-flood", p.long)
    p.clock.at(31.0)
    p.beat(p.member, started, 29_000)
    p.tally.drain()
    p.clock.at(31.5)
    with pytest.raises(Throttled) as refused:
        p.beat(p.member, started, 30_500)
    assert refused.value.retry_after_s == 1
    assert not p.tally.drain()
    assert p.counters(p.long)["counted_rows"] == 0
    # Starts: 60 a minute per listener.
    for i in range(59):
        p.start(p.member, f"many-{i:04d}-session", p.short)
    with pytest.raises(Throttled):
        p.start(p.member, "one-too-many", p.short)
    p.clock.at(120.0)
    assert p.start(p.member, "next-minute", p.short).token


def test_reports_add_up(plays: Plays) -> None:
    """Seconds in the rollups after a flush equal the seconds heartbeated."""
    p = plays
    sessions = [
        (viewer, p.start(viewer, f"sum-{i}-{j}-session", track))
        for i, viewer in enumerate((p.owner, p.member))
        for j, track in enumerate((p.long, p.short))
    ]
    last = {}
    for step in range(1, 10):
        p.clock.at(step * 3.0)
        for viewer, answer in sessions:
            last[answer.session] = p.beat(viewer, answer, step * 3000 - 500, 1000).credited_ms
        if step == 4:
            p.flusher.flush()  # a flush in the middle changes no sum
    p.clock.at(40.0)
    for viewer, answer in sessions:
        p.beat(viewer, answer, 26_500, 1000, event="end")  # no new credit: adds 0
    p.flusher.flush()
    heartbeated = sum(last.values()) / 1000
    assert heartbeated == pytest.approx(2 * 26.5 + 2 * 20.0)  # the short ones stop at 20 s
    hours = p.counters(p.long)["hour_seconds"] + p.counters(p.short)["hour_seconds"]
    tracks = p.counters(p.long)["track_seconds"] + p.counters(p.short)["track_seconds"]
    with p.c.infra.uows.read() as db:
        rows = sum(db.scalars(select(Play.seconds)))
    assert hours == pytest.approx(heartbeated)
    assert tracks == pytest.approx(heartbeated)
    assert rows == pytest.approx(heartbeated)
    # The royalty report (every owner, the day of the test) says the same, by rung.
    day = datetime.fromtimestamp(T0, UTC).date()
    with p.c.infra.uows.read() as db:
        report = p.c.charts.reports.for_owner(db, day, day, owner=None, group="track")
        counted = len(db.scalars(select(Play.session).where(Play.counted_at.is_not(None))).all())
    assert sum(r.seconds for r in report.rows) == pytest.approx(heartbeated, abs=0.01)
    assert sum(r.plays for r in report.rows) == counted == 2  # the short ones counted
    assert {r.track_id for r in report.rows} == {p.long, p.short}


def test_counts_arriving_together_share_a_transaction(plays: Plays) -> None:
    p = plays
    answers = [p.start(p.owner, f"group-{i:03d}-session", p.long) for i in range(40)]
    p.clock.at(31.0)
    results: list[bool] = []
    lock = threading.Lock()

    def report(i: int) -> None:
        done = p.beat(p.owner, answers[i], 31_000)
        with lock:
            results.append(done.counted)

    before = p.counts.batches
    threads = [threading.Thread(target=report, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 40
    assert p.counters(p.long)["track_plays"] == 40
    assert p.counts.batches - before < 40


def test_ten_thousand_heartbeats_cost_a_handful_of_writes(plays: Plays) -> None:
    """Heartbeats are written behind, in batches: the database sees a few multi-row
    upserts per flush, however many heartbeats arrived (counted with the engine's own
    statement counter, as ``bench/plays.py`` reports it)."""
    p = plays
    started = []
    for i in range(200):
        p.clock.at(-300.0 + (i // 50) * 61.0)  # 60 starts a minute per listener
        started.append(p.start(p.member, f"many-beats-{i:04d}", p.long))
    p.flusher.flush()
    writes = p.c.listening.writes
    before = writes()
    for beat in range(1, 51):
        p.clock.at(float(beat))
        for answer in started:
            assert not p.beat(p.member, answer, beat * 500).counted  # 25 s at most
    p.flusher.flush()
    assert writes() - before <= 10
    counters = p.counters(p.long)
    assert counters["hour_seconds"] == pytest.approx(200 * 25.0)
    assert counters["plays_rows"] == 200


def test_a_session_id_stays_its_listeners_after_a_restart(plays: Plays) -> None:
    """The live state's claims are gone after a restart; the table still says whose
    session an id is, and no write touches another listener's row."""
    p = plays
    mine = p.start(p.owner, "claimed-session", p.long)
    p.clock.at(5.0)
    p.beat(p.owner, mine, 5_000, 5_000)
    p.flusher.flush()
    restarted = p.rebuilt()
    with pytest.raises(Conflict):
        p.start(p.member, "claimed-session", p.long, service=restarted)
    with pytest.raises(Conflict):
        p.start(p.member, "claimed-session", p.short, service=restarted)
    p.clock.at(90_000.0)  # a day later the token has expired
    with pytest.raises(Conflict):
        p.beat(p.owner, mine, 60_000, service=restarted)
    with p.c.infra.uows.read() as db:
        row = db.scalars(select(Play).where(Play.session == "claimed-session")).one()
    assert (row.user_id, row.stop_ms, row.counted_at) == (p.owner.user_id, 5_000, None)
