"""Search over HTTP: what ``GET /api/search`` answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tonearm.library.schemas import AlbumOut, ArtistOut, TrackOut
from tonearm.playlists.schemas import PlaylistOut

Kind = Literal["tracks", "albums", "artists", "playlists", "lyrics"]
TopKind = Literal["track", "album", "artist", "playlist", "lyrics"]

__all__ = ["AlbumOut", "ArtistOut", "Kind", "LyricHitOut", "SearchOut", "TopOut", "TrackOut"]


class TopOut(BaseModel):
    kind: TopKind
    id: str = Field(description="The track, album, artist or playlist id (a track's for lyrics).")


class LyricHitOut(BaseModel):
    track: TrackOut
    line: str = Field(description="The line as written.")
    start_ms: int | None = Field(description="When the line starts (synced lyrics only).")


class SearchOut(BaseModel):
    query: str
    corrected: str | None = Field(
        description="The query with corrected words, when the best result needed them."
    )
    top: TopOut | None = Field(description="The best result of all kinds.")
    tracks: list[TrackOut]
    albums: list[AlbumOut]
    artists: list[ArtistOut]
    playlists: list[PlaylistOut]
    lyrics: list[LyricHitOut]
