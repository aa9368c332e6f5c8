"""Queries on tracks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tonearm.models import Track
from tonearm.types import BlobHash, TrackId


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

    def newest(self, *, limit: int, before: tuple[datetime, str] | None = None) -> Sequence[Track]:
        """Newest first; ``before`` is the (created_at, id) of the last row already seen."""
        q = select(Track).order_by(Track.created_at.desc(), Track.id.desc()).limit(limit)
        if before is not None:
            at, tid = before
            q = q.where((Track.created_at < at) | ((Track.created_at == at) & (Track.id < tid)))
        return self.session.scalars(q).all()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Track)) or 0)

    def apply_tags(self, blob_hash: BlobHash, values: dict[str, object]) -> int:
        """Set ``values`` on the blob's tracks that have not received tags yet."""
        values = {**values, "tags_applied": True}
        result = self.session.execute(
            update(Track)
            .where(Track.blob_hash == blob_hash, Track.tags_applied.is_(False))
            .values(**values)
        )
        return int(getattr(result, "rowcount", 0) or 0)

