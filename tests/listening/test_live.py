"""Live listener counts through the whole HTTP app, in process, on SQLite and PostgreSQL:
presence changes (made here through ``LiveListeners``, as the plays route makes them)
show in ``GET /api/live`` and reach open ``/api/events`` streams of those who may see the
track, and no one else."""

from __future__ import annotations

from pathlib import Path

from tests.accounts.conftest import MakeSite, make_site, site
from tests.fixtures.accounts import Person, Site
from tests.listening.streams import AppStream
from tests.social.conftest import upload
from tonearm.accounts.credentials import SESSION_COOKIE
from tonearm.listening.live import Heard
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
    tracks = [upload(owner, tmp_path / str(n), "public", seconds=1.0) for n in range(52)]
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
