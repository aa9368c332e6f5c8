"""Play reports as the API takes and answers them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tonearm.listening.service import MAX_MS


class PlayIn(BaseModel):
    """One report of a play session: ``start`` names the track; later reports carry the
    token the start answered."""

    model_config = ConfigDict(extra="forbid")

    event: Literal["start", "progress", "pause", "end"]
    session: str = Field(
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="The player's own id for this session (crypto.randomUUID()); "
        "the idempotency key of the play.",
    )
    track_id: str | None = Field(default=None, max_length=64, description="start only")
    token: str | None = Field(
        default=None, max_length=1024, description="progress, pause, end: as the start answered"
    )
    played_ms: int = Field(
        default=0, ge=0, le=MAX_MS, description="Milliseconds actually played in this session."
    )
    position_ms: int = Field(default=0, ge=0, le=MAX_MS, description="The playhead now.")
    rung: str = Field(
        pattern=r"^([0-9]{1,4}k|mp3|original)$",
        description="What is heard: a ladder rung (128k), mp3 or original.",
    )


class PlayOut(BaseModel):
    session: str
    token: str
    counted: bool = Field(description="The play has counted (it is recorded durably).")
    credited_ms: int = Field(description="Milliseconds credited so far.")
    count_after_ms: int = Field(description="Credited milliseconds at which the play counts.")
    heartbeat_s: float = Field(description="Report progress this often while playing.")
    listeners: int = Field(description="Listening to this track now.")
