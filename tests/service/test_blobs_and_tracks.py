"""Dedup, reference counts, deletion and collection, through the services."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tests.fixtures.accounts import drain, member_viewer, stage
from tests.fixtures.audio import MakeAudio
from tests.service.conftest import upload
from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.models import Blob, Job, Track
from tonearm.types import BlobHash


def _count(app: Container, model: type, **where: object) -> int:
    with app.infra.uows.read() as s:
        q = select(func.count()).select_from(model)
        for name, value in where.items():
            q = q.where(getattr(model, name) == value)
        return int(s.scalar(q) or 0)


def _stored(app: Container, blob_hash: str) -> list[Path]:
    root = app.settings.data_dir / "blobs"
    return [p for p in root.rglob("*") if p.is_file() and blob_hash in str(p)]


def test_the_same_bytes_are_stored_once_and_referenced_per_track(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    source = audio("same.flac", seconds=2.0)
    first = upload(app, viewer, source, "one.flac")
    other = member_viewer(app, "other")
    assert other.user_id is not None
    staged = stage(app, source, "two.flac")
    second = app.ingest.service.finish(staged, other.user_id)
    assert (first.deduplicated, second.deduplicated) == (False, False)
    assert second.track_id != first.track_id
    assert not staged.path.exists()  # the second copy's bytes were dropped
    with app.infra.uows.read() as s:
        blob_hash = s.get(Track, first.track_id).blob_hash  # type: ignore[union-attr]
        blob = s.get(Blob, blob_hash)
        assert blob is not None and blob.refcount == 2
        out = app.library.get(s, other, second.track_id)
    assert out.deduplicated is False and out.filename == "two.flac"
    assert _count(app, Job, subject=blob_hash) == 1
    assert len([p for p in _stored(app, blob_hash) if "originals" in str(p)]) == 1
    assert list(app.ingest.staging.root.glob("*.part")) == []


def test_ones_own_bytes_again_answer_with_the_track_one_has(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    source = audio("mine.flac", seconds=2.0, frequency=610.0)
    first = upload(app, viewer, source, "one.flac")
    staged = stage(app, source, "renamed.flac")
    assert viewer.user_id is not None
    again = app.ingest.service.finish(staged, viewer.user_id)
    assert again.track_id == first.track_id and again.deduplicated is True
    assert not staged.path.exists()
    assert _count(app, Track, owner_id=viewer.user_id) == 1
    with app.infra.uows.read() as s:
        track = s.get(Track, first.track_id)
        assert track is not None and track.filename == "one.flac"
        assert track.blob.refcount == 1
    assert list(app.ingest.staging.root.glob("*.part")) == []


def test_deleting_the_last_track_collects_the_blob_and_its_job(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    source = audio("gone.flac", seconds=2.0, frequency=500.0)
    other = member_viewer(app, "other")
    a = upload(app, viewer, source)
    b = upload(app, other, source)
    with app.infra.uows.read() as s:
        blob_hash = BlobHash(s.get(Track, a.track_id).blob_hash)  # type: ignore[union-attr]
    drain(app)  # processing: the blob becomes ready
    with app.infra.uows.read() as s:
        assert app.library.get(s, viewer, a.track_id).status == "ready"
    with app.infra.uows() as uow:
        app.library.delete(uow, viewer, a.track_id)
    drain(app)
    assert _count(app, Blob, hash=blob_hash) == 1 and _stored(app, blob_hash)
    with app.infra.uows() as uow:
        app.library.delete(uow, other, b.track_id)
    drain(app)
    assert _count(app, Blob, hash=blob_hash) == 0
    assert _count(app, Job, subject=blob_hash) == 0
    assert _stored(app, blob_hash) == []
    # The same bytes again: stored and processed anew.
    c = upload(app, viewer, source)
    assert c.deduplicated is False
    drain(app)
    with app.infra.uows.read() as s:
        assert app.library.get(s, viewer, c.track_id).status == "ready"


def test_job_ids_are_never_reused(app: Container, viewer: Viewer, audio: MakeAudio) -> None:
    source = audio("ids.flac", seconds=2.0, frequency=700.0)
    first = upload(app, viewer, source)
    with app.infra.uows.read() as s:
        old_id = s.scalar(select(Job.id))
    with app.infra.uows() as uow:
        app.library.delete(uow, viewer, first.track_id)
    drain(app)
    assert _count(app, Job) == 0
    upload(app, viewer, source)
    with app.infra.uows.read() as s:
        new_id = s.scalar(select(Job.id))
    assert old_id is not None and new_id is not None and new_id > old_id


def test_blobs_the_allow_list_refuses_are_withdrawn(
    app: Container, viewer: Viewer, audio: MakeAudio
) -> None:
    """A 'track' stored before the allow-list from a playlist naming a server file."""
    accepted = upload(app, viewer, audio("old.flac", seconds=2.0, frequency=880.0))
    drain(app)
    with app.infra.uows() as uow:
        track = uow.session.get(Track, accepted.track_id)
        assert track is not None
        blob = uow.session.get(Blob, track.blob_hash)
        assert blob is not None and blob.status == "ready"
        blob.format_name = "hls"
        blob_hash = blob.hash
    assert any("hls/" in str(p) for p in _stored(app, blob_hash))
    with app.infra.uows() as uow:
        assert app.blobs.service.quarantine_refused(uow) == [blob_hash]
    with app.infra.uows.read() as s:
        out = app.library.get(s, viewer, accepted.track_id)
    assert out.status == "failed" and "playlist" in (out.error or "")
    assert out.urls.hls is None
    assert not any("/hls/" in str(p) or "/derived/" in str(p) for p in _stored(app, blob_hash))
