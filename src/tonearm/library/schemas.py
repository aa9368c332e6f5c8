"""API shapes for tracks. Separate from the tables on purpose: the API is a contract."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tonearm.models import Visibility


class Progress(BaseModel):
    percent: float = Field(description="0-100 for the current attempt.")
    step: str = Field(description="What the worker is doing: queued, encoding, publishing ...")
    attempt: int = 0


class Loudness(BaseModel):
    integrated_lufs: float
    loudness_range_lu: float | None
    true_peak_dbtp: float | None
    replaygain_track_gain_db: float | None
    sample_peak: float | None


class Source(BaseModel):
    format: str
    codec: str
    sample_rate: int
    channels: int
    bits_per_sample: int | None
    bit_rate: int | None
    size: int
    sha256: str


class Urls(BaseModel):
    hls: str | None = Field(description="HLS master playlist (RFC 8216).")
    mp3: str | None = Field(description="Progressive MP3 with HTTP Range.")
    original: str
    waveform: str | None = Field(description="Peaks, audiowaveform JSON v2.")
    artwork: dict[str, str] = Field(description="'original' and WebP thumbnails by edge size.")


class TrackOut(BaseModel):
    id: str
    owner_id: str | None
    owner_name: str | None = Field(default=None, description="The owner's username.")
    visibility: Visibility = Field(
        description="private (owner only), unlisted (anyone with the link), public"
    )
    editable: bool = Field(description="The viewer may change or delete this track.")
    status: str = Field(description="uploaded → processing → ready | failed")
    playable: bool = Field(description="True as soon as the first segments of every rung exist.")
    error: str | None = Field(description="Why processing failed, in words a person understands.")
    progress: Progress
    deduplicated: bool = Field(
        default=False,
        description="The owner had already uploaded these exact bytes (never says whether "
        "anyone else did).",
    )
    filename: str
    title: str | None
    artist: str | None
    album: str | None
    album_artist: str | None
    track_number: int | None
    disc_number: int | None
    year: int | None
    genre: str | None
    duration: float
    loudness: Loudness | None
    fingerprint: str | None
    source: Source
    urls: Urls
    created_at: datetime


class TrackPage(BaseModel):
    items: list[TrackOut]
    next_cursor: str | None
    total: int


class TrackPatch(BaseModel):
    visibility: Visibility | None = None
