"""Upload over HTTP: one-shot multipart, and resumable tus 1.0."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import (
    TooLarge,
)
from tonearm.ingest import tus_routes
from tonearm.ingest.multipart import receive_file
from tonearm.ingest.service import IngestService
from tonearm.ingest.staging import StagedFile, StagingArea, format_bytes
from tonearm.ingest.uploads import UploadService
from tonearm.library.schemas import TrackOut
from tonearm.library.service import LibraryService


@dataclass(frozen=True)
class IngestDeps:
    uows: UnitOfWorkFactory
    ingest: IngestService
    uploads: UploadService
    library: LibraryService
    staging: StagingArea
    max_multipart_bytes: int
    max_upload_bytes: int

    def store(self, staged: StagedFile, upload_id: str | None = None) -> TrackOut:
        """Validate, deduplicate and record ``staged``; nothing remains if it is refused."""
        try:
            with self.uows.read() as session:
                inspection = self.ingest.inspect(session, staged)
            with self.uows() as uow:
                accepted = self.ingest.accept(uow, staged, inspection)
                if upload_id is not None:
                    self.uploads.finish(uow, upload_id, accepted.track.id, accepted.deduplicated)
        except Exception:
            # Refused or failed, nothing of it stays: the transaction rolled back (and
            # took back any file it had moved into the store), so drop the bytes and
            # the upload's row too rather than leave an upload that can never finish.
            staged.discard()
            if upload_id is not None:
                with self.uows() as uow:
                    self.uploads.discard(uow, upload_id)
            raise
        with self.uows.read() as session:
            out = self.library.get(session, accepted.track.id)
        return out.model_copy(update={"deduplicated": accepted.deduplicated})


def build_router(deps: IngestDeps) -> APIRouter:
    router = APIRouter(tags=["upload"])
    max_multipart_bytes = deps.max_multipart_bytes

    @router.post(
        "/api/tracks",
        status_code=201,
        summary="Upload a file in one request (multipart/form-data, field 'file')",
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
    async def upload_multipart(request: Request, response: Response) -> TrackOut:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_multipart_bytes + 64 * 1024:
            raise TooLarge(
                f"The upload is {format_bytes(int(declared))}; single-request uploads are "
                f"limited to {format_bytes(max_multipart_bytes)}. "
                "Use the resumable upload API for larger files."
            )
        staged = await receive_file(
            request.headers.get("content-type"),
            request.stream(),
            deps.staging,
            field="file",
            limit=max_multipart_bytes,
        )
        out = await run_in_threadpool(deps.store, staged)
        response.headers["Location"] = f"/api/tracks/{out.id}"
        return out

    router.include_router(tus_routes.build_router(deps))
    return router
