"""Timed comments on tracks and the play queue."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.models import Scope
from tonearm.social.queue import QueueService
from tonearm.social.schemas import (
    CommentIn,
    CommentOut,
    CommentPage,
    QueueIn,
    QueueOut,
    QueuePatch,
    QueuePosition,
)
from tonearm.social.service import CommentService
from tonearm.types import CommentId, TrackId

IdPath = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


def build_router(
    uows: UnitOfWorkFactory, comments: CommentService, queue: QueueService, deps: Deps
) -> APIRouter:
    router = APIRouter(tags=["social"])
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Member = Annotated[Viewer, Depends(deps.scoped(Scope.READ))]  # noqa: N806

    def _page(viewer: Viewer, track_id: TrackId, limit: int, offset: int) -> CommentPage:
        with uows.read() as session:
            return comments.page(session, viewer, track_id, limit=limit, offset=offset)

    def _add(viewer: Viewer, track_id: TrackId, new: CommentIn) -> CommentOut:
        with uows() as uow:
            return comments.add(uow, viewer, track_id, new)

    def _delete(viewer: Viewer, track_id: TrackId, comment_id: CommentId) -> None:
        with uows() as uow:
            comments.delete(uow, viewer, track_id, comment_id)

    @router.get("/api/tracks/{track_id}/comments", summary="A track's comments, by position")
    async def list_comments(
        viewer: Reader,
        track_id: IdPath,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> CommentPage:
        return await run_in_threadpool(_page, viewer, TrackId(track_id), limit, offset)

    @router.post(
        "/api/tracks/{track_id}/comments",
        status_code=201,
        summary="Comment at a moment of a track",
    )
    async def add_comment(viewer: Member, track_id: IdPath, new: CommentIn) -> CommentOut:
        return await run_in_threadpool(_add, viewer, TrackId(track_id), new)

    @router.delete(
        "/api/tracks/{track_id}/comments/{comment_id}",
        status_code=204,
        response_class=Response,
        summary="Delete a comment (its author, the track's owner, moderators)",
    )
    async def delete_comment(viewer: Member, track_id: IdPath, comment_id: IdPath) -> Response:
        await run_in_threadpool(_delete, viewer, TrackId(track_id), CommentId(comment_id))
        return Response(status_code=204)

    def _get_queue(viewer: Viewer) -> QueueOut:
        with uows.read() as session:
            return queue.get(session, viewer)

    def _put_queue(viewer: Viewer, new: QueueIn) -> QueueOut:
        with uows() as uow:
            return queue.replace(uow, viewer, new)

    def _patch_queue(viewer: Viewer, change: QueuePatch) -> QueuePosition:
        with uows() as uow:
            return queue.move(uow, viewer, change)

    @router.get("/api/queue", summary="The viewer's play queue, as last saved on any device")
    async def get_queue(viewer: Member) -> QueueOut:
        return await run_in_threadpool(_get_queue, viewer)

    @router.put("/api/queue", summary="Save the whole play queue")
    async def put_queue(viewer: Member, new: QueueIn) -> QueueOut:
        return await run_in_threadpool(_put_queue, viewer, new)

    @router.patch("/api/queue", summary="Save where playback is (current track, position)")
    async def patch_queue(viewer: Member, change: QueuePatch) -> QueuePosition:
        return await run_in_threadpool(_patch_queue, viewer, change)

    return router
