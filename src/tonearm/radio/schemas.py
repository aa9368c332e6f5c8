"""API shapes for similar tracks, radio and mixes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tonearm.library.schemas import TrackOut

ID_PATTERN = r"^[A-Za-z0-9_-]+$"


class SeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["track", "album", "artist"]
    id: str = Field(min_length=1, max_length=32, pattern=ID_PATTERN)


class RadioIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: SeedIn


class RadioOut(BaseModel):
    id: str
    seed: SeedIn
    title: str
    tracks: list[TrackOut] = Field(description="The first ten tracks (a track seed first).")


class TracksOut(BaseModel):
    tracks: list[TrackOut]


class SimilarOut(BaseModel):
    tracks: list[TrackOut]
    pending: bool = Field(description="The track has not been analysed yet: ask again later.")


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    track_id: str = Field(min_length=1, max_length=32, pattern=ID_PATTERN)
    action: Literal["skip", "dislike", "played"]
    position_s: float = Field(
        default=0.0,
        ge=0,
        le=86400,
        description="How far into the track it was (a skip before 30 s keeps it off radios).",
    )


class MixOut(BaseModel):
    id: str = Field(description='"daily", "discover" or "genre:<genre>".')
    title: str
    description: str
    tracks: list[TrackOut]


class MixesOut(BaseModel):
    mixes: list[MixOut]
