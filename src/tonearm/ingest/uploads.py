"""Resumable uploads (the rules behind the tus routes).

The upload's row holds the committed offset; its bytes sit in a staged temp file.
Appends to one upload are serialised by a lock on that file, held from before the
offset is read until after the new offset is committed (and, for the last piece,
until the upload is finished). So:

* the bytes before the committed offset never change once committed;
* a writer that finds the lock taken gets ``Locked`` and touches no byte;
* a writer starts by cutting the file back to the committed offset, dropping
  whatever a crashed or refused writer left after it.

SHA-256 of the whole file is kept per upload in memory while the process lives,
keyed by the committed offset it covers, and recomputed from the file otherwise.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from tonearm.blobs.hashing import hash_prefix
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import ChecksumMismatch, Conflict, Gone, Invalid, NotFound, TooLarge
from tonearm.ingest.repository import UploadRepository
from tonearm.ingest.staging import (
    FileLock,
    HashingWriter,
    StagedFile,
    StagingArea,
    format_bytes,
    safe_filename,
)
from tonearm.models import Upload, Visibility, utcnow
from tonearm.types import BlobHash, TrackId, UploadId, UserId

_ID = re.compile(r"[0-9a-f]{32}")
_MAX_CACHED_HASHERS = 1024
_RETRY_WAIT_S = 1.0


@dataclass
class Append:
    """One PATCH in progress; holds the upload's lock until ``release``."""

    upload_id: UploadId
    start: int
    length: int
    writer: HashingWriter
    checksum: tuple[Any, bytes] | None
    lock: FileLock

    def write(self, chunk: bytes) -> None:
        if self.writer.size + len(chunk) > self.length:
            raise Conflict("The request body goes past the upload's declared length.")
        self.writer.write(chunk)
        if self.checksum is not None:
            self.checksum[0].update(chunk)

    def release(self) -> None:
        self.writer.close()
        self.lock.release()


class UploadService:
    def __init__(self, staging: StagingArea, max_bytes: int, expiry_s: int) -> None:
        self._staging = staging
        self._max_bytes = max_bytes
        self._expiry = timedelta(seconds=expiry_s)
        self._hashers: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def parse_id(raw: str) -> UploadId:
        """An upload id from a URL; anything else names no upload (404, not 422)."""
        if not _ID.fullmatch(raw):
            raise NotFound("No such upload; it may have expired or been cancelled.")
        return UploadId(raw)

    def create(
        self,
        uow: UnitOfWork,
        owner_id: UserId,
        length: int,
        metadata: dict[str, str],
    ) -> Upload:
        """A new upload of ``owner_id``; ``metadata`` may name ``visibility``."""
        visibility = metadata.get("visibility", Visibility.PRIVATE)
        if visibility not in set(Visibility):
            raise Invalid("visibility is one of private, unlisted, public.")
        if length == 0:
            raise Invalid("The file is empty.", code="empty-file")
        if length > self._max_bytes:
            raise TooLarge(
                f"The file is {format_bytes(length)}; the limit is {format_bytes(self._max_bytes)}."
            )
        upload_id = UploadId(secrets.token_hex(16))
        filename = safe_filename(metadata.get("filename") or metadata.get("name"))
        path = self._staging.path_for(upload_id)
        path.touch()
        uow.on_rollback(lambda: path.unlink(missing_ok=True))
        return UploadRepository(uow.session).add(
            Upload(
                id=upload_id,
                owner_id=owner_id,
                visibility=visibility,
                length=length,
                offset=0,
                filename=filename,
                meta={k: v for k, v in metadata.items() if len(k) < 64 and len(v) < 1024},
                expires_at=utcnow() + self._expiry,
            )
        )

    def get(self, session: Session, upload_id: UploadId, owner_id: UserId | None = None) -> Upload:
        """The upload; with ``owner_id``, only that person's (anyone else's is not found)."""
        upload = UploadRepository(session).get(upload_id)
        if upload is None or (owner_id is not None and upload.owner_id != owner_id):
            raise NotFound("No such upload; it may have expired or been cancelled.")
        if upload.expires_at < utcnow() and upload.track_id is None:
            raise Gone("This upload expired; start it again.")
        return upload

    def lock(self, upload_id: UploadId, wait_s: float = 0.0) -> FileLock:
        """Take the upload's lock (``Locked`` if taken, ``Gone`` if its bytes are gone)."""
        lock = FileLock(self._staging.path_for(upload_id))
        try:
            lock.acquire(wait_s)
        except FileNotFoundError:
            raise Gone("This upload's data is gone; start it again.") from None
        return lock

    def begin(
        self,
        session: Session,
        upload_id: UploadId,
        owner_id: UserId,
        offset: int,
        checksum: tuple[Any, bytes] | None,
    ) -> Append:
        """Lock the upload, then check ``offset`` against the committed one (read after).

        A retry right after a dropped connection may find the old request still
        committing what it received: it waits for it a moment rather than answer 423.
        """
        self.get(session, upload_id, owner_id)  # someone else's upload: not found, no lock
        lock = self.lock(upload_id, wait_s=_RETRY_WAIT_S)
        try:
            session.expire_all()
            upload = self.get(session, upload_id, owner_id)
            if upload.track_id is not None or upload.offset == upload.length:
                raise Conflict("This upload is already complete.")
            if offset != upload.offset:
                raise Conflict(
                    f"Upload-Offset {offset} does not match the server's offset "
                    f"{upload.offset}; ask with HEAD and resume from there."
                )
            path = self._staging.path_for(upload_id)
            writer = HashingWriter(
                path, limit=upload.length, offset=offset, hasher=self._hasher(upload_id, offset)
            )
        except BaseException:
            lock.release()
            raise
        return Append(upload_id, offset, upload.length, writer, checksum, lock)

    def _hasher(self, upload_id: UploadId, offset: int) -> Any:
        with self._lock:
            cached = self._hashers.pop(upload_id, None)
        if cached is not None and cached[0] == offset:
            return cached[1]
        return hash_prefix(self._staging.path_for(upload_id), offset)

    def commit(self, uow: UnitOfWork, append: Append, *, complete_body: bool) -> Upload:
        """Make the bytes of ``append`` count, or refuse them all.

        With a checksum, only a complete body whose digest matches counts; without
        one, whatever arrived before a dropped connection counts (tus resumes there).
        """
        append.writer.close()
        end = append.writer.size
        if append.checksum is not None:
            hasher, expected = append.checksum
            if not complete_body or hasher.digest() != expected:
                if not complete_body:
                    raise Conflict("The connection dropped before the checksummed body arrived.")
                raise ChecksumMismatch(
                    "The chunk's checksum does not match its bytes; send it again."
                )
        repo = UploadRepository(uow.session)
        if not repo.advance(append.upload_id, old_offset=append.start, new_offset=end):
            # Cannot happen while the lock is held; kept as a guard on the invariant.
            raise Conflict("Another request moved this upload's offset; ask with HEAD and resume.")
        upload = repo.get(append.upload_id)
        assert upload is not None
        upload.offset = end
        hasher = append.writer.hasher
        uow.after_commit(lambda: self._remember(append.upload_id, end, hasher))
        return upload

    def _remember(self, upload_id: UploadId, offset: int, hasher: Any) -> None:
        with self._lock:
            self._hashers[upload_id] = (offset, hasher)
            while len(self._hashers) > _MAX_CACHED_HASHERS:
                self._hashers.popitem(last=False)

    def staged(self, upload: Upload) -> StagedFile:
        """The complete upload as a staged file, with the SHA-256 of its bytes."""
        path = self._staging.path_for(upload.id)
        hasher = self._hasher(upload.id, upload.length)
        return StagedFile(
            path=path,
            sha256=BlobHash(hasher.hexdigest()),
            size=upload.length,
            filename=upload.filename,
        )

    def needs_finishing(self, upload: Upload) -> bool:
        """All bytes are committed but no track exists (the process died in between)."""
        return upload.track_id is None and upload.offset == upload.length

    def finish(
        self, uow: UnitOfWork, upload_id: UploadId, track_id: TrackId, deduplicated: bool
    ) -> None:
        upload = UploadRepository(uow.session).get(upload_id, for_update=True)
        if upload is not None:
            upload.track_id = track_id
            upload.deduplicated = deduplicated

    def terminate(self, uow: UnitOfWork, upload_id: UploadId, owner_id: UserId) -> None:
        repo = UploadRepository(uow.session)
        upload = repo.get(upload_id, for_update=True)
        if upload is None or upload.owner_id != owner_id:
            raise NotFound("No such upload.")
        lock = self.lock(upload_id)
        uow.after_commit(lock.release)
        uow.on_rollback(lock.release)
        self.discard(uow, upload_id)

    def discard(self, uow: UnitOfWork, upload_id: UploadId) -> None:
        """Remove an upload whose finished bytes were refused (not audio, too long ...)."""
        UploadRepository(uow.session).delete(upload_id)
        with self._lock:
            self._hashers.pop(upload_id, None)
        path = self._staging.path_for(upload_id)
        uow.after_commit(lambda: path.unlink(missing_ok=True))

    def discard_all_of(self, uow: UnitOfWork, owner_id: UserId) -> None:
        """Every upload of an account that is going away."""
        for upload_id in UploadRepository(uow.session).ids_of(owner_id):
            self.discard(uow, UploadId(upload_id))

    def reserved(self, session: Session, owner_id: UserId) -> int:
        """Bytes the owner's unfinished uploads will add (counted against the quota)."""
        return UploadRepository(session).reserved(owner_id)

    def unfinished(self, session: Session) -> list[UploadId]:
        """Uploads with every byte committed and no track (to finish after a crash)."""
        return [UploadId(u) for u in UploadRepository(session).complete_without_track()]
