"""The life of a blob: admitted once per content hash, referenced by tracks, collected at zero.

Lock order everywhere: the blob row, then its job row (uploads lock the blob and may
then reschedule its job; the reverse order deadlocked under concurrent uploads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tonearm.blobs import keys
from tonearm.blobs.repository import BlobRepository
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import NotFound, TonearmError
from tonearm.jobs.leases import JobLeases
from tonearm.jobs.runner import RUN_TASK
from tonearm.media import AudioInfo
from tonearm.media.formats import check_codec, demuxer_of
from tonearm.models import Blob, BlobStatus
from tonearm.storage import BlobStore
from tonearm.types import BlobHash

PROCESS_KIND = "blobs.process"
"""The job that turns a blob's original into everything served (handled by ``processing``)."""
COLLECT_TASK = "blobs.collect"


@dataclass(frozen=True)
class Admission:
    blob: Blob
    created: bool
    """This call stored the bytes (a new blob); False: they were already stored."""


class BlobService:
    def __init__(self, store: BlobStore) -> None:
        self._store = store

    def get(self, session: Session, blob_hash: BlobHash) -> Blob | None:
        return BlobRepository(session).get(blob_hash)

    def admit(
        self,
        uow: UnitOfWork,
        *,
        sha256: BlobHash,
        size: int,
        path: Path,
        describe: Callable[[], AudioInfo],
    ) -> Admission:
        """Add one reference to the blob of these bytes, creating it if it is new.

        ``path`` holds exactly the bytes hashed to ``sha256``; it is moved into the store
        only by the call that creates the blob. Two processes admitting the same bytes at
        once both reach the insert; the database decides which one stores the file.
        ``describe`` (ffprobe) runs only for bytes not stored yet.
        """
        blobs = BlobRepository(uow.session)
        blob = blobs.get(sha256, for_update=True)
        created = False
        if blob is None:
            created = blobs.insert_if_absent(_new_blob(sha256, size, describe()))
            blob = blobs.get(sha256, for_update=True)
            if blob is None:  # pragma: no cover - the row was inserted or already there
                raise NotFound("The stored file vanished during the upload; try again.")
        if created:
            key = keys.original_key(blob.hash, blob.original_ext)
            self._store.put_file(key, path, move=True)
            uow.on_rollback(lambda: self._store.delete(key))
            self.schedule_processing(uow, blob.hash)
        elif blob.refcount == 0:
            self._revive(uow, path, blob)
        blobs.add_reference(blob.hash)
        return Admission(blob=blob, created=created)

    def _revive(self, uow: UnitOfWork, path: Path, blob: Blob) -> None:
        """A blob at zero references may be half-way through collection: make it whole.

        Collection deletes the original first, so an original still in the store means
        nothing was deleted yet; a job still queued or running will finish the work.
        """
        key = keys.original_key(blob.hash, blob.original_ext)
        if self._store.exists(key) and (
            blob.status == BlobStatus.READY
            or JobLeases(uow.session).active(PROCESS_KIND, blob.hash)
        ):
            return
        if not self._store.exists(key):
            self._store.put_file(key, path)
        blob.status = BlobStatus.UPLOADED
        blob.playable = False
        BlobRepository(uow.session).clear_renditions(blob.hash)
        self.schedule_processing(uow, blob.hash)

    def schedule_processing(self, uow: UnitOfWork, blob_hash: BlobHash) -> None:
        job = JobLeases(uow.session).schedule(PROCESS_KIND, blob_hash)
        uow.enqueue(RUN_TASK, job.id)

    def release(self, uow: UnitOfWork, blob_hash: BlobHash) -> int:
        """Drop one reference; at zero the blob is collected after commit. Returns the count."""
        count = BlobRepository(uow.session).drop_reference(blob_hash)
        if count == 0:
            uow.enqueue(COLLECT_TASK, blob_hash)
        return count

    def collect(self, uow: UnitOfWork, blob_hash: BlobHash) -> bool:
        """Delete the blob and its files if nothing uses it; True if it was deleted.

        Runs with the row locked and deletes the files *before* the row: an upload of
        the same bytes arriving meanwhile waits on the lock, then finds no row and
        stores its own copy instead of referencing files about to vanish. A crash
        half-way leaves the row at zero references, which ``admit`` revives.
        """
        blobs = BlobRepository(uow.session)
        blob = blobs.get(blob_hash, for_update=True)
        if blob is None or blob.refcount > 0:
            return False
        leases = JobLeases(uow.session)
        if leases.active(PROCESS_KIND, blob_hash):
            return False  # the job re-sends collection when it ends
        self._store.delete(keys.original_key(blob_hash, blob.original_ext))
        self._store.delete_prefix(keys.hls_prefix(blob_hash))
        self._store.delete_prefix(keys.derived_prefix(blob_hash))
        leases.forget(PROCESS_KIND, blob_hash)
        blobs.delete(blob_hash)
        return True

    def quarantine_refused(self, uow: UnitOfWork) -> list[BlobHash]:
        """Withdraw blobs stored before the container allow-list existed that it refuses.

        Such a "track" may have been a playlist naming a file on the server, whose
        audio the old pipeline published. Its derived files go; the row stays, failed,
        with the reason, so its owner sees why.
        """
        withdrawn: list[BlobHash] = []
        for blob_hash, format_name, codec in BlobRepository(uow.session).formats():
            try:
                demuxer_of(format_name)
                check_codec(codec)
            except TonearmError as refused:
                locked = BlobRepository(uow.session).get(blob_hash, for_update=True)
                if locked is None:
                    continue
                locked.status = BlobStatus.FAILED
                locked.playable = False
                locked.error = refused.message
                BlobRepository(uow.session).clear_renditions(blob_hash)
                self._store.delete_prefix(keys.hls_prefix(blob_hash))
                self._store.delete_prefix(keys.derived_prefix(blob_hash))
                withdrawn.append(blob_hash)
        return withdrawn

    def unreferenced(self, session: Session) -> list[BlobHash]:
        return [BlobHash(h) for h in BlobRepository(session).unreferenced()]


def _new_blob(sha256: BlobHash, size: int, info: AudioInfo) -> Blob:
    return Blob(
        hash=sha256,
        size=size,
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
