"""POST /api/plays through the whole app in process: the fast path for reports, the
framework for starts, and the same answers from both, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.fixtures.accounts import Client, Person, Site, build_container, fastapi_of, stage
from tests.fixtures.audio import make_audio
from tests.listening.conftest import FakeClock
from tonearm.listening.service import PlayService
from tonearm.models import Visibility
from tonearm.models.listening import Play, TrackPlays


@dataclass
class World:
    site: Site
    clock: FakeClock
    admin: Person
    member: Person
    member_token: str
    track: str
    private: str

    def framework(self, client: Client) -> Client:
        """The same caller, straight to the framework (no fast path in front)."""
        direct = Client(fastapi_of(self.site.app))
        direct.headers.update(client.headers)
        direct.cookies = client.cookies
        return direct


def _track(site: Site, person: Person, path: Path, visibility: Visibility) -> str:
    accepted = site.c.ingest.service.finish(stage(site.c, path), person.user_id, visibility)  # type: ignore[arg-type]
    return str(accepted.track_id)


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    c = build_container(tmp_path / "data", database_url, accounts={"anonymous_listening": True})
    clock = FakeClock()
    old = c.listening.plays
    plays = PlayService(
        c.library,
        old._tokens,
        old._sessions,
        old._tally,
        old._counts,
        old._live,
        old.rules,
        clock=clock,
    )
    c = replace(c, listening=replace(c.listening, plays=plays))
    site = Site(c)
    admin = site.setup()
    member = site.add_user(admin, "listener")
    token = site.token(member, "read")
    song = make_audio(tmp_path / "song.wav", seconds=120.0, rate=8000, channels=1)
    other = make_audio(tmp_path / "other.wav", seconds=60.0, rate=8000, channels=1, frequency=200)
    yield World(
        site=site,
        clock=clock,
        admin=admin,
        member=member,
        member_token=token,
        track=_track(site, admin, song, Visibility.PUBLIC),
        private=_track(site, admin, other, Visibility.PRIVATE),
    )
    c.close()


def _start(client: Client, track: str, session: str) -> dict[str, Any]:
    r = client.post(
        "/api/plays", json={"event": "start", "session": session, "track_id": track, "rung": "128k"}
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def _report(
    client: Client, started: dict[str, Any], played: int, event: str = "progress", **over: Any
) -> Any:
    body = {
        "event": event,
        "session": started["session"],
        "token": started["token"],
        "played_ms": played,
        "position_ms": played,
        "rung": "128k",
        **over,
    }
    return client.post("/api/plays", json=body)


def _counted(world: World) -> int:
    with world.site.c.infra.uows.read() as db:
        return int(
            db.scalar(select(func.count()).select_from(Play).where(Play.counted_at.is_not(None)))
            or 0
        )


def test_a_browser_plays_and_its_beacon_needs_no_csrf_header(world: World) -> None:
    w = world
    started = _start(w.member.browser, w.track, "browser-session-1")
    assert started["counted"] is False and started["heartbeat_s"] == 10.0
    assert started["listeners"] == 1
    beacon = w.site.client(cookie=w.member.cookie)  # sendBeacon: the cookie, no headers
    w.clock.at(31.0)
    r = _report(beacon, started, 31_000, "end")
    assert r.status_code == 200, r.text
    assert r.json()["counted"] is True and r.json()["listeners"] == 0
    assert _counted(w) == 1
    with w.site.c.infra.uows.read() as db:
        assert db.scalar(select(TrackPlays.plays).where(TrackPlays.track_id == w.track)) == 1


def test_the_fast_path_and_the_framework_answer_alike(world: World) -> None:
    w = world
    fast = w.site.bearer(w.member_token)
    slow = w.framework(fast)
    one = _start(fast, w.track, "alike-session-1")
    two = _start(fast, w.track, "alike-session-2")
    w.clock.at(10.0)
    a, b = _report(fast, one, 10_000), _report(slow, two, 10_000)
    assert a.status_code == b.status_code == 200
    assert {**a.json(), "session": "", "token": ""} == {**b.json(), "session": "", "token": ""}
    w.clock.at(10.5)
    cases = [
        ({"played_ms": 10_300}, 429),  # too soon
        ({"played_ms": 10_000}, 200),  # the same report again: idempotent
        ({"position_ms": 200_000}, 422),  # past the end
        ({"token": one["token"][:-3] + "AAA"}, 403),
    ]
    for over, status in cases:
        answers = [_report(fast, one, 10_000, **over), _report(slow, two, 10_000, **over)]
        for r in answers:
            assert r.status_code == status, (over, r.text)
            if status >= 400:
                assert r.headers["content-type"] == "application/problem+json"
                assert r.json()["status"] == status
        if status == 429:
            assert answers[0].headers["retry-after"] == answers[1].headers["retry-after"] == "1"
    other = w.site.bearer(w.site.token(w.admin, "read"))
    assert _report(other, one, 10_000).status_code == 403  # not the admin's token
    assert _counted(w) == 0


def test_bodies_the_fast_path_will_not_take_go_to_the_framework(world: World) -> None:
    w = world
    client = w.site.bearer(w.member_token)
    started = _start(client, w.track, "bodies-session")
    too_big = client.post("/api/plays", content=b'{"event":"progress","x":"' + b"a" * 5000 + b'"}')
    assert too_big.status_code == 413
    assert client.post("/api/plays", content=b"{not json").status_code == 422
    unknown = _report(client, started, 1000, extra_field=1)
    assert unknown.status_code == 422
    assert _report(client, started, -5).status_code == 422
    assert _report(client, started, 1000, rung="999kbps").status_code == 422
    no_token = client.post(
        "/api/plays",
        content=json.dumps({"event": "pause", "session": "bodies-session", "rung": "mp3"}),
    )
    assert no_token.status_code == 422


def test_starts_are_refused_as_the_track_is_hidden(world: World) -> None:
    w = world
    member = w.site.bearer(w.member_token)
    body = {"event": "start", "session": "hidden-session", "track_id": w.private, "rung": "mp3"}
    assert member.post("/api/plays", json=body).status_code == 404
    anonymous = w.site.client()
    assert anonymous.post("/api/plays", json=body).status_code == 404
    public = _start(anonymous, w.track, "anonymous-session")
    w.clock.at(31.0)
    assert _report(anonymous, public, 31_000).json()["counted"] is True
    taken = {**body, "track_id": w.track, "session": "anonymous-session"}
    assert member.post("/api/plays", json=taken).status_code == 409


def test_the_document_describes_plays(world: World) -> None:
    doc = world.site.client().get("/openapi.json").json()
    operation = doc["paths"]["/api/plays"]["post"]
    assert "requestBody" in operation
    assert "PlayOut" in json.dumps(operation["responses"]["200"])
