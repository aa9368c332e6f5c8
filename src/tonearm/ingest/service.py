"""Turning a staged upload into a track: validate, deduplicate, store, schedule processing.

The edge calls ``inspect`` outside any write transaction (ffprobe takes a moment and
must not hold the database's write lock), then ``accept`` inside one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import NotFound
from tonearm.ingest import keys
from tonearm.ingest.repository import BlobRepository
from tonearm.ingest.staging import StagedFile
from tonearm.library.repository import TrackRepository
from tonearm.media import AudioInfo, MediaTools, probe
from tonearm.models import Blob, BlobStatus, Track
from tonearm.queue.leases import JobLeases
from tonearm.storage import BlobStore
from tonearm.types import Seconds

PROCESS_TASK = "media.process"
COLLECT_TASK = "blobs.collect"
PROCESS_KIND = "process"


@dataclass(frozen=True)
class Limits:
    min_duration: Seconds
    max_duration: Seconds


@dataclass(frozen=True)
class Inspection:
    """What we learned about staged bytes before taking the write lock."""

    known: bool
    info: AudioInfo | None


@dataclass(frozen=True)
class Accepted:
    track: Track
    deduplicated: bool


class IngestService:
    def __init__(self, store: BlobStore, tools: MediaTools, limits: Limits) -> None:
        self._store = store
        self._tools = tools
        self._limits = limits

    def inspect(self, session: Session, staged: StagedFile) -> Inspection:
        """Probe the bytes unless a blob with the same hash is already stored.

        Raises the media layer's ``Invalid``/``UnsupportedMedia`` with a reason a
        person understands.
        """
        blob = BlobRepository(session).get(staged.sha256)
        if blob is not None:
            return Inspection(known=True, info=None)
        return Inspection(known=False, info=self._probe(staged.path))

    def _probe(self, path: Path) -> AudioInfo:
        return probe(
            path,
            self._tools,
            min_duration=self._limits.min_duration,
            max_duration=self._limits.max_duration,
        )

    def accept(self, uow: UnitOfWork, staged: StagedFile, inspection: Inspection) -> Accepted:
        """Reference (or create) the blob for ``staged`` and add a track that points at it.

        The staged file is moved into the store only by the call that created the blob;
        every other caller's copy is deleted after commit.
        """
        blobs = BlobRepository(uow.session)
        blob = blobs.get(staged.sha256, for_update=True)
        created = False
        if blob is None:
            info = inspection.info or self._probe(staged.path)
            blob = _new_blob(staged, info)
            created = blobs.insert_if_absent(blob)
            blob = blobs.get(staged.sha256, for_update=True)
            if blob is None:  # pragma: no cover - the row was inserted or already there
                raise NotFound("blob vanished during upload")
        if created:
            self._store_original(uow, staged, blob)
            self._schedule(uow, blob.hash)
        else:
            uow.after_commit(staged.discard)
            if blob.refcount == 0:
                self._revive(uow, staged, blob)
        blobs.add_reference(blob.hash)
        track = TrackRepository(uow.session).add(_new_track(staged, blob))
        return Accepted(track=track, deduplicated=not created)

    def _store_original(self, uow: UnitOfWork, staged: StagedFile, blob: Blob) -> None:
        key = keys.original_key(blob.hash, blob.original_ext)
        self._store.put_file(key, staged.path, move=True)
        uow.on_rollback(lambda: self._store.delete(key))

    def _revive(self, uow: UnitOfWork, staged: StagedFile, blob: Blob) -> None:
        """A blob at zero references may be half-way through collection: make it whole.

        Collection deletes the original first, so an original still in the store means
        nothing was deleted yet; a job still queued or running will finish the work.
        """
        key = keys.original_key(blob.hash, blob.original_ext)
        if self._store.exists(key) and (
            blob.status == BlobStatus.READY or JobLeases(uow.session).active_for_blob(blob.hash)
        ):
            return
        if not self._store.exists(key):
            self._store.put_file(key, staged.path)
        blob.status = BlobStatus.UPLOADED
        blob.playable = False
        BlobRepository(uow.session).clear_renditions(blob.hash)
        self._schedule(uow, blob.hash)

    def _schedule(self, uow: UnitOfWork, blob_hash: str) -> None:
        leases = JobLeases(uow.session)
        job = leases.get_for_blob(blob_hash, PROCESS_KIND)
        if job is None:
            job = leases.create(blob_hash, PROCESS_KIND)
        else:
            leases.requeue(job)
        uow.enqueue(PROCESS_TASK, job.id)


def _new_blob(staged: StagedFile, info: AudioInfo) -> Blob:
    return Blob(
        hash=staged.sha256,
        size=staged.size,
        refcount=0,
        status=BlobStatus.UPLOADED,
        playable=False,
        format_name=info.format_name[:64],
        codec=info.codec[:32],
        sample_rate=info.sample_rate,
        channels=info.channels,
        bits_per_sample=info.bits_per_sample,
        bit_rate=info.bit_rate,
        duration=float(info.duration),
        has_cover=info.has_cover,
        original_ext=keys.original_ext(info.format_name, info.codec),
        tags={},
        artwork_sizes=[],
        has_waveform=False,
    )


def _new_track(staged: StagedFile, blob: Blob) -> Track:
    track = Track(
        id=secrets.token_hex(8),
        blob_hash=blob.hash,
        filename=staged.filename,
        title=Path(staged.filename).stem or staged.filename,
        tags_applied=False,
    )
    if blob.status == BlobStatus.READY:
        for name, value in blob.tags.items():
            if value is not None and hasattr(track, name):
                setattr(track, name, value)
        track.tags_applied = True
    track.blob = blob
    return track
