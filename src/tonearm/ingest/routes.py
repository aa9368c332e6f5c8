"""Upload over HTTP: one-shot multipart (here) and resumable tus 1.0 (``tus_routes``)."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import TooLarge
from tonearm.ingest import tus_routes
from tonearm.ingest.bodies import with_idle_timeout
from tonearm.ingest.multipart import receive_file
from tonearm.ingest.service import IngestService
from tonearm.ingest.staging import StagingArea, format_bytes
from tonearm.ingest.tus import parse_content_length
from tonearm.ingest.uploads import UploadService
from tonearm.library.schemas import TrackOut
from tonearm.library.service import LibraryService
from tonearm.models import Scope, Visibility
from tonearm.types import TrackId


def build_router(
    *,
    uows: UnitOfWorkFactory,
    ingest: IngestService,
    uploads: UploadService,
    library: LibraryService,
    staging: StagingArea,
    max_multipart_bytes: int,
    max_upload_bytes: int,
    idle_timeout_s: float,
    deps: Deps,
) -> APIRouter:
    router = APIRouter(tags=["upload"])
    Uploader = Annotated[Viewer, Depends(deps.scoped(Scope.UPLOAD))]  # noqa: N806

    def describe(viewer: Viewer, track_id: TrackId) -> TrackOut:
        with uows.read() as session:
            return library.get(session, viewer, track_id)

    @router.post(
        "/api/tracks",
        status_code=201,
        summary="Upload a file in one request (multipart/form-data, field 'file')",
        description=(
            "201 with the new track; 200 with the viewer's own track of the same bytes "
            "(`deduplicated` true) when they already have one: nothing is added."
        ),
        responses={200: {"model": TrackOut, "description": "The viewer already had these bytes"}},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    }
                },
            }
        },
    )
    async def upload_multipart(
        viewer: Uploader,
        request: Request,
        response: Response,
        visibility: Annotated[Visibility, Query()] = Visibility.PRIVATE,
    ) -> TrackOut:
        declared = parse_content_length(request.headers.get("content-length"))
        if declared is not None and declared > max_multipart_bytes + 64 * 1024:
            raise TooLarge(
                f"The upload is {format_bytes(declared)}; single-request uploads are "
                f"limited to {format_bytes(max_multipart_bytes)}. "
                "Use the resumable upload API for larger files."
            )
        staged = await receive_file(
            request.headers.get("content-type"),
            with_idle_timeout(request.stream(), idle_timeout_s),
            staging,
            field="file",
            limit=max_multipart_bytes,
        )
        owner = viewer.require_user()
        accepted = await run_in_threadpool(ingest.finish, staged, owner, visibility)
        out = await run_in_threadpool(describe, viewer, accepted.track_id)
        if accepted.deduplicated:
            response.status_code = 200
            out = out.model_copy(update={"deduplicated": True})
        response.headers["Location"] = f"/api/tracks/{out.id}"
        return out

    router.include_router(
        tus_routes.build_router(
            uows=uows,
            ingest=ingest,
            uploads=uploads,
            max_upload_bytes=max_upload_bytes,
            idle_timeout_s=idle_timeout_s,
            deps=deps,
        )
    )
    return router
