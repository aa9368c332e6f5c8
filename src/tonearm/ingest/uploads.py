"""Resumable uploads (the rules behind the tus routes).

The upload's row holds the committed offset; its bytes sit in a staged temp file.
A PATCH writes at the committed offset and moves it forward only if nobody else
did (conditional update), so a retried or duplicated request never corrupts the
count. SHA-256 of the whole file is kept per upload in memory while the process
lives, and recomputed from the temp file after a restart.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import ChecksumMismatch, Conflict, Gone, Invalid, NotFound, TooLarge
from tonearm.ingest.repository import UploadRepository
from tonearm.ingest.staging import (
    HashingWriter,
    StagedFile,
    StagingArea,
    format_bytes,
    hash_prefix,
    safe_filename,
)
from tonearm.models import Upload, utcnow


@dataclass
class Append:
    """One PATCH in progress."""

    upload_id: str
    start: int
    length: int
    writer: HashingWriter
    checksum: tuple[Any, bytes] | None

    def write(self, chunk: bytes) -> None:
        if self.writer.size + len(chunk) > self.length:
            raise Conflict("The request body goes past the upload's declared length.")
        self.writer.write(chunk)
        if self.checksum is not None:
            self.checksum[0].update(chunk)


class UploadService:
    def __init__(self, staging: StagingArea, max_bytes: int, expiry_s: int) -> None:
        self._staging = staging
        self._max_bytes = max_bytes
        self._expiry = timedelta(seconds=expiry_s)
        self._hashers: dict[str, tuple[int, Any]] = {}
        self._lock = threading.Lock()

    def create(self, uow: UnitOfWork, length: int, metadata: dict[str, str]) -> Upload:
        if length == 0:
            raise Invalid("The file is empty.")
        if length > self._max_bytes:
            raise TooLarge(
                f"The file is {format_bytes(length)}; the limit is {format_bytes(self._max_bytes)}."
            )
        upload_id = secrets.token_hex(16)
        filename = safe_filename(metadata.get("filename") or metadata.get("name"))
        path = self._staging.path_for(upload_id)
        path.touch()
        uow.on_rollback(lambda: path.unlink(missing_ok=True))
        return UploadRepository(uow.session).add(
            Upload(
                id=upload_id,
                length=length,
                offset=0,
                filename=filename,
                meta={k: v for k, v in metadata.items() if len(k) < 64 and len(v) < 1024},
                expires_at=utcnow() + self._expiry,
            )
        )

    def get(self, session: Session, upload_id: str) -> Upload:
        upload = UploadRepository(session).get(upload_id)
        if upload is None:
            raise NotFound("No such upload; it may have expired or been cancelled.")
        if upload.expires_at < utcnow() and upload.track_id is None:
            raise Gone("This upload expired; start it again.")
        return upload

    def begin(self, upload: Upload, offset: int, checksum: tuple[Any, bytes] | None) -> Append:
        if upload.track_id is not None or (upload.offset == upload.length and upload.length):
            raise Conflict("This upload is already complete.")
        if offset != upload.offset:
            raise Conflict(
                f"Upload-Offset {offset} does not match the server's offset {upload.offset}; "
                "ask with HEAD and resume from there."
            )
        path = self._staging.path_for(upload.id)
        if not path.exists():
            raise Gone("This upload's data is gone; start it again.")
        with self._lock:
            cached = self._hashers.pop(upload.id, None)
        hasher = cached[1] if cached and cached[0] == offset else hash_prefix(path, offset)
        writer = HashingWriter(path, limit=upload.length, offset=offset, hasher=hasher)
        return Append(upload.id, offset, upload.length, writer, checksum)

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
                self._rewind(append)
                if not complete_body:
                    raise Conflict("The connection dropped before the checksummed body arrived.")
                raise ChecksumMismatch(
                    "The chunk's checksum does not match its bytes; send it again."
                )
        repo = UploadRepository(uow.session)
        if not repo.advance(append.upload_id, old_offset=append.start, new_offset=end):
            self._rewind(append)
            raise Conflict("Another request moved this upload's offset; ask with HEAD and resume.")
        with self._lock:
            self._hashers[append.upload_id] = (end, append.writer.hasher)
        upload = repo.get(append.upload_id)
        assert upload is not None
        upload.offset = end
        return upload

    def _rewind(self, append: Append) -> None:
        with self._staging.path_for(append.upload_id).open("r+b") as fh:
            fh.truncate(append.start)

    def staged(self, upload: Upload) -> StagedFile:
        """The finished upload as a staged file, with its SHA-256."""
        path = self._staging.path_for(upload.id)
        with self._lock:
            cached = self._hashers.pop(upload.id, None)
        hasher = (
            cached[1] if cached and cached[0] == upload.length else hash_prefix(path, upload.length)
        )
        return StagedFile(
            path=path, sha256=hasher.hexdigest(), size=upload.length, filename=upload.filename
        )

    def finish(self, uow: UnitOfWork, upload_id: str, track_id: str, deduplicated: bool) -> None:
        upload = UploadRepository(uow.session).get(upload_id, for_update=True)
        if upload is not None:
            upload.track_id = track_id
            upload.deduplicated = deduplicated

    def terminate(self, uow: UnitOfWork, upload_id: str) -> None:
        repo = UploadRepository(uow.session)
        if repo.get(upload_id, for_update=True) is None:
            raise NotFound("No such upload.")
        repo.delete(upload_id)
        with self._lock:
            self._hashers.pop(upload_id, None)
        path = self._staging.path_for(upload_id)
        uow.after_commit(lambda: path.unlink(missing_ok=True))

    def discard(self, uow: UnitOfWork, upload_id: str) -> None:
        """Remove an upload whose finished bytes were refused (not audio, too long ...)."""
        UploadRepository(uow.session).delete(upload_id)
        with self._lock:
            self._hashers.pop(upload_id, None)
        path = self._staging.path_for(upload_id)
        uow.after_commit(lambda: path.unlink(missing_ok=True))
