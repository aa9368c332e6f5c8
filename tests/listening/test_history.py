"""One's own history and play statistics, through the HTTP app, on both databases."""

from __future__ import annotations

from datetime import timedelta

from tests.listening.world import World
from tonearm.models import utcnow


def test_recent_history_pages_newest_first(world: World) -> None:
    now = utcnow()
    a = world.track(world.owner, "a")
    b = world.track(world.owner, "b", visibility="private")
    mine = world.track(world.other, "mine", visibility="private")
    sessions = []
    for i, track in enumerate([a, b, mine, a, mine]):
        sessions.append(
            (track, world.play(track, now - timedelta(minutes=10 - i), user=world.other))
        )
    world.play(a, now, user=world.admin)  # someone else's

    browser = world.other.browser
    first = world.json(browser.get("/api/me/history", params={"limit": 2}))
    assert [i["track"]["id"] for i in first["items"]] == [mine, a]
    assert first["next"]
    second = world.json(
        browser.get("/api/me/history", params={"limit": 2, "before": first["next"]})
    )
    # The owner's private track is not theirs to see: it leaves their history.
    assert [i["track"]["id"] for i in second["items"]] == [mine, a]
    assert second["next"] is None
    assert all(i["counted"] and i["seconds"] == 60.0 for i in first["items"])
    bad = browser.get("/api/me/history", params={"before": "!!"})
    assert bad.status_code == 400


def test_most_played(world: World) -> None:
    a = world.track(world.owner, "a")
    b = world.track(world.owner, "b")
    world.plays(a, 2, user=world.other)
    world.plays(b, 3, user=world.other, seconds=10.0)
    world.plays(a, 5, user=world.admin)
    body = world.json(world.other.browser.get("/api/me/history", params={"view": "most"}))
    assert [(i["track"]["id"], i["plays"], i["seconds"]) for i in body["items"]] == [
        (b, 3, 30.0),
        (a, 2, 120.0),
    ]


def test_history_needs_a_person(world: World) -> None:
    assert world.site.client().get("/api/me/history").status_code == 401


def test_track_stats(world: World) -> None:
    now = utcnow().replace(hour=0, minute=1)  # sessions that count 30 s later, same day
    track = world.track(world.owner, "t", duration=100.0)
    ms = 100_000
    world.play(track, now, user=world.other, seconds=95.0, stop_ms=ms)  # complete
    world.play(track, now, user=world.other, seconds=40.0, stop_ms=92_000)  # seeked to the end
    world.play(track, now, user=world.admin, seconds=31.0, stop_ms=31_000)
    world.play(track, now, seconds=5.0, stop_ms=5_000, counted=False)  # a skip
    world.play(track, now - timedelta(days=1), user=world.admin, seconds=50.0, stop_ms=50_000)
    world.play(track, now - timedelta(days=40), user=world.admin)  # outside 30 days

    for who in (world.owner, world.admin):
        body = world.json(who.browser.get(f"/api/tracks/{track}/stats", params={"days": 30}))
        assert body["plays"] == 4
        assert body["listeners"] == 2
        assert body["seconds"] == 95 + 40 + 31 + 5 + 50
        assert body["completion_rate"] == 0.4
        assert len(body["series"]) == 30
        today, yesterday = body["series"][-1], body["series"][-2]
        assert (today["plays"], today["listeners"], today["seconds"]) == (3, 2, 171.0)
        assert (yesterday["plays"], yesterday["listeners"]) == (1, 1)
        curve = {b["at"]: b["stopped"] for b in body["skip_curve"]}
        assert len(curve) == 20
        assert curve[0.05] == 1 and curve[0.3] == 1 and curve[0.5] == 1 and curve[0.9] == 1
        assert curve[0.95] == 1  # the very end falls in the last bin
        assert sum(curve.values()) == 5


def test_someone_elses_track_stats_do_not_exist(world: World) -> None:
    public = world.track(world.owner, "public")
    private = world.track(world.owner, "private", visibility="private")
    for track in (public, private, "nosuchtrack"):
        response = world.other.browser.get(f"/api/tracks/{track}/stats")
        assert response.status_code == 404, response.text
    assert world.site.client().get(f"/api/tracks/{public}/stats").status_code == 401
    assert world.other.browser.get(f"/api/tracks/{public}/stats?days=0").status_code == 422


def test_owner_dashboard(world: World) -> None:
    now = utcnow().replace(hour=0, minute=1)
    a = world.track(world.owner, "a")
    b = world.track(world.owner, "b", visibility="private")
    theirs = world.track(world.other, "theirs")
    world.plays(a, 2, now, user=world.other)
    world.plays(b, 3, now, user=world.admin, seconds=10.0)
    world.plays(theirs, 9, now, user=world.admin)
    body = world.json(world.owner.browser.get("/api/me/stats", params={"days": 7}))
    assert body["plays"] == 5 and body["listeners"] == 2
    assert [(t["track"]["id"], t["plays"], t["seconds"]) for t in body["top_tracks"]] == [
        (b, 3, 30.0),
        (a, 2, 120.0),
    ]
    assert len(body["series"]) == 7 and body["series"][-1]["plays"] == 5
    # Someone with no tracks has no dashboard.
    assert world.admin.browser.get("/api/me/stats").status_code == 404
