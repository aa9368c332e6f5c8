"""What music apps speaking the Subsonic API keep beyond the page's own state.

Stars are the page's likes and the play queue is the page's queue (no tables here);
these are the parts the page had no word for: the app password token authentication
needs, ratings, bookmarks (a resume point per track) and shares.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.types import ShareId, TrackId, UserId


class AppPassword(Base):
    """The one Subsonic app password of a person, sealed with the server's key.

    Token authentication (``t = md5(password + s)``) needs the password itself on the
    server, so it cannot be a one-way hash; it is never the sign-in password, and the
    person can replace or revoke it at any time.
    """

    __tablename__ = "app_passwords"

    user_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    """Nonce followed by the AES-GCM ciphertext of the password."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rating(Base):
    """One to five stars a person gave a track, album or artist (no row: unrated)."""

    __tablename__ = "ratings"

    user_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    """A ``LikeKind`` value: track, album or artist."""
    subject_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rating: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Bookmark(Base):
    """Where a person stopped in a long track (an audiobook chapter, a DJ mix)."""

    __tablename__ = "bookmarks"

    user_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[TrackId] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    position_ms: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Share(Base):
    """A link that lets anyone holding it listen to a set of tracks until it expires."""

    __tablename__ = "shares"

    id: Mapped[ShareId] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[UserId] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the secret in the link (the link itself is shown to its owner only)."""
    description: Mapped[str | None] = mapped_column(String(500))
    track_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    """In the order shared (an album or playlist is expanded when the share is made)."""
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visit_count: Mapped[int] = mapped_column(Integer, default=0)
