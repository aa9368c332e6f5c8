"""Accounts and authorization through the whole HTTP app, in process, on SQLite and
PostgreSQL: a container on a temp directory with the in-memory queue, requests sent
through ASGI by browsers (session cookie + CSRF token) and scripts (bearer token)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.accounts import Site, build_container
from tests.fixtures.audio import image_bytes, make_audio
from tonearm.container import Container

MakeSite = Callable[..., Site]


@pytest.fixture
def make_site(tmp_path: Path, database_url: str) -> Iterator[MakeSite]:
    """Builds the app on this test's database, with settings sections overridden
    (``make_site(accounts={"session_idle_s": 2})``)."""
    built: list[Container] = []

    def make(**sections: dict[str, Any]) -> Site:
        c = build_container(tmp_path / f"data{len(built)}", database_url, **sections)
        built.append(c)
        return Site(c)

    yield make
    for c in built:
        c.close()


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    return make_site()


def song(folder: Path, *, seconds: float = 3.0, frequency: float = 440.0) -> Path:
    """A short FLAC with embedded cover art (so a processed track has every file)."""
    folder.mkdir(parents=True, exist_ok=True)
    cover = folder / "cover.png"
    cover.write_bytes(image_bytes((300, 300)))
    plain = make_audio(folder / "plain.flac", seconds=seconds, frequency=frequency)
    tagged = folder / "song.flac"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-i", str(plain), "-i", str(cover)),
            *("-map", "0:a", "-map", "1:v", "-c:a", "copy", "-c:v", "png"),
            *("-disposition:v", "attached_pic", str(tagged)),
        ],
        check=True,
    )
    return tagged
