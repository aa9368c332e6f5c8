"""Queries on tus uploads and on the import ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tonearm.models import Blob, BlobStatus, ImportedFile, Track, Upload, utcnow
from tonearm.types import BlobHash, TrackId, UploadId, UserId


class UploadRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, upload: Upload) -> Upload:
        self.session.add(upload)
        self.session.flush()
        return upload

    def get(self, upload_id: UploadId, *, for_update: bool = False) -> Upload | None:
        return self.session.get(
            Upload, upload_id, with_for_update=for_update, populate_existing=for_update
        )

    def advance(self, upload_id: UploadId, *, old_offset: int, new_offset: int) -> bool:
        """Move the offset forward only from where this writer started (tus offsets never race)."""
        moved = self.session.execute(
            update(Upload)
            .where(Upload.id == upload_id, Upload.offset == old_offset)
            .values(offset=new_offset)
            .returning(Upload.id)
        ).scalar()
        return moved is not None

    def delete(self, upload_id: UploadId) -> None:
        self.session.execute(delete(Upload).where(Upload.id == upload_id))

    def ids(self) -> Sequence[str]:
        return self.session.scalars(select(Upload.id)).all()

    def expired(self, now: datetime) -> Sequence[Upload]:
        return self.session.scalars(
            select(Upload).where(Upload.expires_at < now, Upload.track_id.is_(None))
        ).all()

    def finished_before(self, now: datetime) -> Sequence[Upload]:
        return self.session.scalars(
            select(Upload).where(Upload.expires_at < now, Upload.track_id.is_not(None))
        ).all()

    def complete_without_track(self) -> Sequence[str]:
        return self.session.scalars(
            select(Upload.id).where(
                Upload.offset == Upload.length, Upload.length > 0, Upload.track_id.is_(None)
            )
        ).all()

    def reserved(self, owner_id: UserId) -> int:
        q = select(func.coalesce(func.sum(Upload.length), 0)).where(
            Upload.owner_id == owner_id, Upload.track_id.is_(None)
        )
        return int(self.session.scalar(q) or 0)

    def ids_of(self, owner_id: UserId) -> Sequence[str]:
        return self.session.scalars(select(Upload.id).where(Upload.owner_id == owner_id)).all()


@dataclass(frozen=True)
class LedgerEntry:
    """A file as it was when it was imported, and the track it became."""

    size: int
    mtime_ns: int
    sha256: BlobHash
    track_id: TrackId


class ImportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def entries(self, owner_id: UserId) -> dict[str, LedgerEntry]:
        rows = self.session.execute(
            select(
                ImportedFile.path,
                ImportedFile.size,
                ImportedFile.mtime_ns,
                ImportedFile.sha256,
                ImportedFile.track_id,
            ).where(ImportedFile.owner_id == owner_id)
        )
        return {
            path: LedgerEntry(size, mtime_ns, BlobHash(sha), TrackId(track))
            for path, size, mtime_ns, sha, track in rows
        }

    def record(self, owner_id: UserId, path: str, path_key: str, entry: LedgerEntry) -> None:
        """Insert or replace the row of ``path`` (a re-import after the file changed)."""
        self.session.merge(
            ImportedFile(
                owner_id=owner_id,
                path_key=path_key,
                path=path,
                size=entry.size,
                mtime_ns=entry.mtime_ns,
                sha256=entry.sha256,
                track_id=entry.track_id,
                imported_at=utcnow(),
            )
        )
        self.session.flush()

    def unprocessed(self, track_ids: list[TrackId]) -> int:
        """How many of ``track_ids`` (still existing) point at audio not processed yet."""
        left = 0
        for start in range(0, len(track_ids), 500):
            q = (
                select(func.count())
                .select_from(Track)
                .join(Blob, Blob.hash == Track.blob_hash)
                .where(
                    Track.id.in_(track_ids[start : start + 500]),
                    Blob.status.not_in([BlobStatus.READY, BlobStatus.FAILED]),
                )
            )
            left += int(self.session.scalar(q) or 0)
        return left
