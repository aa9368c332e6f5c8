"""Upload over HTTP: one-shot multipart, and resumable tus 1.0."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import (
    BadRequest,
    PreconditionFailed,
    TonearmError,
    TooLarge,
    UnsupportedMedia,
)
from tonearm.ingest import tus
from tonearm.ingest.multipart import receive_file
from tonearm.ingest.service import Accepted, IngestService
from tonearm.ingest.staging import StagedFile, StagingArea, format_bytes
from tonearm.ingest.uploads import Append, UploadService
from tonearm.library.schemas import TrackOut
from tonearm.library.service import LibraryService
from tonearm.models import Upload

TUS_HEADERS = {"Tus-Resumable": tus.VERSION}
UploadIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class UploadOut(BaseModel):
    id: str
    offset: int
    length: int
    filename: str
    track_id: str | None
    deduplicated: bool
    expires_at: str


def build_router(
    uows: UnitOfWorkFactory,
    ingest: IngestService,
    uploads: UploadService,
    library: LibraryService,
    staging: StagingArea,
    max_multipart_bytes: int,
    max_upload_bytes: int,
) -> APIRouter:
    router = APIRouter(tags=["upload"])

    def store(staged: StagedFile, upload_id: str | None = None) -> tuple[Accepted, TrackOut]:
        """Validate, deduplicate and record ``staged``; nothing remains if it is refused."""
        try:
            with uows.read() as session:
                inspection = ingest.inspect(session, staged)
            with uows() as uow:
                accepted = ingest.accept(uow, staged, inspection)
                if upload_id is not None:
                    uploads.finish(uow, upload_id, accepted.track.id, accepted.deduplicated)
        except TonearmError:
            staged.discard()
            if upload_id is not None:
                with uows() as uow:
                    uploads.discard(uow, upload_id)
            raise
        with uows.read() as session:
            out = library.get(session, accepted.track.id)
        return accepted, out.model_copy(update={"deduplicated": accepted.deduplicated})

    # Multipart ----------------------------------------------------------------

    @router.post(
        "/api/tracks",
        status_code=201,
        summary="Upload a file in one request (multipart/form-data, field 'file')",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }}},
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
            request.headers.get("content-type"), request.stream(), staging,
            field="file", limit=max_multipart_bytes,
        )
        _, out = await run_in_threadpool(store, staged)
        response.headers["Location"] = f"/api/tracks/{out.id}"
        return out

    # tus ----------------------------------------------------------------------

    def tus_headers(upload: Upload, **extra: str) -> dict[str, str]:
        headers = {
            **TUS_HEADERS,
            "Upload-Offset": str(upload.offset),
            "Upload-Length": str(upload.length),
            "Upload-Expires": upload.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "Cache-Control": "no-store",
        }
        if upload.track_id:
            headers["Tonearm-Track-Id"] = upload.track_id
            headers["Tonearm-Deduplicated"] = "true" if upload.deduplicated else "false"
        headers.update(extra)
        return headers

    def check_version(value: str | None) -> None:
        if value != tus.VERSION:
            raise PreconditionFailed(
                f"This server speaks tus {tus.VERSION}; send Tus-Resumable: {tus.VERSION}.",
                code="tus-version",
            )

    @router.options("/api/uploads", status_code=204, response_class=Response,
                    summary="tus capabilities")
    async def tus_options() -> Response:
        return Response(status_code=204, headers={
            **TUS_HEADERS,
            "Tus-Version": tus.VERSION,
            "Tus-Extension": tus.EXTENSIONS,
            "Tus-Max-Size": str(max_upload_bytes),
            "Tus-Checksum-Algorithm": ",".join(tus.CHECKSUM_ALGORITHMS),
        })

    @router.post("/api/uploads", status_code=201, response_class=Response,
                 summary="tus: create an upload (creation, creation-with-upload)")
    async def tus_create(
        request: Request,
        upload_length: Annotated[str | None, Header()] = None,
        upload_metadata: Annotated[str | None, Header()] = None,
        tus_resumable: Annotated[str | None, Header()] = None,
    ) -> Response:
        check_version(tus_resumable)
        if request.headers.get("upload-defer-length"):
            raise BadRequest("Deferred upload length is not supported; send Upload-Length.")
        length = tus.parse_int_header("Upload-Length", upload_length)
        metadata = tus.parse_metadata(upload_metadata)

        def create() -> Upload:
            with uows() as uow:
                return uploads.create(uow, length, metadata)

        upload = await run_in_threadpool(create)
        location = f"/api/uploads/{upload.id}"
        if request.headers.get("content-type") == tus.PATCH_CONTENT_TYPE:
            upload, _ = await _append(request, upload, 0, None)
        return Response(status_code=201, headers=tus_headers(upload, Location=location))

    async def _append(request: Request, upload: Upload, offset: int,
                      checksum: tuple[Any, bytes] | None) -> tuple[Upload, TrackOut | None]:
        append = await run_in_threadpool(uploads.begin, upload, offset, checksum)
        complete = await _pump(request.stream(), append)

        def commit() -> tuple[Upload, TrackOut | None]:
            with uows() as uow:
                saved = uploads.commit(uow, append, complete_body=complete)
            if saved.offset < saved.length:
                return saved, None
            _, out = store(uploads.staged(saved), saved.id)
            saved.track_id = out.id
            saved.deduplicated = bool(out.deduplicated)
            return saved, out

        return await run_in_threadpool(commit)

    @router.head("/api/uploads/{upload_id}", response_class=Response,
                 summary="tus: the server's offset")
    async def tus_head(upload_id: UploadIdPath, tus_resumable: Annotated[str | None, Header()] = None
                       ) -> Response:
        check_version(tus_resumable)
        upload = await run_in_threadpool(_load, upload_id)
        headers = tus_headers(upload)
        if upload.meta:
            headers["Upload-Metadata"] = _encode_metadata(upload.meta)
        return Response(status_code=200, headers=headers)

    @router.patch("/api/uploads/{upload_id}", status_code=204, response_class=Response,
                  summary="tus: append bytes at the server's offset")
    async def tus_patch(
        upload_id: UploadIdPath,
        request: Request,
        upload_offset: Annotated[str | None, Header()] = None,
        upload_checksum: Annotated[str | None, Header()] = None,
        tus_resumable: Annotated[str | None, Header()] = None,
        content_type: Annotated[str | None, Header()] = None,
    ) -> Response:
        check_version(tus_resumable)
        if content_type != tus.PATCH_CONTENT_TYPE:
            raise UnsupportedMedia(f"PATCH bodies must be {tus.PATCH_CONTENT_TYPE}.")
        offset = tus.parse_int_header("Upload-Offset", upload_offset)
        checksum = tus.parse_checksum(upload_checksum)
        upload = await run_in_threadpool(_load, upload_id)
        upload, _ = await _append(request, upload, offset, checksum)
        return Response(status_code=204, headers=tus_headers(upload))

    @router.delete("/api/uploads/{upload_id}", status_code=204, response_class=Response,
                   summary="tus: cancel an upload (termination)")
    async def tus_delete(upload_id: UploadIdPath, tus_resumable: Annotated[str | None, Header()] = None
                         ) -> Response:
        check_version(tus_resumable)

        def terminate() -> None:
            with uows() as uow:
                uploads.terminate(uow, upload_id)

        await run_in_threadpool(terminate)
        return Response(status_code=204, headers=TUS_HEADERS)

    @router.get("/api/uploads/{upload_id}", summary="An upload's state as JSON")
    async def upload_state(upload_id: UploadIdPath) -> UploadOut:
        upload = await run_in_threadpool(_load, upload_id)
        return UploadOut(
            id=upload.id, offset=upload.offset, length=upload.length, filename=upload.filename,
            track_id=upload.track_id, deduplicated=upload.deduplicated,
            expires_at=upload.expires_at.isoformat(),
        )

    def _load(upload_id: str) -> Upload:
        with uows.read() as session:
            return uploads.get(session, upload_id)

    return router


async def _pump(body: AsyncIterator[bytes], append: Append) -> bool:
    """Copy the request body into the upload; False if the client went away mid-body."""
    try:
        async for chunk in body:
            if chunk:
                append.write(chunk)
    except ClientDisconnect:
        return False
    except BaseException:
        append.writer.close()
        raise
    return True


def _encode_metadata(meta: dict[str, Any]) -> str:
    return ",".join(
        f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in meta.items()
    )
