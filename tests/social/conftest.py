"""Comments, the queue and embeds through the whole HTTP app, in process, on SQLite and
PostgreSQL (the same sites and people as the accounts tests)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tests.accounts.conftest import make_site, site
from tests.fixtures.accounts import Person
from tests.fixtures.audio import make_audio

__all__ = ["make_site", "site", "upload"]

_tones = itertools.count()


def upload(person: Person, folder: Path, visibility: str = "private", seconds: float = 3.0) -> str:
    """A track of ``person``'s (a short WAV of its own; not processed), its id. Each has
    different bytes: the same bytes again would answer with the owner's existing track."""
    n = next(_tones)
    (folder / str(n)).mkdir(parents=True, exist_ok=True)
    path = make_audio(
        folder / str(n) / f"{visibility}-{seconds}.wav", seconds=seconds, frequency=300.0 + 11 * n
    )
    made = person.browser.post(
        "/api/tracks",
        params={"visibility": visibility},
        files={"file": (path.name, path.read_bytes())},
    )
    assert made.status_code == 201, made.text
    data: dict[str, Any] = made.json()
    return str(data["id"])
