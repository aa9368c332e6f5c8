"""What blobs sound like, and what people did with radio: descriptors, radios, feedback.

``blob_features`` is shared like the blob it describes (one row per audio, whoever
uploaded it); radios and feedback belong to one person.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.types import BlobHash, RadioId, TrackId, UserId


class BlobFeatures(Base):
    """The sound descriptor of one blob (``media/descriptors.py``)."""

    __tablename__ = "blob_features"
    __table_args__ = (Index("ix_blob_features_computed_at", "computed_at"),)

    blob_hash: Mapped[BlobHash] = mapped_column(
        ForeignKey("blobs.hash", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    """``DESCRIPTOR_VERSION`` it was computed with; older rows are recomputed."""
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    """Little-endian float32, ``descriptors.SIZE`` values in ``descriptors.LAYOUT``."""
    tempo_bpm: Mapped[float] = mapped_column(Float)
    key: Mapped[str] = mapped_column(String(2))
    """Estimated tonic pitch class ("A", "C#")."""
    mode: Mapped[str] = mapped_column(String(5))
    """"major" or "minor"."""
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeedKind(enum.StrEnum):
    TRACK = "track"
    ALBUM = "album"
    ARTIST = "artist"


class RadioSession(Base):
    """One person's endless radio: where it started and where it is now."""

    __tablename__ = "radio_sessions"
    __table_args__ = (Index("ix_radio_sessions_user_recent", "user_id", "updated_at"),)

    id: Mapped[RadioId] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[UserId] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seed_kind: Mapped[str] = mapped_column(String(16))
    seed_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(600))
    seed_vector: Mapped[bytes] = mapped_column(LargeBinary)
    """The seed's descriptor (an album's or artist's: the centroid), kept so the radio
    goes on if the seed is later hidden or deleted."""
    target_vector: Mapped[bytes] = mapped_column(LargeBinary)
    """Where the next track is looked for: moves with each pick, pulled to the seed."""
    position: Mapped[int] = mapped_column(Integer, default=0)
    """Tracks served so far."""
    cycle_start: Mapped[int] = mapped_column(Integer, default=0)
    """Tracks served before this position may come again (the pool ran out then)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RadioTrack(Base):
    """A track a radio served, in order (for the artist and no-repeat rules)."""

    __tablename__ = "radio_tracks"

    radio_id: Mapped[RadioId] = mapped_column(
        ForeignKey("radio_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[TrackId] = mapped_column(String(32))
    """No foreign key: the history outlives a deleted track."""
    blob_hash: Mapped[BlobHash] = mapped_column(String(64))
    artist_key: Mapped[str | None] = mapped_column(String(500))
    served_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackAction(enum.StrEnum):
    SKIP = "skip"
    DISLIKE = "dislike"
    PLAYED = "played"


class TrackFeedback(Base):
    """What a person did with a track a radio or mix offered; kept 90 days."""

    __tablename__ = "track_feedback"
    __table_args__ = (
        Index("ix_track_feedback_user_recent", "user_id", "created_at"),
        Index("ix_track_feedback_track", "track_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[UserId] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    track_id: Mapped[TrackId] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    blob_hash: Mapped[BlobHash] = mapped_column(String(64))
    """The audio, so a skip also covers the same recording uploaded by someone else."""
    action: Mapped[str] = mapped_column(String(16))
    position_s: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
