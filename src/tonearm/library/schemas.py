"""API shapes for tracks. Separate from the tables on purpose: the API is a contract."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from tonearm.media.lyrics import MAX_LYRICS_CHARS
from tonearm.models import LikeKind, Visibility

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Genre = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Year = Annotated[StrictInt, Field(ge=0, le=9999)]
Position = Annotated[StrictInt, Field(ge=1, le=999)]
Cover = dict[str, str]
"""Thumbnail URLs by edge size ("128", "512")."""


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
    genres: list[str] = Field(default_factory=list, description="The genre tag split.")
    compilation: bool = False
    artist_id: str | None = None
    album_id: str | None = None
    liked: bool = False
    edited: list[str] = Field(
        default_factory=list, description="Fields set by hand: reprocessing keeps them."
    )
    duration: float
    loudness: Loudness | None
    fingerprint: str | None
    source: Source
    urls: Urls
    created_at: datetime
    updated_at: datetime | None = None


class TrackPage(BaseModel):
    items: list[TrackOut]
    next_cursor: str | None
    total: int


TAG_FIELDS = (
    "title",
    "artist",
    "album",
    "album_artist",
    "track_number",
    "disc_number",
    "year",
    "genre",
    "compilation",
)


class TrackChanges(BaseModel):
    """Tags to set on several tracks at once. A field sent as null clears it; a field
    left out is left alone. Names are stripped; an empty one clears the field."""

    model_config = ConfigDict(extra="forbid")

    artist: Name | None = None
    album: Name | None = None
    album_artist: Name | None = None
    year: Year | None = None
    genre: Genre | None = None
    compilation: StrictBool | None = None
    visibility: Visibility | None = None

    def tags(self) -> dict[str, object]:
        """The tag fields this change sets (visibility aside)."""
        values = {k: getattr(self, k) for k in self.model_fields_set if k in TAG_FIELDS}
        return {k: (None if v == "" else v) for k, v in values.items()}


class TrackPatch(TrackChanges):
    """A track's tags and visibility (any of them)."""

    title: Name | None = None
    track_number: Position | None = None
    disc_number: Position | None = None


class BulkPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        min_length=1, max_length=1000
    )
    changes: TrackChanges


class BulkResult(BaseModel):
    updated: int
    items: list[TrackOut]


TrackSort = Literal["added", "title", "artist", "album", "year", "duration"]
Order = Literal["asc", "desc"]


class ArtistOut(BaseModel):
    id: str
    name: str
    album_count: int
    track_count: int
    cover: Cover | None
    liked: bool
    created_at: datetime


class AlbumOut(BaseModel):
    id: str
    title: str
    artist_id: str
    artist_name: str
    compilation: bool
    year: int | None
    genres: list[str]
    track_count: int
    duration: float
    cover: Cover | None
    liked: bool
    created_at: datetime


class ArtistDetail(ArtistOut):
    albums: list[AlbumOut]
    appears_on: list[AlbumOut] = Field(description="Others' albums (compilations) it plays on.")


class AlbumDetail(AlbumOut):
    tracks: list[TrackOut] = Field(description="In disc and track order.")
    discs: int
    editable: bool = Field(description="The viewer may change its cover.")


class ArtistPage(BaseModel):
    items: list[ArtistOut]
    total: int


class AlbumPage(BaseModel):
    items: list[AlbumOut]
    total: int


class GenreOut(BaseModel):
    name: str
    track_count: int


class PlaylistRef(BaseModel):
    id: str
    name: str


class LikePage(BaseModel):
    kind: LikeKind
    items: list[TrackOut] | list[AlbumOut] | list[ArtistOut] | list[PlaylistRef]
    total: int


class LyricWordOut(BaseModel):
    start_ms: int
    text: str = Field(description="Joined, the words' texts give the line's text.")


class LyricLineOut(BaseModel):
    start_ms: int | None = Field(description="When the line starts; null in plain lyrics.")
    text: str
    words: list[LyricWordOut] = Field(
        description="Enhanced-LRC word times, when the text has them (else empty)."
    )


class LyricsOut(BaseModel):
    track_id: str
    text: str | None = Field(description="As stored: plain text or LRC; null when none.")
    synced: bool = Field(description="The lines carry times (LRC).")
    lines: list[LyricLineOut]
    editable: bool = Field(description="The viewer may replace or remove these lyrics.")


class LyricsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        max_length=MAX_LYRICS_CHARS,
        description="Plain text or LRC (``[mm:ss.xx]line``, ``<mm:ss.xx>`` word times). "
        "Control characters are dropped; an empty text removes the lyrics.",
    )
