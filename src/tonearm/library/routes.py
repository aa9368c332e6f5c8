"""Track listing, details and deletion."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.concurrency import run_in_threadpool

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.library.schemas import TrackOut, TrackPage
from tonearm.library.service import LibraryService
from tonearm.types import TrackId

TrackIdPath = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


def build_router(uows: UnitOfWorkFactory, library: LibraryService) -> APIRouter:
    router = APIRouter(prefix="/api/tracks", tags=["library"])

    def _page(limit: int, cursor: str | None) -> TrackPage:
        with uows.read() as session:
            return library.page(session, limit=limit, cursor=cursor)

    def _get(track_id: TrackId) -> TrackOut:
        with uows.read() as session:
            return library.get(session, track_id)

    def _delete(track_id: TrackId) -> None:
        with uows() as uow:
            library.delete(uow, track_id)

    @router.get("", summary="Tracks, newest first")
    async def list_tracks(
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
    ) -> TrackPage:
        return await run_in_threadpool(_page, limit, cursor)

    @router.get("/{track_id}", summary="One track: status, progress, tags, loudness, URLs")
    async def get_track(track_id: TrackIdPath) -> TrackOut:
        return await run_in_threadpool(_get, TrackId(track_id))

    @router.delete(
        "/{track_id}",
        status_code=204,
        response_class=Response,
        summary="Delete a track (its audio goes when no other track uses it)",
    )
    async def delete_track(track_id: TrackIdPath) -> Response:
        await run_in_threadpool(_delete, TrackId(track_id))
        return Response(status_code=204)

    return router
