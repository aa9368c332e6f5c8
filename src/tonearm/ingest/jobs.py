"""Background work on uploads: expiry of abandoned uploads and stray temp files."""

from __future__ import annotations

import logging

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.ingest.repository import UploadRepository
from tonearm.ingest.staging import StagingArea
from tonearm.models import utcnow
from tonearm.types import UploadId

log = logging.getLogger(__name__)

EXPIRE_TASK = "uploads.expire"


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
        swept = self.sweep(self._grace_s)
        if expired or swept:
            log.info("expired %d uploads, swept %d stray temp files", len(expired), swept)
        return len(expired)

    def sweep(self, older_than_s: float) -> int:
        """Delete temp files that no upload names and no live request is writing."""
        with self._uows.read() as session:
            live = set(UploadRepository(session).ids())
        return self._staging.sweep(older_than_s, keep=live)

    def _discard(self, names: list[UploadId]) -> None:
        for name in names:
            self._staging.path_for(name).unlink(missing_ok=True)
