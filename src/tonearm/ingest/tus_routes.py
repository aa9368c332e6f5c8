"""The tus 1.0 resumable upload protocol over HTTP (https://tus.io/protocols/resumable-upload)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from tonearm.errors import BadRequest, PreconditionFailed, UnsupportedMedia
from tonearm.ingest import tus
from tonearm.ingest.uploads import Append
from tonearm.library.schemas import TrackOut
from tonearm.models import Upload

if TYPE_CHECKING:
    from tonearm.ingest.routes import IngestDeps

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


def build_router(deps: IngestDeps) -> APIRouter:
    router = APIRouter(tags=["upload"])
    uows, uploads, max_upload_bytes = deps.uows, deps.uploads, deps.max_upload_bytes

    @router.options(
        "/api/uploads", status_code=204, response_class=Response, summary="tus capabilities"
    )
    async def tus_options() -> Response:
        return Response(
            status_code=204,
            headers={
                **TUS_HEADERS,
                "Tus-Version": tus.VERSION,
                "Tus-Extension": tus.EXTENSIONS,
                "Tus-Max-Size": str(max_upload_bytes),
                "Tus-Checksum-Algorithm": ",".join(tus.CHECKSUM_ALGORITHMS),
            },
        )

    @router.post(
        "/api/uploads",
        status_code=201,
        response_class=Response,
        summary="tus: create an upload (creation, creation-with-upload)",
    )
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
            upload, _ = await _append(deps, request, upload, 0, None)
        return Response(status_code=201, headers=tus_headers(upload, Location=location))

    @router.head(
        "/api/uploads/{upload_id}", response_class=Response, summary="tus: the server's offset"
    )
    async def tus_head(
        upload_id: UploadIdPath, tus_resumable: Annotated[str | None, Header()] = None
    ) -> Response:
        check_version(tus_resumable)
        upload = await run_in_threadpool(_load, upload_id)
        headers = tus_headers(upload)
        if upload.meta:
            headers["Upload-Metadata"] = _encode_metadata(upload.meta)
        return Response(status_code=200, headers=headers)

    @router.patch(
        "/api/uploads/{upload_id}",
        status_code=204,
        response_class=Response,
        summary="tus: append bytes at the server's offset",
    )
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
        upload, _ = await _append(deps, request, upload, offset, checksum)
        return Response(status_code=204, headers=tus_headers(upload))

    @router.delete(
        "/api/uploads/{upload_id}",
        status_code=204,
        response_class=Response,
        summary="tus: cancel an upload (termination)",
    )
    async def tus_delete(
        upload_id: UploadIdPath, tus_resumable: Annotated[str | None, Header()] = None
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
            id=upload.id,
            offset=upload.offset,
            length=upload.length,
            filename=upload.filename,
            track_id=upload.track_id,
            deduplicated=upload.deduplicated,
            expires_at=upload.expires_at.isoformat(),
        )

    def _load(upload_id: str) -> Upload:
        with uows.read() as session:
            return uploads.get(session, upload_id)

    return router


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


async def _append(
    deps: IngestDeps,
    request: Request,
    upload: Upload,
    offset: int,
    checksum: tuple[Any, bytes] | None,
) -> tuple[Upload, TrackOut | None]:
    uows, uploads = deps.uows, deps.uploads
    append = await run_in_threadpool(uploads.begin, upload, offset, checksum)
    complete = await _pump(request.stream(), append)

    def commit() -> tuple[Upload, TrackOut | None]:
        with uows() as uow:
            saved = uploads.commit(uow, append, complete_body=complete)
        if saved.offset < saved.length:
            return saved, None
        out = deps.store(uploads.staged(saved), saved.id)
        saved.track_id = out.id
        saved.deduplicated = bool(out.deduplicated)
        return saved, out

    return await run_in_threadpool(commit)


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
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in meta.items())
