"""Play sessions: the rules that decide what is heard and what counts.

A player starts a session (its own id, the track), gets a signed token, and reports
progress every ``heartbeat_s`` with ``played_ms``: the milliseconds it actually
played (seeking and pausing add nothing). The server credits

    credited_ms = min(max of every played_ms reported, server time since start, duration)

so a client can never claim more than the wall clock allowed, and duplicate or
out-of-order reports change nothing. The play counts once, when credited reaches
``min(count_after, duration - 500 ms)``; the counted play is committed (group commit,
``flush.CountWriter``) before any answer says counted. Heard seconds go to the
live-state tally and reach the database in batches (``flush.Flusher``).

Reports need no database: the token carries what the start established, its MAC the
viewer's credential binding, and the open session's state is in live state (shared by
API processes). When a process meets a session it has no state for (a restart of the
embedded server), it rebuilds the state from the token, credits nothing for the past,
and counts the play if the report already meets the rule: the ``plays`` row is keyed
by the session, so a play counted before is never counted again.

Refusals (invalid values, unknown tracks, foreign tokens, floods) raise before any
counter is touched.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.errors import Conflict, Invalid, NotFound, Throttled, Unauthenticated, Unavailable
from tonearm.library.service import LibraryService
from tonearm.listening.flush import CountWriter
from tonearm.listening.live import Heard, LiveListeners
from tonearm.listening.now_playing import NowPlaying
from tonearm.listening.records import SessionState, bucket
from tonearm.listening.repository import listener_of
from tonearm.listening.tokens import PlayToken, PlayTokens
from tonearm.livestate.base import PlaySessions, Tally
from tonearm.models import Visibility
from tonearm.types import TrackId, UserId

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
RUNG = re.compile(r"[0-9]{1,4}k|mp3|original")
MAX_MS = 86_400_000
"""No session is longer than a day: larger values are refused as absurd."""
_LATE_MS = 5000
"""How far past the end a reported playhead may be (players overshoot a little)."""
_END_MARGIN_MS = 500
"""A track shorter than the rule counts when heard to within this of its end."""
_EARLIEST_MS = 946_684_800_000
"""2000-01-01: a recorded play said to be older is refused as absurd."""
RECORDED_RUNG = "original"
"""What a play an app recorded (``record``) counts as heard at: apps do not say."""

ReportKind = Literal["progress", "pause", "end"]


@dataclass(frozen=True)
class PlayRules:
    count_after_ms: int
    heartbeat_s: float
    min_heartbeat_gap_s: float
    starts_per_minute: int
    session_ttl_s: float = 86_400.0
    """How long an open session's state and start claim are kept."""


@dataclass(frozen=True)
class Report:
    event: ReportKind
    session: str
    token: str
    played_ms: int
    position_ms: int
    rung: str


@dataclass(frozen=True)
class PlayAnswer:
    session: str
    token: str
    counted: bool
    credited_ms: int
    count_after_ms: int
    heartbeat_s: float
    listeners: int


@dataclass(frozen=True)
class Reported:
    """An answer, and the counted play's commit it must wait for (``settle``)."""

    answer: PlayAnswer
    pending: Future[bool] | None = None


class PlayService:
    def __init__(
        self,
        library: LibraryService,
        tokens: PlayTokens,
        sessions: PlaySessions,
        tally: Tally,
        counts: CountWriter,
        live: LiveListeners,
        rules: PlayRules,
        clock: Callable[[], float] = time.time,
        now_playing: NowPlaying | None = None,
    ) -> None:
        self.now_playing = now_playing or NowPlaying(clock)
        """Who plays what from which player (apps, and the page's signed-in players)."""
        self._library = library
        self._tokens = tokens
        self._sessions = sessions
        self._tally = tally
        self._counts = counts
        self._live = live
        self.rules = rules
        self._clock = clock

    def start(
        self,
        db: Session,
        viewer: Viewer,
        session: str,
        track_id: TrackId,
        rung: str,
        *,
        client: str = "",
    ) -> Reported:
        """Open session ``session`` of ``track_id`` for ``viewer`` (from ``client``, the
        address anonymous visitors are rate-limited by). Starting a session again (a
        retry) answers the same token; a session id someone else holds is refused."""
        _check_ids(session, rung)
        anonymous = not viewer.signed_in
        if anonymous and not self._library.access.anonymous_listening:
            raise Unauthenticated("Sign in to listen.")
        track = self._library.visible(db, viewer, track_id)
        if anonymous and track.visibility != Visibility.PUBLIC:
            raise NotFound("No such track.")
        listener = f"anon:{session}" if viewer.user_id is None else str(viewer.user_id)
        now = self._clock()
        rate_key = listener if viewer.user_id is not None else f"addr:{client}"
        window = 60.0
        if self._sessions.hit(f"start:{rate_key}", window, now) > self.rules.starts_per_minute:
            raise Throttled(
                "Too many play sessions started; wait a moment.",
                retry_after_s=max(1, math.ceil(window - now % window)),
            )
        ttl = self.rules.session_ttl_s
        holder, started_ms = self._sessions.claim(session, listener, round(now * 1000), ttl)
        # The table remembers ids the live state forgot (a restart, an expired claim).
        if holder != listener or listener_of(db, session) not in (None, listener):
            raise Conflict("This play session id is taken; make a new one.", code="play-session")
        token = PlayToken(
            session=session,
            track_id=TrackId(track.id),
            listener=listener,
            started_ms=started_ms,
            duration_ms=round(track.blob.duration * 1000),
            owner_id=track.owner_id,
            visibility=track.visibility,
            user_id=viewer.user_id,
        )
        signed = self._tokens.sign(token, viewer.binding)
        if viewer.user_id is not None:
            self.now_playing.started(viewer.user_id, token.track_id, "", track.blob.duration, now)
        report = Report("progress", session, signed, 0, 0, rung)
        return self._apply(token, report, now, stamp="start")

    def report(self, report: Report, bindings: tuple[str, ...]) -> Reported:
        """A progress, pause or end report, its token checked against the viewer's
        credential ``bindings`` (the viewer's, then the anonymous one)."""
        _check_ids(report.session, report.rung)
        token = self._tokens.verify(report.token, report.session, bindings)
        if not (0 <= report.played_ms <= MAX_MS and 0 <= report.position_ms <= MAX_MS):
            raise Invalid("played_ms and position_ms are milliseconds between 0 and a day.")
        if report.position_ms > token.duration_ms + _LATE_MS:
            raise Invalid("position_ms is past the end of the track.")
        now = self._clock()
        if now * 1000 - token.started_ms > self.rules.session_ttl_s * 1000:
            raise Conflict("This play session has expired; start a new one.", code="play-ended")
        stamp = f"{report.event}:{report.played_ms}:{report.position_ms}:{report.rung}"
        return self._apply(token, report, now, stamp=stamp)

    def settle(self, reported: Reported) -> PlayAnswer:
        """The answer once its counted play (if any) is committed; blocks until then."""
        if reported.pending is None:
            return reported.answer
        try:
            reported.pending.result(timeout=60)
        except Exception as exc:
            raise Unavailable("The play could not be recorded; send the report again.") from exc
        self._sessions.mark_counted(reported.answer.session, self.rules.session_ttl_s)
        return reported.answer

    def playing(self, db: Session, viewer: Viewer, track_id: TrackId, player: str) -> None:
        """``viewer`` starts ``track_id`` on ``player`` (an app that sends no heartbeats):
        a listener in the live count until presence expires it, and in now playing."""
        user_id = viewer.require_user()
        track = self._library.visible(db, viewer, track_id)
        self._live.heard(Heard(track.id, track.owner_id, track.visibility), str(user_id))
        self.now_playing.started(user_id, track.id, player, track.blob.duration, self._clock())

    def record(
        self, db: Session, viewer: Viewer, plays: Sequence[tuple[TrackId, int | None]]
    ) -> int:
        """Counted plays an app reports after the fact (``(track, played at ms)``, None:
        now), as if each had met the counting rule: the same rows and totals a play
        counted on the fast path makes (``plays``, hours, track and listener totals, the
        whole track as heard seconds). Idempotent for one (person, track, time): a
        report sent again counts nothing. Returns how many counted now; every track
        must be visible (``NotFound`` before anything is counted)."""
        user_id = viewer.require_user()
        now_ms = round(self._clock() * 1000)
        states: dict[str, SessionState] = {}
        for track_id, at_ms in plays:
            track = self._library.visible(db, viewer, track_id)
            when = now_ms if at_ms is None else min(at_ms, now_ms)
            if when < _EARLIEST_MS:
                raise Invalid("A play's time is milliseconds since 1970, after the year 2000.")
            duration_ms = round(track.blob.duration * 1000)
            key = _recorded_session(user_id, track.id, when)
            states[key] = SessionState(
                session=key,
                track_id=TrackId(track.id),
                owner_id=track.owner_id,
                user_id=user_id,
                listener=str(user_id),
                rung=RECORDED_RUNG,
                duration_ms=duration_ms,
                started_ms=when,
                credited_ms=duration_ms,
                stop_ms=duration_ms,
                at_ms=when,
            )
        pending = [(state, self._counts.submit(state)) for state in states.values()]
        counted = 0
        for state, done in pending:
            try:
                fresh = done.result(timeout=60)
            except Exception as exc:
                raise Unavailable("The play could not be recorded; send it again.") from exc
            if fresh:
                counted += 1
                hour = state.at_ms - state.at_ms % 3_600_000
                key = bucket(hour, state.track_id, state.rung, state.user_id)
                self._tally.add(key, state.duration_ms / 1000, state.session, state.encode())
        return counted

    def count_threshold_ms(self, duration_ms: int) -> int:
        return max(0, min(self.rules.count_after_ms, duration_ms - _END_MARGIN_MS))

    def _apply(self, token: PlayToken, report: Report, now: float, *, stamp: str) -> Reported:
        rules = self.rules
        now_ms = round(now * 1000)
        wall_ms = max(0, now_ms - token.started_ms)
        offered = min(report.played_ms, wall_ms, token.duration_ms)
        gap = rules.min_heartbeat_gap_s if report.event == "progress" and stamp != "start" else 0
        advance = self._sessions.advance(
            report.session,
            offered,
            stamp,
            now=now,
            min_gap_s=gap,
            end=report.event == "end",
            ttl_s=rules.session_ttl_s,
            pause=report.event == "pause",
        )
        if advance.retry_after_s > 0:
            raise Throttled(
                "Progress reports come too fast for this session.",
                retry_after_s=max(1, math.ceil(advance.retry_after_s)),
            )
        if advance.ended:
            raise Conflict("This play session has ended.", code="play-ended")
        state = SessionState(
            session=report.session,
            track_id=token.track_id,
            owner_id=token.owner_id,
            user_id=token.user_id,
            listener=token.listener,
            rung=report.rung,
            duration_ms=token.duration_ms,
            started_ms=token.started_ms,
            credited_ms=advance.credited,
            stop_ms=report.position_ms,
            at_ms=now_ms,
        )
        if not advance.duplicate:
            # A session this deployment forgot is credited from here on: its past was
            # credited (and perhaps flushed) by the state that was lost.
            delta = 0 if advance.previous is None else advance.credited - advance.previous
            key = bucket(now_ms - now_ms % 3_600_000, token.track_id, report.rung, token.user_id)
            self._tally.add(key, delta / 1000, report.session, state.encode())
        heard = Heard(token.track_id, token.owner_id, token.visibility)
        if report.event == "progress":
            self._live.heard(heard, token.listener)
        else:
            self._live.left(heard, token.listener)
        counts = not advance.counted and advance.credited >= self.count_threshold_ms(
            token.duration_ms
        )
        answer = PlayAnswer(
            session=report.session,
            token=report.token,
            counted=advance.counted,
            credited_ms=advance.credited,
            count_after_ms=self.count_threshold_ms(token.duration_ms),
            heartbeat_s=rules.heartbeat_s,
            listeners=self._live.counts([token.track_id]).get(token.track_id, 0),
        )
        if not counts:
            return Reported(answer)
        return Reported(replace(answer, counted=True), self._counts.submit(state))


def _recorded_session(user_id: UserId, track_id: str, at_ms: int) -> str:
    """The play's key: one (person, track, time) is one play however often it is sent."""
    digest = hashlib.sha256(f"{user_id}|{track_id}|{at_ms}".encode()).hexdigest()
    return "rec-" + digest[:40]


def _check_ids(session: str, rung: str) -> None:
    if SESSION_ID.fullmatch(session) is None:
        raise Invalid("session is 8 to 64 characters of A-Z, a-z, 0-9, _ and -.")
    if RUNG.fullmatch(rung) is None:
        raise Invalid("rung is a ladder rung (like 128k), mp3 or original.")
