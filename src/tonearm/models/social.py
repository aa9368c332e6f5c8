"""What a listener leaves behind: timed comments on tracks and the play queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.types import CommentId, TrackId, UserId


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_track_position", "track_id", "position_s"),)

    id: Mapped[CommentId] = mapped_column(String(32), primary_key=True)
    track_id: Mapped[TrackId] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    author_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    position_s: Mapped[float] = mapped_column(Float)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlayQueue(Base):
    """One per person: what plays next on every device they use."""

    __tablename__ = "play_queues"

    user_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    track_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    """In the order they were queued."""
    shuffle_order: Mapped[list[int] | None] = mapped_column(JSON)
    """Indexes into ``track_ids`` in play order while shuffle is on."""
    current_index: Mapped[int] = mapped_column(Integer, default=0)
    position_s: Mapped[float] = mapped_column(Float, default=0.0)
    shuffle: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat: Mapped[str] = mapped_column(String(8), default="off")
    version: Mapped[int] = mapped_column(Integer, default=0)
    device: Mapped[str | None] = mapped_column(String(100))
    """Which device saved it last (a client-chosen label)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
