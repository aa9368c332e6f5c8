"""Services built in process from the composition root, on SQLite and PostgreSQL.

No server, no subprocess: a real database built by the migrations, a local blob store
in a temp directory, the in-memory queue (tasks run when a test says so) and real
ffmpeg where media is involved.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tonearm import container
from tonearm.blobs.hashing import file_sha256
from tonearm.container import Container
from tonearm.ingest.service import Accepted
from tonearm.ingest.staging import StagedFile
from tonearm.settings import Settings


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Container]:
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path / "data",
            "database": {"url": database_url},
            "queue": {"url": "memory://"},
            "jobs": {"lease_s": 5.0},
        }
    )
    c = container.build(settings)
    c.migrate()
    yield c
    c.close()


def stage(app: Container, source: Path, name: str | None = None) -> StagedFile:
    """A copy of ``source`` in the staging area, as an upload would leave it."""
    path = app.ingest.staging.new_path()
    shutil.copyfile(source, path)
    return StagedFile(
        path=path, sha256=file_sha256(path), size=path.stat().st_size, filename=name or source.name
    )


def upload(app: Container, source: Path, name: str | None = None) -> Accepted:
    return app.ingest.service.finish(stage(app, source, name))


def drain(app: Container) -> int:
    """Run every queued task (and what they queue) now, in this thread."""
    ran = 0
    while app.infra.queue.run_one(timeout=0.01):
        ran += 1
    return ran
