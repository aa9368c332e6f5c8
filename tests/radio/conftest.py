"""Radio through the whole HTTP app, in process, on SQLite and PostgreSQL.

Tracks are recorded as uploads are (``IngestService.finish``) and their descriptors
computed by the real decoder and builder from the real file (``describe_file``);
processing itself is left out except where a test is about it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import Person, Site, build_container, stage
from tests.fixtures.audio import make_audio
from tonearm.blobs.features import FeatureRepository
from tonearm.media import MediaTools, describe_file, probe
from tonearm.models import Track, TrackGenre, Visibility
from tonearm.types import Seconds, UserId

TOOLS = MediaTools()


@dataclass
class World:
    site: Site
    admin: Person
    owner: Person
    other: Person
    tmp: Path
    _made: Iterator[int] = field(default_factory=itertools.count)

    def tone(self) -> Path:
        """A short tone of its own frequency (bytes no one else has)."""
        n = next(self._made)
        return make_audio(self.tmp / f"t{n}.flac", seconds=1.5, frequency=200.0 + 37 * n)

    def track(
        self,
        person: Person,
        audio: Path | None = None,
        *,
        visibility: str = "public",
        artist: str | None = None,
        genre: str | None = None,
        describe: bool = True,
    ) -> str:
        c = self.site.c
        audio = audio or self.tone()
        accepted = c.ingest.service.finish(
            stage(c, audio), UserId(person.user_id), Visibility(visibility)
        )
        track_id = str(accepted.track_id)
        with c.infra.uows() as uow:
            track = uow.session.scalar(select(Track).where(Track.id == track_id))
            assert track is not None
            track.artist = artist
            if genre:
                track.genre = genre
                uow.session.add(
                    TrackGenre(track_id=track_id, genre_key=genre.casefold(), name=genre)
                )
            if describe:
                info = probe(audio, TOOLS, min_duration=Seconds(0.5), max_duration=Seconds(600))
                FeatureRepository(uow.session).save(
                    track.blob_hash, describe_file(audio, info, TOOLS)
                )
        return track_id

    def json(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    c = build_container(tmp_path / "data", database_url)
    try:
        site = Site(c)
        admin = site.setup("admin")
        owner = site.add_user(admin, "owner")
        other = site.add_user(admin, "other")
        yield World(site, admin, owner, other, tmp_path)
    finally:
        c.close()
