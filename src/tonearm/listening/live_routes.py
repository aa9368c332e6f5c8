"""``GET /api/live``: who is listening now."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.listening.live_board import LiveBoard
from tonearm.listening.live_schemas import MAX_BUSIEST, MAX_REQUESTED, LiveOut
from tonearm.types import TrackId

_ID = "[A-Za-z0-9_-]{1,32}"
TrackIds = Annotated[
    str | None,
    Query(
        max_length=33 * MAX_REQUESTED,
        pattern=rf"^{_ID}(,{_ID}){{0,{MAX_REQUESTED - 1}}}$",
        description=f"Comma-separated track ids (at most {MAX_REQUESTED}) whose counts the "
        "page shows.",
    ),
]

PUSH = f"""The busiest tracks the viewer is shown (their own, public ones; every track for
moderators), at most {MAX_BUSIEST}, and the counts of the tracks asked for.

A listener counts once per track however many tabs or devices report them, from their
first heartbeat (`POST /api/plays`) until they pause or end (at once) or stop reporting
(after the presence TTL, 30 s by default).

**Push**: a page keeps its counts current from `GET /api/events` (server-sent events)
instead of asking again: each change of a track's count the viewer may see arrives as

    event: live
    data: {{"track_id": "...", "listeners": 2}}

from whichever API process noticed it."""


def build_router(uows: UnitOfWorkFactory, board: LiveBoard, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["listening"])
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806

    def _now(viewer: Viewer, requested: list[TrackId]) -> LiveOut:
        with uows.read() as session:
            return board.now(session, viewer, requested)

    @router.get("/api/live", summary="Listening now", description=PUSH)
    async def live(viewer: Reader, tracks: TrackIds = None) -> LiveOut:
        requested = [TrackId(t) for t in tracks.split(",")] if tracks else []
        return await run_in_threadpool(_now, viewer, requested)

    return router
