"""Background work on blobs: collection of unreferenced blobs."""

from __future__ import annotations

import logging

from tonearm.blobs.service import BlobService
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.types import BlobHash

log = logging.getLogger(__name__)


class CollectBlob:
    """``blobs.collect(hash)``: delete a blob and its files once nothing uses them.

    Idempotent: a blob already gone or referenced again is left alone.
    """

    def __init__(self, uows: UnitOfWorkFactory, blobs: BlobService) -> None:
        self._uows = uows
        self._blobs = blobs

    def __call__(self, blob_hash: str) -> None:  # a queue argument: plain text
        with self._uows() as uow:
            deleted = self._blobs.collect(uow, BlobHash(blob_hash))
        if deleted:
            log.info("collected blob %s", blob_hash)

    def sweep(self) -> list[BlobHash]:
        """Hashes of every blob at zero references (for the periodic sweep)."""
        with self._uows.read() as session:
            return self._blobs.unreferenced(session)
