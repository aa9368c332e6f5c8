"""API shapes for playlists. Separate from the tables: the API is a contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from tonearm.library.schemas import TrackOut
from tonearm.models import Visibility

Role = Literal["owner", "editor", "viewer", "admin"]


class SmartRule(BaseModel):
    field: str = Field(
        description="genre, artist, album, title, year, added, liked, duration, loudness, "
        "plays, last_played (the viewer's own), total_plays (everyone's)"
    )
    op: str = Field(
        description="is, is_not, contains, not_contains, gt, lt, between, "
        "in_last_days, true, false (which apply depends on the field)"
    )
    value: Any = None


class SmartSort(BaseModel):
    field: str = "added"
    order: Literal["asc", "desc"] = "desc"


class SmartRules(BaseModel):
    match: Literal["all", "any"] = "all"
    rules: list[SmartRule] = Field(default_factory=list, max_length=50)
    sort: SmartSort = Field(default_factory=SmartSort)
    limit: int | None = Field(default=None, ge=1, le=5000)


class PlaylistOut(BaseModel):
    id: str
    name: str
    description: str
    visibility: Visibility
    kind: Literal["static", "smart"]
    owner_id: str
    owner_name: str | None
    role: Role | None = Field(description="The viewer's part in this playlist.")
    item_count: int = Field(description="Items whose track the viewer may see.")
    duration: float = Field(description="Seconds, of the items the viewer may see.")
    cover: dict[str, str] | None = Field(description="Collage URLs by edge size.")
    version: int = Field(description="Bumped by every change.")
    liked: bool
    rules: SmartRules | None
    created_at: datetime
    updated_at: datetime


class PlaylistPage(BaseModel):
    items: list[PlaylistOut]
    total: int


class PlaylistCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    visibility: Visibility = Visibility.PRIVATE
    rules: SmartRules | None = Field(default=None, description="Makes a smart playlist.")


class PlaylistPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    visibility: Visibility | None = None
    rules: SmartRules | None = None


class ItemOut(BaseModel):
    id: str = Field(description="The item's id (a smart playlist's: the track's id).")
    position: str = Field(description="Sort key; items are listed in this order.")
    track: TrackOut
    added_by: str | None
    added_at: datetime


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int
    version: int


class ItemsAdd(BaseModel):
    track_ids: list[str] = Field(min_length=1, max_length=1000)
    after_item_id: str | None = Field(
        default=None, description="null: at the start; left out: at the end."
    )


class ItemsAdded(BaseModel):
    items: list[ItemOut]
    version: int


class ItemsRemove(BaseModel):
    item_ids: list[str] = Field(min_length=1, max_length=5000)


class Version(BaseModel):
    version: int


class ItemMove(BaseModel):
    after_item_id: str | None = Field(description="null: to the start.")


class ItemMoved(BaseModel):
    item: ItemOut
    version: int


class CollaboratorIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    role: Literal["editor", "viewer"] = "viewer"


class CollaboratorOut(BaseModel):
    user_id: str
    username: str
    role: Literal["editor", "viewer"]
    created_at: datetime


class PlaylistInviteIn(BaseModel):
    role: Literal["editor", "viewer"] = "viewer"
    expires_in_s: int | None = Field(default=None, ge=60, le=90 * 86400)


class PlaylistInviteOut(BaseModel):
    code: str = Field(description="Shown once.")
    url: str
    role: Literal["editor", "viewer"]
    expires_at: datetime | None


class Imported(BaseModel):
    playlist: PlaylistOut
    unmatched: list[str] = Field(description="Entries no track the importer may see matched.")
