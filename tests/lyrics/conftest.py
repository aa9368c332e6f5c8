"""The whole app in process (as tests/accounts), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.accounts import Person, Site, build_container


@pytest.fixture
def site(tmp_path: Path, database_url: str) -> Iterator[Site]:
    c = build_container(tmp_path / "data", database_url)
    yield Site(c)
    c.close()


def upload(person: Person, path: Path, visibility: str = "private") -> str:
    made = person.browser.post(
        "/api/tracks",
        params={"visibility": visibility},
        files={"file": (path.name, path.read_bytes())},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])
