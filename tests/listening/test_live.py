"""Live listener counts through the whole HTTP app, in process, on SQLite and PostgreSQL:
presence changes (made here through ``LiveListeners``, as the plays route makes them)
show in ``GET /api/live`` and reach open ``/api/events`` streams of those who may see the
track, and no one else."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.accounts.conftest import MakeSite, make_site, site
from tests.e2e.test_live_events import member_headers
from tests.fixtures.accounts import Person, Site
from tests.fixtures.audio import make_audio
from tests.fixtures.database import PG, fresh_database
from tests.fixtures.server import Server
from tests.listening.streams import AppStream, HttpStream
from tests.social.conftest import upload
from tonearm.accounts.credentials import SESSION_COOKIE
from tonearm.events import RedisFeed
from tonearm.library.service import NewTrack
from tonearm.listening.live import Heard, LiveListeners
from tonearm.livestate.base import CountChanged, Presence
from tonearm.livestate.redis_presence import RedisPresence
from tonearm.models import Track, Visibility
from tonearm.types import TrackId, UserId

__all__ = ["make_site", "site"]


def heard(site: Site, owner: Person, track_id: str, visibility: str, listener: str) -> None:
    site.c.listening.live.heard(
        Heard(TrackId(track_id), UserId(owner.user_id), visibility), listener
    )


def left(site: Site, owner: Person, track_id: str, visibility: str, listener: str) -> None:
    track = Heard(TrackId(track_id), UserId(owner.user_id), visibility)
    site.c.listening.live.left(track, listener)


def stream(site: Site, person: Person) -> AppStream:
    return AppStream(site.app, {"cookie": f"{SESSION_COOKIE}={person.cookie}"})


def test_counts_show_and_reach_only_those_who_may_see_the_track(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    owner = site.add_user(admin, "owner")
    member = site.add_user(admin, "member")
    public = upload(owner, tmp_path / "p", "public")
    private = upload(owner, tmp_path / "q", "private")
    theirs, mine = stream(site, owner), stream(site, member)
    try:
        # The private track first: when the public track's notice reaches the member,
        # a notice of the private one would have come before it (one feed, in order).
        heard(site, owner, private, "private", "owner")
        heard(site, owner, public, "public", "ann")
        heard(site, owner, public, "public", "bob")
        heard(site, owner, public, "public", "ann")  # a heartbeat: no change, no notice
        got = mine.wait_for(("live", {"track_id": public, "listeners": 2}))
        assert mine.live(got) == [(public, 1), (public, 2)]
        got = theirs.wait_for(("live", {"track_id": public, "listeners": 2}))
        assert theirs.live(got) == [(private, 1), (public, 1), (public, 2)]

        asked = f"/api/live?tracks={public},{private},nosuchtrack"
        seen = member.browser.get(asked)
        assert seen.status_code == 200, seen.text
        body = seen.json()
        assert body["total"] == 3  # ann, bob and the owner, whatever they listen to
        assert [(t["track"]["id"], t["listeners"]) for t in body["tracks"]] == [(public, 2)]
        assert body["counts"] == {public: 2}
        owned = owner.browser.get(asked).json()
        assert [(t["track"]["id"], t["listeners"]) for t in owned["tracks"]] == [
            (public, 2),
            (private, 1),
        ]
        assert owned["counts"] == {public: 2, private: 1}
        assert owned["tracks"][1]["track"]["visibility"] == "private"

        # Closing a tab leaves at once.
        left(site, owner, private, "private", "owner")
        left(site, owner, public, "public", "bob")
        got = mine.wait_for(("live", {"track_id": public, "listeners": 1}))
        assert mine.live(got) == [(public, 1)]
        theirs.wait_for(("live", {"track_id": public, "listeners": 1}))
        assert admin.browser.get(asked).json()["counts"] == {public: 1, private: 0}
    finally:
        theirs.close()
        mine.close()


def test_a_listener_whose_heartbeats_stop_leaves_by_expiry(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(listening={"presence_ttl_s": 0.3})
    admin = site.setup()
    track = upload(admin, tmp_path, "public")
    page = stream(site, admin)
    try:
        heard(site, admin, track, "public", "ann")
        page.wait_for(("live", {"track_id": track, "listeners": 1}))
        page.wait_for(("live", {"track_id": track, "listeners": 0}))
        assert admin.browser.get(f"/api/live?tracks={track}").json() == {
            "total": 0,
            "tracks": [],
            "counts": {track: 0},
        }
    finally:
        page.close()


def test_an_expiry_heard_only_elsewhere_still_reaches_the_public(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The process that notices an expiry may never have heard the track (another API
    process did): it looks the track up, so the public page hears of it too."""
    site = make_site(listening={"presence_ttl_s": 0.3})
    admin = site.setup()
    member = site.add_user(admin, "member")
    track = upload(admin, tmp_path, "public")
    page = stream(site, member)
    try:
        site.c.infra.presence.touch(track, "ann")  # as another process would
        page.wait_for(("live", {"track_id": track, "listeners": 0}))
    finally:
        page.close()


def test_the_busiest_are_the_viewers_and_at_most_fifty(site: Site, tmp_path: Path) -> None:
    admin = site.setup()
    owner = site.add_user(admin, "owner")
    member = site.add_user(admin, "member")
    presence = site.c.infra.presence
    tracks = [upload(owner, tmp_path, "public", seconds=1.0)]
    with site.c.infra.uows() as uow:  # 51 more tracks of the same audio
        blob = uow.session.get(Track, tracks[0]).blob
        for n in range(51):
            new = NewTrack(blob, f"copy{n}.wav", UserId(owner.user_id), Visibility.PUBLIC, True)
            tracks.append(site.c.library.add_track(uow, new).id)
    for n, track in enumerate(tracks):
        for k in range(1 + n % 3):
            presence.touch(track, f"l{k}")
    # A crowd busier than all of them that the member is not shown: private tracks and
    # tracks gone from the library.
    private = upload(owner, tmp_path / "private", "private")
    for k in range(9):
        presence.touch(private, f"p{k}")
    for n in range(150):
        for k in range(5):
            presence.touch(f"gone{n:03}", f"g{k}")

    shown = member.browser.get("/api/live").json()
    rows = [(t["track"]["id"], t["listeners"]) for t in shown["tracks"]]
    expected = sorted(((t, 1 + n % 3) for n, t in enumerate(tracks)), key=lambda r: (-r[1], r[0]))
    assert rows == expected[:50]
    assert shown["counts"] == {}
    assert shown["total"] == 3 + 9 + 5
    assert member.browser.get(f"/api/live?tracks={private}").json()["counts"] == {}
    moderator = site.add_user(admin, "mod", role="moderator")
    first = moderator.browser.get("/api/live").json()["tracks"][0]
    assert (first["track"]["id"], first["listeners"]) == (private, 9)


def test_bad_requests_are_refused(site: Site) -> None:
    admin = site.setup()
    for bad in ("a,,b", "a b", ",", "x" * 33, ",".join(["t"] * 101), "a;b"):
        refused = admin.browser.get("/api/live", params={"tracks": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    fine = admin.browser.get("/api/live", params={"tracks": ",".join(["t"] * 100)})
    assert fine.status_code == 200
    assert fine.json()["counts"] == {}
    assert site.client().get("/api/live").status_code == 401


def test_anonymous_visitors_see_public_counts_when_anonymous_listening_is_on(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(accounts={"anonymous_listening": True})
    admin = site.setup()
    public = upload(admin, tmp_path / "p", "public")
    unlisted = upload(admin, tmp_path / "u", "unlisted")
    private = upload(admin, tmp_path / "q", "private")
    for track, visibility in ((public, "public"), (unlisted, "unlisted"), (private, "private")):
        heard(site, admin, track, visibility, "anon:s1")
    body = site.client().get(f"/api/live?tracks={public},{unlisted},{private}").json()
    assert [t["track"]["id"] for t in body["tracks"]] == [public]  # unlisted: not listed
    assert body["counts"] == {public: 1, unlisted: 1}  # but counted on its page
    assert body["total"] == 1


# -- two API processes on PostgreSQL and Redis ---------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


class Quiet:
    """A presence handle that reports no expiries: the servers under test claim them."""

    def __init__(self, presence: Presence) -> None:
        self._presence = presence

    def touch(self, track_id: str, listener: str) -> int | None:
        return self._presence.touch(track_id, listener)

    def leave(self, track_id: str, listener: str) -> int | None:
        return self._presence.leave(track_id, listener)

    def counts(self, track_ids: Iterable[str]) -> dict[str, int]:
        return self._presence.counts(track_ids)

    def busiest(self, limit: int) -> list[tuple[str, int]]:
        return self._presence.busiest(limit)

    def total(self) -> int:
        return self._presence.total()

    def watch(self, callback: CountChanged) -> None:
        pass

    def close(self) -> None:
        self._presence.close()


@dataclass
class Deployment:
    servers: tuple[Server, Server]
    prefix: str
    member: dict[str, str]
    track: str

    def process(self, ttl_s: float) -> tuple[LiveListeners, Callable[[], None]]:
        """What an API process does with heartbeats (``LiveListeners`` on the deployment's
        presence and feed), made here; and how to close it."""
        presence = RedisPresence(REDIS_URL, ttl_s, prefix=self.prefix)
        feed = RedisFeed(REDIS_URL)

        def close() -> None:
            presence.close()
            feed.close()

        return LiveListeners(Quiet(presence), feed), close


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if not PG or not _redis_up():
        pytest.skip("needs PostgreSQL and Redis on 127.0.0.1")
    data = tmp_path_factory.mktemp("live")
    prefix = f"test:live:{secrets.token_hex(6)}"
    env = {"TONEARM_EVENTS_URL": REDIS_URL, "TONEARM_LISTENING_REDIS_PREFIX": prefix}
    with fresh_database("postgresql", data) as url:
        a = Server(data, url, workers=0, env=env)
        b = Server(data, url, workers=0, env=env)
        try:
            member = member_headers(a, "listener")
            made = a.upload(make_audio(data / "tone.wav", seconds=2.0))
            assert made.status_code == 201, made.text
            public = a.http.patch(f"/api/tracks/{made.json()['id']}", json={"visibility": "public"})
            assert public.status_code == 200, public.text
            yield Deployment((a, b), prefix, member, str(made.json()["id"]))
        finally:
            a.stop()
            b.stop()
            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
            client.close()


def _heard(live: LiveListeners, track_id: str, listener: str) -> None:
    live.heard(Heard(TrackId(track_id), None, "public"), listener)


@pytest.mark.e2e
def test_two_processes_count_a_listener_once_and_a_closed_tab_leaves_at_once(
    deployment: Deployment,
) -> None:
    a, b = deployment.servers
    track = deployment.track
    on_a, on_b = (HttpStream(s.url, deployment.member) for s in (a, b))
    # A TTL far longer than the waits below: only a leave can bring the count down.
    (one, close_one), (two, close_two) = deployment.process(60.0), deployment.process(60.0)
    try:
        _heard(one, track, "ann")
        _heard(two, track, "ann")  # the same listener through another process
        _heard(one, track, "bob")
        for stream in (on_a, on_b):
            got = stream.wait_for(("live", {"track_id": track, "listeners": 2}))
            assert stream.live(got) == [(track, 1), (track, 2)]
        for server in (a, b):
            seen = server.http.get("/api/live", params={"tracks": track}, headers=deployment.member)
            assert seen.status_code == 200, seen.text
            assert seen.json()["counts"] == {track: 2}
            assert [(t["track"]["id"], t["listeners"]) for t in seen.json()["tracks"]] == [
                (track, 2)
            ]

        two.left(Heard(TrackId(track), None, "public"), "ann")  # the tab closed
        got = on_a.wait_for(("live", {"track_id": track, "listeners": 1}), timeout=10)
        assert on_a.live(got) == [(track, 1)]
        assert a.http.get("/api/live", params={"tracks": track}).json()["counts"] == {track: 1}
        two.left(Heard(TrackId(track), None, "public"), "bob")
        on_b.wait_for(("live", {"track_id": track, "listeners": 0}), timeout=10)
    finally:
        close_one()
        close_two()


@pytest.mark.e2e
def test_an_expiry_is_claimed_by_one_server_and_heard_once(deployment: Deployment) -> None:
    a, b = deployment.servers
    track = deployment.track
    on_a, on_b = (HttpStream(s.url, deployment.member) for s in (a, b))
    (short, close_short), (long, close_long) = deployment.process(1.0), deployment.process(60.0)
    try:
        _heard(short, track, "cara")
        for stream in (on_a, on_b):
            stream.wait_for(("live", {"track_id": track, "listeners": 1}))
        # Neither server heard the track, the test did: the one that claims the expiry
        # looks the track up, and the member (who may see it) hears of it.
        for stream in (on_a, on_b):
            stream.wait_for(("live", {"track_id": track, "listeners": 0}), timeout=15)
        _heard(long, track, "dan")
        _heard(long, track, "eve")
        long.left(Heard(TrackId(track), None, "public"), "eve")
        for stream in (on_a, on_b):
            stream.wait_for(("live", {"track_id": track, "listeners": 2}))
            stream.wait_for(("live", {"track_id": track, "listeners": 1}))
            # One notice of the expiry: a second claimer's would be among these (it
            # would come within milliseconds of the first, three round trips ago).
            assert stream.live(stream.seen) == [(track, n) for n in (1, 0, 1, 2, 1)]
        assert b.http.get("/api/live", params={"tracks": track}).json()["counts"] == {track: 1}
        assert a.http.get("/api/live").json()["total"] == 1
        long.left(Heard(TrackId(track), None, "public"), "dan")
    finally:
        close_short()
        close_long()
