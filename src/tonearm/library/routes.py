"""Track listing, details, changes, deletion and lyrics."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.library.lyrics import LyricsService
from tonearm.library.schemas import (
    BulkPatch,
    BulkResult,
    LyricsIn,
    LyricsOut,
    Order,
    TrackOut,
    TrackPage,
    TrackPatch,
    TrackSort,
)
from tonearm.library.service import LibraryService, TrackQuery
from tonearm.models import Scope
from tonearm.types import TrackId

TrackIdPath = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
IdQuery = Annotated[str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


def build_router(
    uows: UnitOfWorkFactory, library: LibraryService, lyrics: LyricsService, deps: Deps
) -> APIRouter:
    router = APIRouter(prefix="/api/tracks", tags=["library"])
    # Type aliases per app: the dependencies belong to this app's authenticator.
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Editor = Annotated[Viewer, Depends(deps.scoped(Scope.LIBRARY))]  # noqa: N806

    def _page(
        viewer: Viewer, limit: int, cursor: str | None, mine: bool, query: TrackQuery
    ) -> TrackPage:
        with uows.read() as session:
            return library.page(session, viewer, limit=limit, cursor=cursor, mine=mine, query=query)

    def _update_many(viewer: Viewer, patch: BulkPatch) -> BulkResult:
        with uows() as uow:
            ids = library.update_many(uow, viewer, patch)
        with uows.read() as session:
            tracks = [library.visible(session, viewer, i) for i in ids]
            return BulkResult(updated=len(ids), items=library.describe(session, viewer, tracks))

    def _get(viewer: Viewer, track_id: TrackId) -> TrackOut:
        with uows.read() as session:
            return library.get(session, viewer, track_id)

    def _update(viewer: Viewer, track_id: TrackId, change: TrackPatch) -> TrackOut:
        with uows() as uow:
            library.update(uow, viewer, track_id, change)
        return _get(viewer, track_id)

    def _delete(viewer: Viewer, track_id: TrackId) -> None:
        with uows() as uow:
            library.delete(uow, viewer, track_id)

    def _lyrics(viewer: Viewer, track_id: TrackId) -> LyricsOut:
        with uows.read() as session:
            return lyrics.get(session, viewer, track_id)

    def _replace_lyrics(viewer: Viewer, track_id: TrackId, body: LyricsIn) -> LyricsOut:
        with uows() as uow:
            return lyrics.replace(uow, viewer, track_id, body.text)

    def _remove_lyrics(viewer: Viewer, track_id: TrackId) -> None:
        with uows() as uow:
            lyrics.remove(uow, viewer, track_id)

    @router.get("", summary="Tracks the viewer may list (own and public), newest first")
    async def list_tracks(
        viewer: Reader,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        cursor: Annotated[
            str | None, Query(max_length=200, description="Pages the default order only.")
        ] = None,
        mine: Annotated[bool, Query(description="Only the viewer's own tracks.")] = False,
        sort: TrackSort = "added",
        order: Order = "desc",
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        genre: Annotated[str | None, Query(max_length=200)] = None,
        artist_id: IdQuery = None,
        album_id: IdQuery = None,
        liked: Annotated[bool, Query(description="Only tracks the viewer likes.")] = False,
    ) -> TrackPage:
        query = TrackQuery(
            sort=sort,
            order=order,
            offset=offset,
            genre=genre,
            artist_id=artist_id,
            album_id=album_id,
            liked=liked,
        )
        return await run_in_threadpool(_page, viewer, limit, cursor, mine, query)

    @router.patch("", summary="The same change on several tracks: all of them or none")
    async def update_tracks(viewer: Editor, patch: BulkPatch) -> BulkResult:
        return await run_in_threadpool(_update_many, viewer, patch)

    @router.get("/{track_id}", summary="One track: status, progress, tags, loudness, URLs")
    async def get_track(viewer: Reader, track_id: TrackIdPath) -> TrackOut:
        return await run_in_threadpool(_get, viewer, TrackId(track_id))

    @router.patch(
        "/{track_id}",
        summary="Change a track's tags (kept through reprocessing) and visibility",
    )
    async def update_track(viewer: Editor, track_id: TrackIdPath, change: TrackPatch) -> TrackOut:
        return await run_in_threadpool(_update, viewer, TrackId(track_id), change)

    @router.delete(
        "/{track_id}",
        status_code=204,
        response_class=Response,
        summary="Delete a track (its audio goes when no other track uses it)",
    )
    async def delete_track(viewer: Editor, track_id: TrackIdPath) -> Response:
        await run_in_threadpool(_delete, viewer, TrackId(track_id))
        return Response(status_code=204)

    @router.get("/{track_id}/lyrics", summary="A track's lyrics, as stored and as timed lines")
    async def get_lyrics(viewer: Reader, track_id: TrackIdPath) -> LyricsOut:
        return await run_in_threadpool(_lyrics, viewer, TrackId(track_id))

    @router.put(
        "/{track_id}/lyrics",
        summary="Replace a track's lyrics (plain or LRC; kept through reprocessing)",
    )
    async def replace_lyrics(viewer: Editor, track_id: TrackIdPath, body: LyricsIn) -> LyricsOut:
        return await run_in_threadpool(_replace_lyrics, viewer, TrackId(track_id), body)

    @router.delete(
        "/{track_id}/lyrics",
        status_code=204,
        response_class=Response,
        summary="Remove a track's lyrics (the file's own do not come back)",
    )
    async def remove_lyrics(viewer: Editor, track_id: TrackIdPath) -> Response:
        await run_in_threadpool(_remove_lyrics, viewer, TrackId(track_id))
        return Response(status_code=204)

    return router
