"""API shapes for comments, the play queue and oEmbed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tonearm.library.schemas import TrackOut

MAX_QUEUE = 5000
MAX_COMMENT = 2000


class CommentOut(BaseModel):
    id: str
    track_id: str
    author_id: str
    author_name: str | None
    position_s: float = Field(description="Where in the track (seconds) the comment belongs.")
    body: str
    created_at: datetime
    deletable: bool = Field(description="The viewer may delete this comment.")


class CommentPage(BaseModel):
    items: list[CommentOut]
    total: int


class CommentIn(BaseModel):
    # false is not 0 here: a client that sends one for the other has a bug to hear of.
    model_config = ConfigDict(strict=True)

    position_s: float = Field(ge=0, description="0 up to the track's duration.")
    body: str = Field(
        max_length=4 * MAX_COMMENT,
        description=f"1 to {MAX_COMMENT} characters once surrounding spaces are stripped.",
    )


Repeat = Literal["off", "all", "one"]


class QueueOut(BaseModel):
    track_ids: list[str] = Field(description="In the order they were queued (visible ones).")
    tracks: list[TrackOut] = Field(description="The same tracks, described, in that order.")
    current_index: int
    position_s: float
    shuffle: bool
    shuffle_order: list[int] | None = Field(
        description="Indexes into track_ids in play order while shuffle is on."
    )
    repeat: Repeat
    version: int = Field(description="Goes up with every change; 0: never saved.")
    device: str | None = Field(description="The device that saved it last.")
    updated_at: datetime | None
    dropped: int = Field(
        default=0,
        description="Track ids left out because the viewer may not see them (or they are gone).",
    )


class QueueIn(BaseModel):
    # false is not 0 here: a client that sends one for the other has a bug to hear of.
    model_config = ConfigDict(strict=True)

    track_ids: list[str] = Field(max_length=MAX_QUEUE)
    current_index: int = Field(default=0, ge=0)
    position_s: float = Field(default=0.0, ge=0)
    shuffle: bool = False
    shuffle_order: list[int] | None = Field(
        default=None, description="Required while shuffle is on: a permutation of the indexes."
    )
    repeat: Repeat = "off"
    device: str | None = Field(default=None, max_length=100)
    base_version: int | None = Field(
        default=None,
        description="The version this change was made from: a newer saved queue is a 409.",
    )


class QueuePatch(BaseModel):
    # false is not 0 here: a client that sends one for the other has a bug to hear of.
    model_config = ConfigDict(strict=True)

    current_index: int | None = Field(default=None, ge=0)
    position_s: float | None = Field(default=None, ge=0)
    device: str | None = Field(default=None, max_length=100)


class QueuePosition(BaseModel):
    """What a PATCH answers: small, as its request is."""

    current_index: int
    position_s: float
    version: int
    device: str | None
    updated_at: datetime


class OEmbed(BaseModel):
    """oEmbed 1.0 "rich" response (https://oembed.com)."""

    version: Literal["1.0"] = "1.0"
    type: Literal["rich"] = "rich"
    provider_name: str = "tonearm"
    provider_url: str
    title: str
    author_name: str | None = None
    html: str
    width: int
    height: int
    thumbnail_url: str | None = None
    thumbnail_width: int | None = None
    thumbnail_height: int | None = None
