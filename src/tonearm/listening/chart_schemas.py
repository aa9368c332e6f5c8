"""API shapes for charts, listening history, play statistics and the royalty report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tonearm.library.schemas import AlbumOut, ArtistOut, TrackOut

ChartKind = Literal["tracks", "artists", "albums"]
ChartWindowName = Literal["24h", "7d", "30d", "all"]
ChartSort = Literal["top", "trending"]


class ChartEntryOut(BaseModel):
    rank: int
    plays: int
    previous_plays: int = Field(
        description="Plays in the window of the same length just before (0 for 'all')."
    )
    track: TrackOut | None = None
    artist: ArtistOut | None = None
    album: AlbumOut | None = None


class ChartOut(BaseModel):
    kind: ChartKind
    window: ChartWindowName
    sort: ChartSort
    computed_at: datetime | None = Field(description="When the chart was computed (UTC).")
    entries: list[ChartEntryOut]


class RecentPlayOut(BaseModel):
    played_at: datetime
    seconds: float
    counted: bool
    track: TrackOut


class RecentPage(BaseModel):
    items: list[RecentPlayOut]
    next: str | None = Field(description="Pass as 'before' for the next (older) page.")


class MostPlayedOut(BaseModel):
    plays: int
    seconds: float
    last_played_at: datetime | None
    track: TrackOut


class MostPlayedPage(BaseModel):
    items: list[MostPlayedOut]


class DayOut(BaseModel):
    day: date
    plays: int = Field(description="Plays that counted that day (UTC).")
    listeners: int = Field(description="Distinct listeners of those plays.")
    seconds: float = Field(description="Seconds heard in sessions started that day.")


class SkipBinOut(BaseModel):
    at: float = Field(description="Start of the bin, as a fraction of the track (0.0-0.95).")
    stopped: int = Field(description="Sessions whose playhead stopped in this bin.")


class TopTrackOut(BaseModel):
    track: TrackOut
    plays: int
    seconds: float


class StatsOut(BaseModel):
    series: list[DayOut]
    plays: int
    listeners: int
    seconds: float
    completion_rate: float | None = Field(
        description="Share of sessions heard to at least 90 % of the track; null: none."
    )


class OwnerStatsOut(StatsOut):
    top_tracks: list[TopTrackOut]


class TrackStatsOut(StatsOut):
    skip_curve: list[SkipBinOut] = Field(description="20 bins of where sessions stopped.")


class ReportRowOut(BaseModel):
    track_id: str | None = Field(description="Null when grouped by owner.")
    title: str | None
    artist: str | None
    owner_id: str | None
    owner: str | None = Field(description="The owner's username.")
    rung: str
    plays: int
    seconds: float


class ReportOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from", description="First day (UTC).")
    to: date = Field(description="Last day (UTC), included.")
    group: Literal["track", "owner"]
    rows: list[ReportRowOut]
