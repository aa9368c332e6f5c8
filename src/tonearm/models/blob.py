"""A stored file, keyed by the SHA-256 of its bytes, and everything derived from it.

One blob serves every track uploaded with the same bytes (``refcount`` counts them);
the renditions, segments, MP3, waveform and artwork belong to the blob, not the
track, so identical uploads are processed once.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tonearm.models.base import Base, UTCDateTime, utcnow
from tonearm.types import BlobHash


class BlobStatus(enum.StrEnum):
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Blob(Base):
    __tablename__ = "blobs"

    hash: Mapped[BlobHash] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    refcount: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=BlobStatus.UPLOADED)
    error: Mapped[str | None] = mapped_column(Text)
    playable: Mapped[bool] = mapped_column(Boolean, default=False)

    # What ffprobe said of the original.
    format_name: Mapped[str] = mapped_column(String(64))
    codec: Mapped[str] = mapped_column(String(32))
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    bits_per_sample: Mapped[int | None] = mapped_column(Integer)
    bit_rate: Mapped[int | None] = mapped_column(Integer)
    duration: Mapped[float] = mapped_column(Float)
    has_cover: Mapped[bool] = mapped_column(Boolean, default=False)
    original_ext: Mapped[str] = mapped_column(String(8), default="bin")

    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    integrated_lufs: Mapped[float | None] = mapped_column(Float)
    loudness_range_lu: Mapped[float | None] = mapped_column(Float)
    true_peak_dbtp: Mapped[float | None] = mapped_column(Float)
    replaygain_track_gain_db: Mapped[float | None] = mapped_column(Float)
    sample_peak: Mapped[float | None] = mapped_column(Float)
    fingerprint: Mapped[str | None] = mapped_column(Text)
    fingerprint_duration: Mapped[float | None] = mapped_column(Float)

    mp3_size: Mapped[int | None] = mapped_column(BigInteger)
    mp3_bitrate: Mapped[int | None] = mapped_column(Integer)
    has_waveform: Mapped[bool] = mapped_column(Boolean, default=False)
    artwork_mime: Mapped[str | None] = mapped_column(String(32))
    artwork_sizes: Mapped[list[int]] = mapped_column(JSON, default=list)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    renditions: Mapped[list[Rendition]] = relationship(
        back_populates="blob", order_by="Rendition.bitrate_kbps", cascade="all, delete-orphan"
    )


class Rendition(Base):
    """One rung of the HLS ladder."""

    __tablename__ = "renditions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    blob_hash: Mapped[BlobHash] = mapped_column(
        ForeignKey("blobs.hash", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(16))
    bitrate_kbps: Mapped[int] = mapped_column(Integer)
    codecs: Mapped[str] = mapped_column(String(64))
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    init_hash: Mapped[str] = mapped_column(String(64))
    peak_bandwidth: Mapped[int | None] = mapped_column(Integer)
    average_bandwidth: Mapped[int | None] = mapped_column(Integer)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)

    blob: Mapped[Blob] = relationship(back_populates="renditions")
    segments: Mapped[list[Segment]] = relationship(
        order_by="Segment.sequence", cascade="all, delete-orphan"
    )


class Segment(Base):
    __tablename__ = "segments"

    rendition_id: Mapped[int] = mapped_column(
        ForeignKey("renditions.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    duration: Mapped[float] = mapped_column(Float)
    size: Mapped[int] = mapped_column(Integer)
