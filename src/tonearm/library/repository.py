"""Queries on tracks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from tonearm.models import Blob, Track
from tonearm.types import BlobHash, TrackId, UserId


class TrackRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, track_id: TrackId) -> Track | None:
        return self.session.get(Track, track_id)

    def add(self, track: Track) -> Track:
        self.session.add(track)
        self.session.flush()
        return track

    def delete(self, track: Track) -> None:
        self.session.delete(track)
        self.session.flush()

    def newest(
        self,
        *,
        limit: int,
        where: ColumnElement[bool],
        before: tuple[datetime, str] | None = None,
    ) -> Sequence[Track]:
        """Newest first; ``before`` is the (created_at, id) of the last row already seen."""
        q = (
            select(Track)
            .where(where)
            .order_by(Track.created_at.desc(), Track.id.desc())
            .limit(limit)
        )
        if before is not None:
            at, tid = before
            q = q.where((Track.created_at < at) | ((Track.created_at == at) & (Track.id < tid)))
        return self.session.scalars(q).all()

    def count(self, where: ColumnElement[bool]) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Track).where(where)) or 0)

    def usage(self, owner_id: UserId) -> int:
        """Bytes of audio the owner's tracks hold, one blob size per track (dedup aside)."""
        q = (
            select(func.coalesce(func.sum(Blob.size), 0))
            .select_from(Track)
            .join(Blob, Blob.hash == Track.blob_hash)
            .where(Track.owner_id == owner_id)
        )
        return int(self.session.scalar(q) or 0)

    def owns_blob(self, owner_id: UserId, blob_hash: BlobHash) -> bool:
        q = select(Track.id).where(Track.owner_id == owner_id, Track.blob_hash == blob_hash)
        return self.session.scalar(q.limit(1)) is not None

    def owned_with_blob(self, owner_id: UserId, blob_hash: BlobHash) -> TrackId | None:
        q = (
            select(Track.id)
            .where(Track.owner_id == owner_id, Track.blob_hash == blob_hash)
            .order_by(Track.created_at, Track.id)
            .limit(1)
        )
        found = self.session.scalar(q)
        return TrackId(found) if found is not None else None

    def owned_by(self, owner_id: UserId) -> Sequence[Track]:
        return self.session.scalars(select(Track).where(Track.owner_id == owner_id)).all()

    def of_blob(self, blob_hash: BlobHash) -> Sequence[Track]:
        return self.session.scalars(select(Track).where(Track.blob_hash == blob_hash)).all()

    def adopt_orphans(self, owner_id: UserId) -> int:
        """Give tracks from before accounts existed to ``owner_id`` (the first admin)."""
        result = self.session.execute(
            update(Track).where(Track.owner_id.is_(None)).values(owner_id=owner_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def apply_tags(self, blob_hash: BlobHash, values: dict[str, object]) -> int:
        """Set ``values`` on the blob's tracks that have not received tags yet."""
        values = {**values, "tags_applied": True}
        result = self.session.execute(
            update(Track)
            .where(Track.blob_hash == blob_hash, Track.tags_applied.is_(False))
            .values(**values)
        )
        return int(getattr(result, "rowcount", 0) or 0)
