"""Queries on tus uploads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tonearm.models import Upload
from tonearm.types import UploadId, UserId


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
