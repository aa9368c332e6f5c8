"""A track: one person's upload, pointing at a shared blob."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.models.blob import Blob
from tonearm.types import AlbumId, ArtistId, BlobHash, ImageHash, TrackId, UserId


class Visibility(enum.StrEnum):
    PRIVATE = "private"
    """Only the owner (and moderators, admins)."""
    UNLISTED = "unlisted"
    """Anyone with its link; not listed or searchable for others."""
    PUBLIC = "public"


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (
        Index("ix_tracks_created_at", "created_at"),
        # Sortable columns of the tracks view, and an album's tracks in order.
        Index("ix_tracks_title", "title"),
        Index("ix_tracks_artist", "artist"),
        Index("ix_tracks_album_order", "album_id", "disc_number", "track_number"),
        # Catalog visibility and per-viewer counts from the index alone (0005).
        Index("ix_tracks_album_seen", "album_id", "visibility", "owner_id", "reveal_at"),
        Index("ix_tracks_artist_seen", "artist_id", "visibility", "owner_id", "reveal_at"),
        Index("ix_tracks_visibility_owner", "visibility", "owner_id"),
        Index("ix_tracks_title_page", "title", "id", "visibility", "owner_id"),
    )

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
    """As tagged or edited (``"Rock; Pop"``); the split values are in ``track_genres``."""
    compilation: Mapped[bool] = mapped_column(default=False)
    mb_track_id: Mapped[str | None] = mapped_column(String(36))
    mb_artist_id: Mapped[str | None] = mapped_column(String(36))
    mb_album_id: Mapped[str | None] = mapped_column(String(36))
    mb_album_artist_id: Mapped[str | None] = mapped_column(String(36))
    lyrics: Mapped[str | None] = mapped_column(Text)
    """Plain or LRC text, from tags, a sidecar file or the owner."""
    cover_image: Mapped[ImageHash | None] = mapped_column(String(64))
    """A picture found beside the imported file (``cover.jpg``, ``folder.jpg``)."""
    edited: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Fields the owner set by hand: tags read later (reprocessing) never overwrite them."""
    artist_id: Mapped[ArtistId | None] = mapped_column(
        ForeignKey("artists.id", ondelete="SET NULL"), index=True
    )
    album_id: Mapped[AlbumId | None] = mapped_column(
        ForeignKey("albums.id", ondelete="SET NULL"), index=True
    )
    tags_applied: Mapped[bool] = mapped_column(default=False)
    deduplicated: Mapped[bool] = mapped_column(default=False)
    """The owner already had these bytes when this track was uploaded."""
    reveal_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Until then the track shows as being processed, as a fresh upload would: its audio
    was already stored by someone else, which must not show (see ``library/service.py``)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    blob: Mapped[Blob] = relationship(lazy="joined")
