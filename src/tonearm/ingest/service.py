"""Turning received bytes into a track: validate, deduplicate, store, schedule processing.

``finish`` is the use case every way in shares (multipart, tus, and ``tonearm import``).
It spans two transactions on purpose: ffprobe takes a moment and must not run
while holding the database's write lock, so bytes not stored yet are probed first,
outside any write transaction, then admitted in one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tonearm.accounts.service import AccountService
from tonearm.blobs.images import ImageService
from tonearm.blobs.service import BlobService
from tonearm.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tonearm.errors import Locked, TooLarge, UnsupportedMedia
from tonearm.ingest.staging import StagedFile, format_bytes
from tonearm.ingest.uploads import UploadService
from tonearm.library.service import LibraryService, NewTrack
from tonearm.media import AudioInfo, MediaTools, probe
from tonearm.models import Upload, Visibility
from tonearm.types import ImageHash, Seconds, TrackId, UploadId, UserId

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    min_duration: Seconds
    max_duration: Seconds


@dataclass(frozen=True)
class Accepted:
    track_id: TrackId
    deduplicated: bool
    """The owner already had these bytes: ``track_id`` is that track, nothing was added."""


@dataclass(frozen=True)
class TrackExtras:
    """What came with the audio besides its bytes (files beside it in an imported folder)."""

    cover: bytes | None = None
    """A picture (``cover.jpg``): stored once, shown for the track instead of none."""
    lyrics: str | None = None
    """Plain or LRC text."""


class IngestService:
    def __init__(
        self,
        *,
        uows: UnitOfWorkFactory,
        blobs: BlobService,
        library: LibraryService,
        uploads: UploadService,
        accounts: AccountService,
        images: ImageService,
        tools: MediaTools,
        limits: Limits,
    ) -> None:
        self._accounts = accounts
        self._images = images
        self._uows = uows
        self._blobs = blobs
        self._library = library
        self._uploads = uploads
        self._tools = tools
        self._limits = limits

    def check_quota(self, uow: UnitOfWork, owner_id: UserId, incoming: int) -> None:
        """Refuse ``incoming`` more bytes past the owner's quota, saying how much is left.

        Counted per track (dedup does not make room: a file someone else also stored
        still counts in full) plus unfinished uploads. The user row is locked, so two
        uploads racing for the last bytes cannot both fit.
        """
        user = self._accounts.lock_user(uow, owner_id)
        if user.quota_bytes is None:
            return
        used = self._library.usage(uow.session, owner_id)
        used += self._uploads.reserved(uow.session, owner_id)
        left = max(0, user.quota_bytes - used)
        if incoming > left:
            raise TooLarge(
                f"This upload needs {format_bytes(incoming)} but only {format_bytes(left)} "
                f"of your {format_bytes(user.quota_bytes)} storage quota is left.",
                code="quota-exceeded",
            )

    def create_upload(self, owner_id: UserId, length: int, metadata: dict[str, str]) -> Upload:
        """A new resumable upload, refused up front if it would not fit the quota."""
        with self._uows() as uow:
            self.check_quota(uow, owner_id, length)
            return self._uploads.create(uow, owner_id, length, metadata)

    def finish(
        self,
        staged: StagedFile,
        owner_id: UserId,
        visibility: Visibility = Visibility.PRIVATE,
        upload_id: UploadId | None = None,
        extras: TrackExtras | None = None,
    ) -> Accepted:
        """Validate, deduplicate and record ``staged``; nothing remains if it is refused.

        Bytes the owner already has as a track add nothing: the answer is that track,
        ``deduplicated``, whatever its name was (and no quota is needed for it).
        Refused or failed, the transaction rolls back (taking back any file it moved
        into the store), the bytes are dropped and so is the upload's row: an upload
        that can never finish must not linger.
        """
        try:
            with self._uows.read() as session:
                mine = self._library.track_of(session, owner_id, staged.sha256)
                info = None if mine is not None else self._inspect(session, staged)
            if mine is not None and upload_id is None:
                accepted = Accepted(track_id=mine, deduplicated=True)
            else:
                with self._uows() as uow:
                    if mine is not None:
                        accepted = Accepted(track_id=mine, deduplicated=True)
                    else:
                        if upload_id is None:  # a tus upload was counted when created
                            self.check_quota(uow, owner_id, staged.size)
                        accepted = self.accept(uow, staged, info, owner_id, visibility, extras)
                    if upload_id is not None:
                        self._uploads.finish(
                            uow, upload_id, accepted.track_id, accepted.deduplicated
                        )
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
            if not self._uploads.needs_finishing(upload) or upload.owner_id is None:
                return False
            self.finish(
                self._uploads.staged(upload),
                upload.owner_id,
                Visibility(upload.visibility),
                upload_id,
            )
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

    def accept(
        self,
        uow: UnitOfWork,
        staged: StagedFile,
        info: AudioInfo | None,
        owner_id: UserId,
        visibility: Visibility,
        extras: TrackExtras | None = None,
    ) -> Accepted:
        """Reference (or create) the blob for ``staged`` and add a track that points at it.

        The answer is the same whether or not another person stored these bytes before:
        only the owner's own earlier track of them is answered as a duplicate (and then
        no track is added).
        """
        admission = self._blobs.admit(
            uow,
            sha256=staged.sha256,
            size=staged.size,
            path=staged.path,
            describe=lambda: info or self._probe(staged.path),
        )
        if not admission.created:
            # Checked with the blob row locked: a request of the same owner that held it
            # first has committed its track by now, so two racing copies make one track.
            mine = self._library.track_of(uow.session, owner_id, admission.blob.hash)
            if mine is not None:
                self._blobs.release(uow, admission.blob.hash)
                return Accepted(track_id=mine, deduplicated=True)
        extras = extras or TrackExtras()
        track = self._library.add_track(
            uow,
            NewTrack(
                blob=admission.blob,
                filename=staged.filename,
                owner_id=owner_id,
                visibility=visibility,
                stored_now=admission.created,
                lyrics=extras.lyrics,
                cover_image=self._cover(uow, extras.cover),
            ),
        )
        return Accepted(track_id=track.id, deduplicated=False)

    def _cover(self, uow: UnitOfWork, data: bytes | None) -> ImageHash | None:
        """The stored picture's hash; a picture that cannot be read is left out (the audio
        is what was asked for, and it stays without the picture)."""
        if not data:
            return None
        try:
            return self._images.put(uow, data).hash
        except UnsupportedMedia as refused:
            log.warning("cover picture left out: %s", refused.message)
            return None
