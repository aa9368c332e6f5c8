"""Playlists through the whole HTTP app, in process, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.fixtures.accounts import Person, Site, build_container, stage
from tests.fixtures.audio import make_audio

from tonearm.models import Visibility
from tonearm.types import UserId


@dataclass
class World:
    site: Site
    admin: Person
    owner: Person
    other: Person
    audio: Path
    _made: Iterator[int] = field(default_factory=itertools.count)

    def track(self, person: Person, visibility: str = "private", name: str = "t.flac") -> str:
        """A track of ``person`` (unprocessed: enough to be listed), with bytes of its own:
        the same bytes again would answer with the owner's existing track."""
        c = self.site.c
        n = next(self._made)
        audio = make_audio(self.audio.with_name(f"a{n}.flac"), seconds=1.5, frequency=300.0 + 9 * n)
        accepted = c.ingest.service.finish(
            stage(c, audio, name), UserId(person.user_id), Visibility(visibility)
        )
        return str(accepted.track_id)

    def playlist(self, person: Person, **body: Any) -> dict[str, Any]:
        made = person.browser.post("/api/playlists", json={"name": "Mix", **body})
        assert made.status_code == 201, made.text
        result: dict[str, Any] = made.json()
        return result

    def items(self, person: Person, playlist_id: str, **params: Any) -> dict[str, Any]:
        got = person.browser.get(
            f"/api/playlists/{playlist_id}/items", params={"limit": 500, **params}
        )
        assert got.status_code == 200, got.text
        result: dict[str, Any] = got.json()
        return result


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    c = build_container(tmp_path / "data", database_url)
    try:
        site = Site(c)
        admin = site.setup("admin")
        owner = site.add_user(admin, "owner")
        other = site.add_user(admin, "other")
        audio = make_audio(tmp_path / "a.flac", seconds=1.5)
        yield World(site, admin, owner, other, audio)
    finally:
        c.close()
