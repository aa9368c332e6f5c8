"""Similar tracks, radio and mixes."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.models import Scope
from tonearm.radio.mixes import MixService
from tonearm.radio.schemas import (
    FeedbackIn,
    MixesOut,
    RadioIn,
    RadioOut,
    SimilarOut,
    TracksOut,
)
from tonearm.radio.service import RadioService
from tonearm.types import RadioId, TrackId

IdPath = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


def build_router(
    uows: UnitOfWorkFactory, radio: RadioService, mixes: MixService, deps: Deps
) -> APIRouter:
    router = APIRouter(tags=["radio"])
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Member = Annotated[Viewer, Depends(deps.scoped(Scope.READ))]  # noqa: N806

    def _similar(viewer: Viewer, track_id: TrackId, limit: int) -> SimilarOut:
        with uows.read() as session:
            return radio.similar(session, viewer, track_id, limit)

    def _create(viewer: Viewer, body: RadioIn) -> RadioOut:
        with uows() as uow:
            return radio.create(uow, viewer, body.seed)

    def _next(viewer: Viewer, radio_id: RadioId, count: int) -> TracksOut:
        with uows() as uow:
            return radio.next(uow, viewer, radio_id, count)

    def _feedback(viewer: Viewer, radio_id: RadioId, body: FeedbackIn) -> None:
        with uows() as uow:
            radio.feedback(uow, viewer, radio_id, body)

    def _mixes(viewer: Viewer) -> MixesOut:
        with uows.read() as session:
            return mixes.mixes(session, viewer)

    @router.get(
        "/api/tracks/{track_id}/similar", summary="Tracks that sound like this one, nearest first"
    )
    async def similar(
        viewer: Reader,
        track_id: IdPath,
        limit: Annotated[int, Query(ge=1, le=50)] = 20,
    ) -> SimilarOut:
        return await run_in_threadpool(_similar, viewer, TrackId(track_id), limit)

    @router.post(
        "/api/radio",
        status_code=201,
        summary="Start an endless radio from a track, an album or an artist",
    )
    async def start_radio(viewer: Member, body: RadioIn) -> RadioOut:
        return await run_in_threadpool(_create, viewer, body)

    # POST: each answer moves the radio on (its history records what it served).
    @router.post("/api/radio/{radio_id}/next", summary="The radio's next tracks")
    async def next_tracks(
        viewer: Member,
        radio_id: IdPath,
        count: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> TracksOut:
        return await run_in_threadpool(_next, viewer, RadioId(radio_id), count)

    @router.post(
        "/api/radio/{radio_id}/feedback",
        status_code=204,
        response_class=Response,
        summary="Report a skip, a dislike or a full play of a radio's track",
    )
    async def feedback(viewer: Member, radio_id: IdPath, body: FeedbackIn) -> Response:
        await run_in_threadpool(_feedback, viewer, RadioId(radio_id), body)
        return Response(status_code=204)

    @router.get("/api/mixes", summary="The viewer's mixes for Home: daily, discover, genres")
    async def get_mixes(viewer: Member) -> MixesOut:
        return await run_in_threadpool(_mixes, viewer)

    return router
