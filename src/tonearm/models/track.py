"""A track: one person's upload, pointing at a shared blob."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.models.blob import Blob
from tonearm.types import BlobHash, TrackId, UserId


class Visibility(enum.StrEnum):
    PRIVATE = "private"
    """Only the owner (and moderators, admins)."""
    UNLISTED = "unlisted"
    """Anyone with its link; not listed or searchable for others."""
    PUBLIC = "public"


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (Index("ix_tracks_created_at", "created_at"),)

    id: Mapped[TrackId] = mapped_column(String(32), primary_key=True)
    blob_hash: Mapped[BlobHash] = mapped_column(ForeignKey("blobs.hash"), index=True)
    owner_id: Mapped[UserId | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    """None only for tracks uploaded before accounts existed (the first admin adopts them)."""
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PRIVATE)
    filename: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    artist: Mapped[str | None] = mapped_column(String(500))
    album: Mapped[str | None] = mapped_column(String(500))
    album_artist: Mapped[str | None] = mapped_column(String(500))
    track_number: Mapped[int | None] = mapped_column(Integer)
    disc_number: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    genre: Mapped[str | None] = mapped_column(String(200))
    tags_applied: Mapped[bool] = mapped_column(default=False)
    deduplicated: Mapped[bool] = mapped_column(default=False)
    reveal_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Until then the track shows as being processed, as a fresh upload would: its audio
    was already stored by someone else, which must not show (see ``library/service.py``)."""
    """The bytes were already stored when this track was uploaded (nothing was re-encoded)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blob: Mapped[Blob] = relationship(lazy="joined")
