"""Charts through the HTTP app and the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from tests.listening.world import World
from tonearm.accounts.principal import ANONYMOUS
from tonearm.events import Event
from tonearm.events.topics import charts_event
from tonearm.listening.charts import ChartService
from tonearm.listening.charts_repository import ChartsRepository
from tonearm.models import utcnow
from tonearm.models.charts import ChartEntry, ChartWindow
from tonearm.social.live import LiveFilter
from tonearm.worker.runtime import WorkerPool


def chart(world: World, who: Any = None, **params: Any) -> list[tuple[str, int, int]]:
    """(subject id, plays, previous plays) in rank order."""
    browser = (who or world.other).browser
    body = world.json(browser.get("/api/charts", params=params))
    out = []
    for i, e in enumerate(body["entries"], start=1):
        assert e["rank"] == i
        subject = e["track"] or e["artist"] or e["album"]
        out.append((subject["id"], e["plays"], e["previous_plays"]))
    return out


def test_top_tracks_by_window(world: World) -> None:
    now = utcnow()
    a = world.track(world.owner, "a")
    b = world.track(world.owner, "b")
    old = world.track(world.owner, "old")
    world.plays(a, 5, now - timedelta(minutes=5))
    world.plays(b, 3, now - timedelta(hours=23))  # inside the last 24 hours
    world.plays(old, 7, now - timedelta(hours=25))  # a day ago: 7d, not 24h
    world.play(b, now, counted=False)  # a skip never counts
    world.plays(a, 1, now - timedelta(days=8))  # before 7d: 30d and all time only

    assert chart(world, window="24h") == [(a, 5, 0), (b, 3, 0)]
    assert chart(world, window="7d") == [(old, 7, 0), (a, 5, 1), (b, 3, 0)]
    assert chart(world, window="30d") == [(old, 7, 0), (a, 6, 0), (b, 3, 0)]
    assert chart(world, window="all") == [(old, 7, 0), (a, 6, 0), (b, 3, 0)]
    assert chart(world, window="30d", limit=2) == [(old, 7, 0), (a, 6, 0)]
    body = world.json(world.other.browser.get("/api/charts", params={"window": "24h"}))
    assert body["kind"] == "tracks" and body["sort"] == "top" and body["computed_at"]
    assert body["entries"][0]["track"]["title"] == "a"


def test_trending_is_growth_against_the_window_before(world: World) -> None:
    now = utcnow()
    steady = world.track(world.owner, "steady")
    new = world.track(world.owner, "new")
    falling = world.track(world.owner, "falling")
    world.plays(steady, 10, now - timedelta(hours=30))
    world.plays(steady, 12, now)
    world.plays(new, 3, now)
    world.plays(falling, 5, now - timedelta(hours=30))
    world.plays(falling, 2, now)

    # 3 from nothing (3 / sqrt(1)) beats 12 over 10 (2 / sqrt(11)); falling is not listed.
    assert chart(world, window="24h", sort="trending") == [(new, 3, 0), (steady, 12, 10)]
    assert chart(world, window="24h", sort="top") == [
        (steady, 12, 10),
        (new, 3, 0),
        (falling, 2, 5),
    ]


def test_private_and_unlisted_tracks_are_never_charted(world: World) -> None:
    now = utcnow()
    artist = world.artist("Hidden Artist")
    album = world.album("Hidden Album", artist)
    public = world.track(world.owner, "public")
    private = world.track(
        world.owner, "private", visibility="private", artist_id=artist, album_id=album
    )
    unlisted = world.track(
        world.owner, "unlisted", visibility="unlisted", artist_id=artist, album_id=album
    )
    world.plays(public, 1, now)
    world.plays(private, 9, now)
    world.plays(unlisted, 8, now)

    for who in (world.owner, world.other, world.admin):
        for window in ("24h", "all"):
            assert chart(world, who, window=window) == [(public, 1, 0)]
            assert chart(world, who, window=window, kind="artists") == []
            assert chart(world, who, window=window, kind="albums") == []
        assert chart(world, who, window="24h", sort="trending") == [(public, 1, 0)]


def test_artists_and_albums_count_only_their_public_tracks(world: World) -> None:
    now = utcnow()
    x = world.artist("X")
    y = world.artist("Y")
    x_album = world.album("X One", x)
    y_album = world.album("Y One", y)
    x1 = world.track(world.owner, "x1", artist_id=x, album_id=x_album)
    x2 = world.track(world.other, "x2", artist_id=x, album_id=x_album)
    x_private = world.track(world.owner, "x3", visibility="private", artist_id=x, album_id=x_album)
    y1 = world.track(world.owner, "y1", artist_id=y, album_id=y_album)
    world.plays(x1, 3, now)
    world.plays(x2, 2, now)
    world.plays(x_private, 50, now)
    world.plays(y1, 4, now)

    assert chart(world, kind="artists", window="7d") == [(x, 5, 0), (y, 4, 0)]
    assert chart(world, kind="albums", window="7d") == [(x_album, 5, 0), (y_album, 4, 0)]
    body = world.json(world.other.browser.get("/api/charts", params={"kind": "artists"}))
    assert body["entries"][0]["artist"]["name"] == "X"


def test_bad_chart_requests_are_problems(world: World) -> None:
    browser = world.other.browser
    for params in (
        {"window": "1y"},
        {"kind": "genres"},
        {"sort": "newest"},
        {"limit": "0"},
        {"limit": "101"},
        {"window": "all", "sort": "trending"},
    ):
        response = browser.get("/api/charts", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Feed:
    """Keeps what was published (the service only publishes)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)

    async def subscribe(self, *, max_pending: int = 256) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass


def test_snapshots_refresh_when_stale_and_announce_changes(world: World) -> None:
    c = world.c
    clock = Clock(utcnow())
    feed = Feed()
    service = ChartService(c.infra.uows, c.catalog.service, feed, refresh_s=60.0, clock=clock)
    track = world.track(world.owner, "t")
    world.plays(track, 2, clock.at - timedelta(minutes=1))

    def plays() -> list[int]:
        return [e.plays for e in service.chart(ANONYMOUS, "tracks", "24h", "top", 10).entries]

    assert plays() == [2]
    assert feed.events == [charts_event("24h")]
    world.play(track, clock.at - timedelta(minutes=1))
    clock.at += timedelta(seconds=30)
    assert plays() == [2]  # the snapshot is 30 s old: still served
    clock.at += timedelta(seconds=31)
    assert plays() == [3]
    assert feed.events == [charts_event("24h")] * 2
    clock.at += timedelta(seconds=61)
    assert plays() == [3]  # recomputed, unchanged: nothing announced
    assert len(feed.events) == 2
    assert service.refresh("24h") is False

    # Made private: gone at once, before any refresh.
    world.json(world.owner.browser.patch(f"/api/tracks/{track}", json={"visibility": "private"}))
    assert plays() == []


def test_one_refresh_at_a_time_across_processes(world: World) -> None:
    """A claim held elsewhere (another process) is respected: a stale snapshot is
    served as it is; with no snapshot at all the answer is computed, not stored."""
    c = world.c
    clock = Clock(utcnow())
    first = ChartService(c.infra.uows, c.catalog.service, None, refresh_s=60.0, clock=clock)
    second = ChartService(c.infra.uows, c.catalog.service, None, refresh_s=60.0, clock=clock)
    track = world.track(world.owner, "t")
    world.plays(track, 2, clock.at)

    def hold_claim() -> None:
        with c.infra.uows() as uow:
            repo = ChartsRepository(uow.session)
            assert repo.claim("7d", clock.at, clock.at + timedelta(minutes=5))

    hold_claim()
    empty = second.chart(ANONYMOUS, "tracks", "7d", "top", 10)
    assert [e.plays for e in empty.entries] == [2]  # computed in place
    with c.infra.uows.read() as session:
        state = ChartsRepository(session).state("7d")
        assert state is not None and state.computed_at is None  # and not stored

    with c.infra.uows() as uow:
        ChartsRepository(uow.session).release("7d")
    assert [e.plays for e in first.chart(ANONYMOUS, "tracks", "7d", "top", 10).entries] == [2]
    world.play(track, clock.at)
    clock.at += timedelta(minutes=2)
    hold_claim()  # the snapshot is stale, but someone else is refreshing it
    assert [e.plays for e in second.chart(ANONYMOUS, "tracks", "7d", "top", 10).entries] == [2]
    clock.at += timedelta(minutes=6)  # the claim expired: its holder died
    assert [e.plays for e in second.chart(ANONYMOUS, "tracks", "7d", "top", 10).entries] == [3]


def test_daily_totals_count_what_the_hours_count(world: World) -> None:
    """Whole days from ``play_days`` plus the edge hours give exactly what summing
    every hour gives, whatever the hour of "now" (midnight, just after, midday)."""
    c = world.c
    rng = random.Random(7)
    base = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    tracks = [world.track(world.owner, f"t{i}") for i in range(4)]
    for _ in range(120):
        world.play(rng.choice(tracks), base - timedelta(minutes=rng.randrange(0, 70 * 24 * 60)))
    for offset in (timedelta(0), timedelta(minutes=30), timedelta(hours=13, minutes=5)):
        clock = Clock(base + offset - timedelta(days=1))
        service = ChartService(c.infra.uows, c.catalog.service, None, refresh_s=60.0, clock=clock)
        for window in ("24h", "7d", "30d"):
            service.roll_days(window, clock.at)
            with c.infra.uows.read() as session:
                by_days = service.compute(session, window, clock.at)
                by_hours = service.compute(session, window, clock.at, days_rolled=False)
            assert by_days == by_hours, (offset, window)
            assert by_days[("tracks", "top")], (offset, window)


def test_everyone_hears_that_a_chart_changed() -> None:
    assert LiveFilter().for_viewer(ANONYMOUS, charts_event("7d")) == {"window": "7d"}


def test_the_worker_refreshes_stale_charts_with_no_reader(world: World) -> None:
    """Charts are pushed live where they are shown: the worker pool's maintenance
    rebuilds every stale window although no one reads a chart (a rebuild that changes a
    chart announces it, as above). This site's charts are stale at once (refresh 0 s)."""
    c = world.c
    track = world.track(world.owner, "pushed")
    world.plays(track, 3, utcnow() - timedelta(minutes=5))
    pool = WorkerPool(c, 1)
    pool.refresh_charts()
    with c.infra.uows.read() as session:
        first = dict(session.execute(select(ChartWindow.window, ChartWindow.computed_at)).all())
        charted = session.scalars(
            select(ChartEntry.subject_id).where(ChartEntry.window == "24h")
        ).all()
    assert set(first) == {"24h", "7d", "30d", "all"} and None not in first.values()
    assert track in charted
    world.plays(track, 2, utcnow() - timedelta(minutes=1))
    pool.refresh_charts()
    with c.infra.uows.read() as session:
        plays = session.scalars(
            select(ChartEntry.plays).where(
                ChartEntry.window == "24h", ChartEntry.subject_id == track
            )
        ).all()
    assert set(plays) == {5}
