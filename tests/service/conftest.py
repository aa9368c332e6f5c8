"""Services built in process from the composition root, on SQLite and PostgreSQL.

No server, no subprocess: a real database built by the migrations, a local blob store
in a temp directory, the in-memory queue (tasks run when a test says so) and real
ffmpeg where media is involved. Every service call is made for a viewer: a member
created through the account service, as their signed-in browser would be.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.accounts import build_container, member_viewer, stage
from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.ingest.service import Accepted
from tonearm.models import Visibility


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Container]:
    c = build_container(tmp_path / "data", database_url, jobs={"lease_s": 5.0})
    yield c
    c.close()


@pytest.fixture
def viewer(app: Container) -> Viewer:
    """The member every upload in a test belongs to (unless it names another)."""
    return member_viewer(app, "owner")


def upload(
    app: Container,
    viewer: Viewer,
    source: Path,
    name: str | None = None,
    visibility: Visibility = Visibility.PRIVATE,
) -> Accepted:
    assert viewer.user_id is not None
    return app.ingest.service.finish(stage(app, source, name), viewer.user_id, visibility)
