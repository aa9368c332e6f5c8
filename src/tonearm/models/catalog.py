"""What the library is made of besides tracks: artists, albums, genres, pictures, likes.

Artists and albums are shared by everyone, like the blobs under them: two people who
upload the same album see one album. What a person sees of it is decided by its tracks
(``library/access.py``): an album with no track the viewer may see does not exist for them.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.types import AlbumId, ArtistId, ImageHash, TrackId, UserId


class Artist(Base):
    __tablename__ = "artists"
    __table_args__ = (Index("ix_artists_sort_key", "sort_key"),)

    id: Mapped[ArtistId] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    """As first tagged (the best-written spelling wins later, see ``library/catalog.py``)."""
    match_key: Mapped[str] = mapped_column(String(500), unique=True)
    """The name after Unicode normalization and case folding: how names are matched."""
    sort_key: Mapped[str] = mapped_column(String(500))
    """For A-Z lists: folded, a leading article moved to the end ("beatles, the")."""
    mbid: Mapped[str | None] = mapped_column(String(36), unique=True)
    """MusicBrainz artist id from tags: when present it, not the name, identifies."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Album(Base):
    __tablename__ = "albums"
    __table_args__ = (
        Index("ix_albums_sort_key", "sort_key"),
        Index("ix_albums_created_at", "created_at"),
        Index("ix_albums_year", "year"),
    )

    id: Mapped[AlbumId] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    artist_id: Mapped[ArtistId] = mapped_column(
        ForeignKey("artists.id", ondelete="CASCADE"), index=True
    )
    """The album artist (else the artist); "Various Artists" for a compilation."""
    match_key: Mapped[str] = mapped_column(String(1100), unique=True)
    """Artist key and folded title (or ``mbid:<id>``): how tracks find their album."""
    sort_key: Mapped[str] = mapped_column(String(500))
    compilation: Mapped[bool] = mapped_column(Boolean, default=False)
    year: Mapped[int | None] = mapped_column(Integer)
    mbid: Mapped[str | None] = mapped_column(String(36), unique=True)
    cover_image: Mapped[ImageHash | None] = mapped_column(String(64))
    """Uploaded by an owner of its tracks; else a track's embedded art or folder picture."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrackGenre(Base):
    """One genre of a track ("Rock; Pop" is two rows), matched by its folded name."""

    __tablename__ = "track_genres"
    __table_args__ = (Index("ix_track_genres_key", "genre_key", "track_id"),)

    track_id: Mapped[TrackId] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    genre_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Image(Base):
    """A picture stored by the SHA-256 of its bytes, with WebP thumbnails."""

    __tablename__ = "images"

    hash: Mapped[ImageHash] = mapped_column(String(64), primary_key=True)
    mime: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sizes: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LikeKind(enum.StrEnum):
    TRACK = "track"
    ALBUM = "album"
    ARTIST = "artist"
    PLAYLIST = "playlist"


class Like(Base):
    __tablename__ = "likes"
    __table_args__ = (
        Index("ix_likes_subject", "kind", "subject_id"),
        Index("ix_likes_user_recent", "user_id", "kind", "created_at"),
    )

    user_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """No foreign key (it names a row of one of four tables): deleting a subject deletes
    its likes in the service that deletes it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
