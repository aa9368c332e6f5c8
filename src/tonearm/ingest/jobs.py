"""Background work of the ingest domain, named ``domain.verb`` and taking ids.

``media.process`` lives in ``pipeline.py``; here are the housekeeping jobs:
collecting blobs nobody references, and expiring abandoned uploads.
"""

from __future__ import annotations

import logging

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.ingest import keys
from tonearm.ingest.repository import BlobRepository, UploadRepository
from tonearm.ingest.staging import StagingArea
from tonearm.models import utcnow
from tonearm.queue.leases import JobLeases
from tonearm.storage import BlobStore

log = logging.getLogger(__name__)


class CollectBlob:
    """``blobs.collect(hash)``: delete a blob and its files once nothing uses them.

    Runs with the blob's row locked, and deletes the files *before* the row: an
    upload of the same bytes arriving meanwhile waits on the lock and then finds no
    row, so it stores its own copy instead of referencing files about to vanish. A
    crash half-way leaves the row at zero references; the upload path revives such
    a blob by re-storing its original and re-processing it.
    """

    def __init__(self, uows: UnitOfWorkFactory, store: BlobStore) -> None:
        self._uows = uows
        self._store = store

    def __call__(self, blob_hash: str) -> None:
        with self._uows() as uow:
            blobs = BlobRepository(uow.session)
            blob = blobs.get(blob_hash, for_update=True)
            if blob is None or blob.refcount > 0:
                return
            if JobLeases(uow.session).active_for_blob(blob_hash):
                # The job re-sends this task when it ends.
                return
            self._store.delete(keys.original_key(blob_hash, blob.original_ext))
            self._store.delete_prefix(keys.hls_prefix(blob_hash))
            self._store.delete_prefix(keys.derived_prefix(blob_hash))
            blobs.delete(blob_hash)
        log.info("collected blob %s", blob_hash)

    def sweep(self) -> list[str]:
        """Hashes of every blob at zero references (for the periodic sweep)."""
        with self._uows.read() as session:
            return list(BlobRepository(session).unreferenced())


class ExpireUploads:
    """``uploads.expire()``: drop abandoned incomplete uploads and stray temp files."""

    def __init__(self, uows: UnitOfWorkFactory, staging: StagingArea, grace_s: float) -> None:
        self._uows = uows
        self._staging = staging
        self._grace_s = grace_s

    def __call__(self) -> int:
        now = utcnow()
        with self._uows() as uow:
            repo = UploadRepository(uow.session)
            expired = list(repo.expired(now)) + list(repo.finished_before(now))
            for upload in expired:
                repo.delete(upload.id)
            names = [u.id for u in expired]
            uow.after_commit(lambda: self._discard(names))
        with self._uows.read() as session:
            live = set(UploadRepository(session).ids())
        swept = self._staging.sweep(self._grace_s, keep=live)
        if expired or swept:
            log.info("expired %d uploads, swept %d stray temp files", len(expired), swept)
        return len(expired)

    def _discard(self, names: list[str]) -> None:
        for name in names:
            self._staging.path_for(name).unlink(missing_ok=True)
