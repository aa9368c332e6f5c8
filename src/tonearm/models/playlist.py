"""Playlists: ordered items, collaborators, invite links; smart playlists are a saved query."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.types import ImageHash, PlaylistId, PlaylistItemId, TrackId, UserId

POSITION_TYPE = String(64).with_variant(String(64, collation="C"), "postgresql")
"""Fractional-index keys compare byte by byte: PostgreSQL's default collation would
order them by locale rules instead, so the column says "C" there (SQLite's default
BINARY already does)."""


class PlaylistKind(enum.StrEnum):
    STATIC = "static"
    SMART = "smart"


class MemberRole(enum.StrEnum):
    EDITOR = "editor"
    VIEWER = "viewer"


class Playlist(Base):
    __tablename__ = "playlists"
    __table_args__ = (Index("ix_playlists_owner_updated", "owner_id", "updated_at"),)

    id: Mapped[PlaylistId] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[UserId] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    kind: Mapped[str] = mapped_column(String(16), default=PlaylistKind.STATIC)
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A smart playlist's rules (``playlists/smart.py``); None for a static one."""
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Bumped by every change, so a client can tell its view is stale."""
    cover_image: Mapped[ImageHash | None] = mapped_column(String(64))
    """The 2x2 collage (or the one picture) made by a background job."""
    cover_source: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The pictures the collage was made from: rebuilt only when these change."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlaylistItem(Base):
    __tablename__ = "playlist_items"
    __table_args__ = (UniqueConstraint("playlist_id", "position"),)

    id: Mapped[PlaylistItemId] = mapped_column(String(32), primary_key=True)
    playlist_id: Mapped[PlaylistId] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    track_id: Mapped[TrackId] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[str] = mapped_column(POSITION_TYPE)
    """A fractional-index key: a move writes one row, and nothing is ever renumbered."""
    added_by: Mapped[UserId | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlaylistMember(Base):
    __tablename__ = "playlist_members"

    playlist_id: Mapped[PlaylistId] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.VIEWER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlaylistInvite(Base):
    """A link that makes whoever opens it (signed in) a collaborator."""

    __tablename__ = "playlist_invites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    playlist_id: Mapped[PlaylistId] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the code in the link; the code itself is shown once."""
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.VIEWER)
    created_by: Mapped[UserId] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
