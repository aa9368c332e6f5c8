"""What people listened to: play sessions, counted plays and the counters built from them.

A play session is one listener hearing one track once. It is written when it counts
(30 s played, or the whole track if shorter; at once and durably, keyed by the
client's session id so a retry never counts twice) and updated in batches by the
write-behind flusher (seconds heard, where it stopped). The counters below are
rollups of those sessions, kept in the same transactions, so that charts, reports,
search popularity and smart playlists never scan every play.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.types import TrackId, UserId


class Play(Base):
    """One play session of one track by one listener (counted or not)."""

    __tablename__ = "plays"
    __table_args__ = (
        Index("ix_plays_track_counted", "track_id", "counted_at"),
        Index("ix_plays_owner_counted", "owner_id", "counted_at"),
        Index("ix_plays_user_started", "user_id", "started_at"),
        Index("ix_plays_started", "started_at"),
    )

    session: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The player's own session id: the idempotency key of the play."""
    track_id: Mapped[TrackId] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    owner_id: Mapped[UserId | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The track's owner when it was played (whom the report pays)."""
    user_id: Mapped[UserId | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The listener; None for an anonymous one."""
    listener: Mapped[str] = mapped_column(String(64))
    """Who is counted as one listener: the user id, or an anonymous listener's key."""
    rung: Mapped[str] = mapped_column(String(32))
    """What was heard when the play counted (``64k``, ``128k``, ``mp3``, ``original``)."""
    duration_ms: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the 30-second rule was met; None: a session that never counted (a skip)."""
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """The last heartbeat flushed (or the end the player reported)."""
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    """Seconds heard, as of the last flush; never more than the session's wall-clock."""
    stop_ms: Mapped[int | None] = mapped_column(Integer)
    """Where the playhead was last reported: where the listener stopped."""


class PlayHour(Base):
    """Counted plays and seconds heard per track, rung and UTC hour (charts, reports)."""

    __tablename__ = "play_hours"
    __table_args__ = (Index("ix_play_hours_track_hour", "track_id", "hour"),)

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    """The start of the hour (UTC)."""
    track_id: Mapped[TrackId] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    rung: Mapped[str] = mapped_column(String(32), primary_key=True)
    plays: Mapped[int] = mapped_column(Integer, default=0)
    """Plays that counted in this hour."""
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    """Seconds heard in this hour."""


class TrackPlays(Base):
    """All-time totals per track: search popularity, smart playlists, "most played"."""

    __tablename__ = "track_plays"
    __table_args__ = (Index("ix_track_plays_plays", "plays"),)

    track_id: Mapped[TrackId] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    plays: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    last_played_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ListenerTrack(Base):
    """One person's totals per track: their history's "most played", mixes, smart rules."""

    __tablename__ = "listener_tracks"
    __table_args__ = (
        Index("ix_listener_tracks_recent", "user_id", "last_played_at"),
        Index("ix_listener_tracks_most", "user_id", "plays"),
    )

    user_id: Mapped[UserId] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[TrackId] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    plays: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    last_played_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
