"""Radio through the whole HTTP app, in process, on SQLite and PostgreSQL.

Tracks are recorded as uploads are (``IngestService.finish``) and their descriptors
computed by the real decoder and builder from the real file (``describe_file``);
processing itself is left out except where a test is about it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.fixtures.accounts import Person, Site, build_container, stage
from tests.fixtures.audio import make_audio
from tests.fixtures.sounds import FAMILIES, Clip, Family, labelled_set
from tonearm.blobs.features import FeatureRepository
from tonearm.media import Descriptor, MediaTools, describe_file, probe
from tonearm.models import Track, TrackGenre, Visibility
from tonearm.types import Seconds, UserId

TOOLS = MediaTools()


class Studio:
    """Sounds and their descriptors, made once per test process and shared by every
    world: the same tones and clips went into each test on each backend, and made and
    described anew they were most of this package's time. Only read from: each world
    stages its own copy, and its own database stores what ``describe_file`` found."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._described: dict[str, Descriptor] = {}
        self._clips: dict[tuple[int, tuple[Family, ...], float, int], list[Clip]] = {}

    def tone(self, n: int) -> Path:
        path = self.folder / f"t{n}.flac"
        if not path.exists():
            make_audio(path, seconds=1.5, frequency=200.0 + 37 * n)
        return path

    def clips(
        self,
        per_family: int,
        families: tuple[Family, ...] = FAMILIES,
        *,
        seconds: float,
        seed: int = 16,
    ) -> list[Clip]:
        """``labelled_set`` with these arguments, rendered on first use."""
        key = (per_family, families, seconds, seed)
        if key not in self._clips:
            folder = self.folder / f"set{len(self._clips)}"
            self._clips[key] = labelled_set(
                folder, per_family, families=families, seconds=seconds, seed=seed
            )
        return self._clips[key]

    def describe(self, audio: Path) -> Descriptor:
        """``describe_file`` of ``audio``, once per content."""
        digest = hashlib.sha256(audio.read_bytes()).hexdigest()
        if digest not in self._described:
            info = probe(audio, TOOLS, min_duration=Seconds(0.5), max_duration=Seconds(600))
            self._described[digest] = describe_file(audio, info, TOOLS)
        return self._described[digest]


@dataclass
class World:
    site: Site
    admin: Person
    owner: Person
    other: Person
    tmp: Path
    studio: Studio
    _made: Iterator[int] = field(default_factory=itertools.count)

    def tone(self) -> Path:
        """A short tone of its own frequency (bytes no one else has)."""
        return self.studio.tone(next(self._made))

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
                FeatureRepository(uow.session).save(track.blob_hash, self.studio.describe(audio))
        return track_id

    def json(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    return Studio(tmp_path_factory.mktemp("studio"))


@pytest.fixture
def world(tmp_path: Path, database_url: str, studio: Studio) -> Iterator[World]:
    c = build_container(tmp_path / "data", database_url)
    try:
        site = Site(c)
        admin = site.setup("admin")
        owner = site.add_user(admin, "owner")
        other = site.add_user(admin, "other")
        yield World(site, admin, owner, other, tmp_path, studio)
    finally:
        c.close()
