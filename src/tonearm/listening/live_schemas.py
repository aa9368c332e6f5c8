"""API shapes of the live listener counts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tonearm.library.schemas import TrackOut

MAX_BUSIEST = 50
MAX_REQUESTED = 100


class LiveTrack(BaseModel):
    track: TrackOut
    listeners: int = Field(description="Listening now (heard within the presence TTL).")


class LiveOut(BaseModel):
    total: int = Field(description="Distinct listeners now, over every track.")
    tracks: list[LiveTrack] = Field(
        description=f"The busiest tracks the viewer is shown, most listeners first (ties by "
        f"track id), at most {MAX_BUSIEST}."
    )
    counts: dict[str, int] = Field(
        description="Listeners now of each requested track the viewer may see (0 included); "
        "ids of tracks they may not see are left out."
    )
