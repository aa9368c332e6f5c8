"""Turning received bytes into a track: validate, deduplicate, store, schedule processing.

``finish`` is the use case every way in shares (multipart, tus, and ``tonearm import``
later). It spans two transactions on purpose: ffprobe takes a moment and must not run
while holding the database's write lock, so bytes not stored yet are probed first,
outside any write transaction, then admitted in one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tonearm.blobs.service import BlobService
from tonearm.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tonearm.errors import Locked
from tonearm.ingest.staging import StagedFile
from tonearm.ingest.uploads import UploadService
from tonearm.library.service import LibraryService, NewTrack
from tonearm.media import AudioInfo, MediaTools, probe
from tonearm.types import Seconds, TrackId, UploadId

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    min_duration: Seconds
    max_duration: Seconds


@dataclass(frozen=True)
class Accepted:
    track_id: TrackId
    deduplicated: bool


class IngestService:
    def __init__(
        self,
        *,
        uows: UnitOfWorkFactory,
        blobs: BlobService,
        library: LibraryService,
        uploads: UploadService,
        tools: MediaTools,
        limits: Limits,
    ) -> None:
        self._uows = uows
        self._blobs = blobs
        self._library = library
        self._uploads = uploads
        self._tools = tools
        self._limits = limits

    def finish(self, staged: StagedFile, upload_id: UploadId | None = None) -> Accepted:
        """Validate, deduplicate and record ``staged``; nothing remains if it is refused.

        Refused or failed, the transaction rolls back (taking back any file it moved
        into the store), the bytes are dropped and so is the upload's row: an upload
        that can never finish must not linger.
        """
        try:
            with self._uows.read() as session:
                info = self._inspect(session, staged)
            with self._uows() as uow:
                accepted = self.accept(uow, staged, info)
                if upload_id is not None:
                    self._uploads.finish(uow, upload_id, accepted.track_id, accepted.deduplicated)
        except Exception:
            staged.discard()
            if upload_id is not None:
                with self._uows() as uow:
                    self._uploads.discard(uow, upload_id)
            raise
        staged.discard()
        return accepted

    def finish_upload(self, upload_id: UploadId) -> bool:
        """Finish an upload whose bytes were all committed before its process died.

        True if this call finished it; False if it needs nothing or another request
        is busy with it. Refused bytes raise as ``finish`` does.
        """
        try:
            lock = self._uploads.lock(upload_id)
        except Locked:
            return False
        try:
            with self._uows.read() as session:
                upload = self._uploads.get(session, upload_id)
            if not self._uploads.needs_finishing(upload):
                return False
            self.finish(self._uploads.staged(upload), upload_id)
            return True
        finally:
            lock.release()

    def finish_interrupted(self) -> int:
        """At start-up: finish every upload a killed process left complete but unfinished."""
        with self._uows.read() as session:
            ids = self._uploads.unfinished(session)
        done = 0
        for upload_id in ids:
            try:
                done += self.finish_upload(upload_id)
            except Exception as exc:
                log.warning("interrupted upload %s could not be finished: %s", upload_id, exc)
        return done

    def _inspect(self, session: Session, staged: StagedFile) -> AudioInfo | None:
        """Probe the bytes unless a blob with the same hash is already stored.

        Raises the media layer's ``Invalid``/``UnsupportedMedia`` with a reason a
        person understands.
        """
        if self._blobs.get(session, staged.sha256) is not None:
            return None
        return self._probe(staged.path)

    def _probe(self, path: Path) -> AudioInfo:
        return probe(
            path,
            self._tools,
            min_duration=self._limits.min_duration,
            max_duration=self._limits.max_duration,
        )

    def accept(self, uow: UnitOfWork, staged: StagedFile, info: AudioInfo | None) -> Accepted:
        """Reference (or create) the blob for ``staged`` and add a track that points at it."""
        admission = self._blobs.admit(
            uow,
            sha256=staged.sha256,
            size=staged.size,
            path=staged.path,
            describe=lambda: info or self._probe(staged.path),
        )
        track = self._library.add_track(
            uow,
            NewTrack(
                blob=admission.blob,
                filename=staged.filename,
                deduplicated=not admission.created,
            ),
        )
        return Accepted(track_id=track.id, deduplicated=not admission.created)
