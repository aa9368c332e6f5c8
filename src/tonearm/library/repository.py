"""Queries on tracks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from tonearm.models import Blob, Like, LikeKind, Track, TrackGenre
from tonearm.types import BlobHash, TrackId, UserId

_SORT_COLUMNS = {
    "added": Track.created_at,
    "title": Track.title,
    "artist": Track.artist,
    "album": Track.album,
    "year": Track.year,
    "duration": Blob.duration,
}


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
        offset: int = 0,
    ) -> Sequence[Track]:
        """Newest first; ``before`` is the (created_at, id) of the last row already seen."""
        q = (
            select(Track)
            .where(where)
            .order_by(Track.created_at.desc(), Track.id.desc())
            .limit(limit)
            .offset(offset)
        )
        if before is not None:
            at, tid = before
            q = q.where((Track.created_at < at) | ((Track.created_at == at) & (Track.id < tid)))
        return self.session.scalars(q).all()

    def sorted(
        self, *, where: ColumnElement[bool], sort: str, descending: bool, offset: int, limit: int
    ) -> Sequence[Track]:
        """One page in the order of ``sort`` (id breaks ties; missing values last)."""
        column = _SORT_COLUMNS[sort]
        key = column.desc() if descending else column.asc()
        if sort in ("artist", "album", "year"):
            key = key.nulls_last()
        q = select(Track.id).where(where)
        if sort == "duration":
            q = q.join(Blob, Blob.hash == Track.blob_hash)
        q = q.order_by(key, Track.id.desc() if descending else Track.id.asc())
        # Ids first (an index scan past the offset), then only the page's rows.
        ids = list(self.session.scalars(q.offset(offset).limit(limit)))
        rank = {track_id: i for i, track_id in enumerate(ids)}
        rows = self.session.scalars(select(Track).where(Track.id.in_(ids))).all()
        return sorted(rows, key=lambda t: rank[t.id])

    def many(self, track_ids: Sequence[TrackId]) -> Sequence[Track]:
        return self.session.scalars(select(Track).where(Track.id.in_(track_ids))).all()

    def of_blob(self, blob_hash: BlobHash) -> Sequence[Track]:
        return self.session.scalars(
            select(Track).where(Track.blob_hash == blob_hash).order_by(Track.id)
        ).all()

    def genres_of(self, track_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        rows = self.session.execute(
            select(TrackGenre.track_id, TrackGenre.name)
            .where(TrackGenre.track_id.in_(track_ids))
            .order_by(TrackGenre.track_id, TrackGenre.name)
        )
        for track_id, name in rows:
            out.setdefault(track_id, []).append(name)
        return out

    def liked(self, user_id: UserId, kind: LikeKind, subject_ids: Sequence[str]) -> set[str]:
        """Which of ``subject_ids`` the user likes (one query for a whole page)."""
        rows = self.session.scalars(
            select(Like.subject_id).where(
                Like.user_id == user_id, Like.kind == kind, Like.subject_id.in_(subject_ids)
            )
        )
        return set(rows)

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

    def adopt_orphans(self, owner_id: UserId) -> int:
        """Give tracks from before accounts existed to ``owner_id`` (the first admin)."""
        result = self.session.execute(
            update(Track).where(Track.owner_id.is_(None)).values(owner_id=owner_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)
