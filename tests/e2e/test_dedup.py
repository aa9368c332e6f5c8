"""Identical bytes are stored and processed once, however often they are uploaded."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from tests.fixtures.audio import MakeAudio
from tests.fixtures.database import BACKENDS, fresh_database
from tests.fixtures.server import Server
from tonearm.models import Blob, Job, Track

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=BACKENDS)
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server, Engine]]:
    """Two server processes on one data directory and database."""
    data = tmp_path_factory.mktemp("pair")
    with fresh_database(request.param, data) as url:
        a = Server(data, url)
        b = Server(data, url)
        engine = create_engine(url)
        yield a, b, engine
        engine.dispose()
        a.stop()
        b.stop()


def _count(engine: Engine, model: type, **where: object) -> int:
    with engine.connect() as conn:
        q = select(func.count()).select_from(model)
        for key, value in where.items():
            q = q.where(getattr(model, key) == value)
        return int(conn.scalar(q) or 0)


def _stored(data_dir: Path, blob_hash: str) -> list[Path]:
    return [p for p in (data_dir / "blobs").rglob("*") if p.is_file() and blob_hash in str(p)]


def test_twenty_concurrent_identical_uploads_over_two_processes(
    pair: tuple[Server, Server, Engine], audio: MakeAudio
) -> None:
    """One person sends the same file twenty times at once to two processes: one track
    (the others answer with it), stored and processed once."""
    a, b, engine = pair
    source = audio("same.flac", seconds=8.0, source="noise")
    data = source.read_bytes()

    def upload(i: int) -> httpx.Response:
        srv = a if i % 2 else b
        return httpx.post(
            f"{srv.url}/api/tracks",
            files={"file": (f"copy{i}.flac", data)},
            headers=srv.auth,
            timeout=60,
        )

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(upload, range(20)))
    assert sorted(r.status_code for r in responses) == [200] * 19 + [201], [
        r.text for r in responses
    ]
    bodies = [r.json() for r in responses]
    blob_hash = bodies[0]["source"]["sha256"]
    assert {body["source"]["sha256"] for body in bodies} == {blob_hash}
    assert sum(not body["deduplicated"] for body in bodies) == 1
    assert len({body["id"] for body in bodies}) == 1
    track_id = bodies[0]["id"]

    a.wait_ready(track_id)
    assert _count(engine, Blob) == 1
    assert _count(engine, Job, subject=blob_hash) == 1
    assert _count(engine, Track, blob_hash=blob_hash) == 1
    with engine.connect() as conn:
        blob = conn.execute(
            select(Blob.refcount, Blob.original_ext).where(Blob.hash == blob_hash)
        ).one()
        job = conn.execute(select(Job.attempts).where(Job.subject == blob_hash)).one()
    assert blob.refcount == 1
    assert job.attempts == 1  # processed once
    originals = [p for p in _stored(a.data_dir, blob_hash) if "originals" in str(p)]
    assert len(originals) == 1 and originals[0].read_bytes() == data
    assert list((a.data_dir / "tmp" / "uploads").glob("*")) == []

    # Deleting the track removes every file.
    files_before = _stored(a.data_dir, blob_hash)
    assert len(files_before) > 10  # original, MP3, waveform, segments of three rungs
    assert b.http.delete(f"/api/tracks/{track_id}").status_code == 204
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (_count(engine, Blob) or _stored(a.data_dir, blob_hash)):
        time.sleep(0.2)
    assert _count(engine, Blob) == 0
    assert _stored(a.data_dir, blob_hash) == []
    assert _count(engine, Job, subject=blob_hash) == 0


def test_reupload_after_deletion_processes_again(
    pair: tuple[Server, Server, Engine], audio: MakeAudio
) -> None:
    a, b, engine = pair
    source = audio("again.flac", seconds=6.0, frequency=880.0)
    first = a.upload(source).json()
    a.wait_ready(first["id"])
    assert a.http.delete(f"/api/tracks/{first['id']}").status_code == 204
    second = b.upload(source).json()
    track = b.wait_ready(second["id"])
    assert track["source"]["sha256"] == first["source"]["sha256"]
    original = httpx.get(b.url + track["urls"]["original"], headers=b.auth)
    assert original.content == source.read_bytes()
    assert _count(engine, Track, blob_hash=track["source"]["sha256"]) == 1
