"""A site with people, tracks written straight into the tables, and plays recorded as
the write side would record them (the session row and its rollups in one transaction),
on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.accounts import Person, Site, build_container
from tonearm.models import (
    Album,
    Artist,
    Blob,
    BlobStatus,
    ListenerTrack,
    Play,
    PlayHour,
    Track,
    TrackPlays,
    utcnow,
)
from tonearm.types import TrackId, UserId

DURATION_S = 200.0


@dataclass
class World:
    site: Site
    admin: Person
    owner: Person
    other: Person
    tmp: Path
    _n: Iterator[int] = field(default_factory=itertools.count)

    @property
    def c(self) -> Any:
        return self.site.c

    def artist(self, name: str) -> str:
        artist_id = f"ar{next(self._n)}"
        with self.c.infra.uows() as uow:
            uow.session.add(Artist(id=artist_id, name=name, match_key=artist_id, sort_key=name))
        return artist_id

    def album(self, title: str, artist_id: str) -> str:
        album_id = f"al{next(self._n)}"
        with self.c.infra.uows() as uow:
            uow.session.add(
                Album(
                    id=album_id,
                    title=title,
                    artist_id=artist_id,
                    match_key=album_id,
                    sort_key=title,
                )
            )
        return album_id

    def track(
        self,
        person: Person,
        title: str,
        *,
        visibility: str = "public",
        artist_id: str | None = None,
        album_id: str | None = None,
        duration: float = DURATION_S,
    ) -> str:
        n = next(self._n)
        digest = hashlib.sha256(f"{title}{n}".encode()).hexdigest()
        track_id = f"tr{n}"
        with self.c.infra.uows() as uow:
            uow.session.add(
                Blob(
                    hash=digest,
                    size=1000,
                    refcount=1,
                    status=BlobStatus.READY,
                    playable=True,
                    format_name="flac",
                    codec="flac",
                    sample_rate=44100,
                    channels=2,
                    duration=duration,
                )
            )
            uow.session.flush()
            uow.session.add(
                Track(
                    id=track_id,
                    blob_hash=digest,
                    owner_id=person.user_id,
                    visibility=visibility,
                    filename=f"{title}.flac",
                    title=title,
                    artist="Someone",
                    artist_id=artist_id,
                    album_id=album_id,
                )
            )
        return track_id

    def play(
        self,
        track_id: str,
        at: datetime | None = None,
        *,
        user: Person | None = None,
        rung: str = "128k",
        seconds: float = 60.0,
        stop_ms: int | None = None,
        counted: bool = True,
        duration_ms: int | None = None,
    ) -> str:
        """One play session, and its rollups as the write side keeps them."""
        at = at or utcnow()
        session = f"s{next(self._n)}"
        with self.c.infra.uows() as uow:
            s = uow.session
            track = s.get(Track, track_id)
            assert track is not None
            duration_ms = duration_ms or int(track.blob.duration * 1000)
            s.add(
                Play(
                    session=session,
                    track_id=TrackId(track_id),
                    owner_id=track.owner_id,
                    user_id=UserId(user.user_id) if user else None,
                    listener=user.user_id if user else f"anon:{session}",
                    rung=rung,
                    duration_ms=duration_ms,
                    started_at=at,
                    counted_at=at + timedelta(seconds=30) if counted else None,
                    ended_at=at + timedelta(seconds=seconds),
                    seconds=seconds,
                    stop_ms=stop_ms,
                )
            )
            hour = at.replace(minute=0, second=0, microsecond=0)
            ph = s.get(PlayHour, (hour, track_id, rung))
            if ph is None:
                ph = PlayHour(hour=hour, track_id=track_id, rung=rung, plays=0, seconds=0.0)
                s.add(ph)
            ph.plays += 1 if counted else 0
            ph.seconds += seconds
            if counted:
                tp = s.get(TrackPlays, track_id)
                if tp is None:
                    tp = TrackPlays(track_id=track_id, plays=0, seconds=0.0)
                    s.add(tp)
                tp.plays += 1
                tp.seconds += seconds
                tp.last_played_at = at
                if user is not None:
                    lt = s.get(ListenerTrack, (user.user_id, track_id))
                    if lt is None:
                        lt = ListenerTrack(
                            user_id=user.user_id, track_id=track_id, plays=0, seconds=0.0
                        )
                        s.add(lt)
                    lt.plays += 1
                    lt.seconds += seconds
                    lt.last_played_at = at
        return session

    def plays(self, track_id: str, n: int, at: datetime | None = None, **kw: Any) -> None:
        for _ in range(n):
            self.play(track_id, at, **kw)

    def json(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()


def make_world(tmp_path: Path, database_url: str, **sections: dict[str, Any]) -> Iterator[World]:
    c = build_container(tmp_path / "data", database_url, **sections)
    try:
        site = Site(c)
        admin = site.setup("admin")
        owner = site.add_user(admin, "owner")
        other = site.add_user(admin, "other")
        yield World(site, admin, owner, other, tmp_path)
    finally:
        c.close()


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    # Charts recomputed on every read: each test sees what it just recorded.
    yield from make_world(tmp_path, database_url, listening={"chart_refresh_s": 0.0})
