"""Services built in process from the composition root, on SQLite and PostgreSQL.

No server, no subprocess: a real database built by the migrations, a local blob store
in a temp directory, the in-memory queue (tasks run when a test says so) and real
ffmpeg where media is involved. Every service call is made for a viewer: a member
created through the account service, as their signed-in browser would be.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.accounts import build_container, member_viewer
from tonearm.accounts.principal import Viewer
from tonearm.blobs.hashing import file_sha256
from tonearm.container import Container
from tonearm.ingest.service import Accepted
from tonearm.ingest.staging import StagedFile
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


def stage(app: Container, source: Path, name: str | None = None) -> StagedFile:
    """A copy of ``source`` in the staging area, as an upload would leave it."""
    path = app.ingest.staging.new_path()
    shutil.copyfile(source, path)
    return StagedFile(
        path=path, sha256=file_sha256(path), size=path.stat().st_size, filename=name or source.name
    )


def upload(
    app: Container,
    viewer: Viewer,
    source: Path,
    name: str | None = None,
    visibility: Visibility = Visibility.PRIVATE,
) -> Accepted:
    assert viewer.user_id is not None
    return app.ingest.service.finish(stage(app, source, name), viewer.user_id, visibility)
