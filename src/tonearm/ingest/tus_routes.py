"""The tus 1.0 resumable upload protocol over HTTP (https://tus.io/protocols/resumable-upload)."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

import base64
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import (
    BadRequest,
    PreconditionFailed,
    TimedOut,
    UnsupportedMedia,
)
from tonearm.ingest import tus
from tonearm.ingest.bodies import batched, with_idle_timeout
from tonearm.ingest.service import IngestService
from tonearm.ingest.uploads import Append, UploadService
from tonearm.models import Scope, Upload, Visibility
from tonearm.types import UploadId, UserId

TUS_HEADERS = {"Tus-Resumable": tus.VERSION}
TusResumable = Annotated[
    str | None,
    Header(description="Required on every tus request: 1.0.0 (412 with Tus-Version otherwise)."),
]


class UploadOut(BaseModel):
    id: str
    offset: int
    length: int
    filename: str
    track_id: str | None
    deduplicated: bool
    expires_at: str


def build_router(
    *,
    uows: UnitOfWorkFactory,
    ingest: IngestService,
    uploads: UploadService,
    max_upload_bytes: int,
    idle_timeout_s: float,
    deps: Deps,
) -> APIRouter:
    router = APIRouter(tags=["upload"])
    Uploader = Annotated[Viewer, Depends(deps.scoped(Scope.UPLOAD))]  # noqa: N806
    appender = _Appender(uows, ingest, uploads, idle_timeout_s)
    load, append = appender.load, appender.append

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
        viewer: Uploader,
        request: Request,
        upload_length: Annotated[
            str | None, Header(description="Required: the file's size in bytes (400 without).")
        ] = None,
        upload_metadata: Annotated[str | None, Header()] = None,
        tus_resumable: TusResumable = None,
    ) -> Response:
        check_version(tus_resumable)
        if request.headers.get("upload-defer-length"):
            raise BadRequest("Deferred upload length is not supported; send Upload-Length.")
        length = tus.parse_int_header("Upload-Length", upload_length)
        metadata = tus.parse_metadata(upload_metadata)

        owner = viewer.require_user()
        upload = await run_in_threadpool(ingest.create_upload, owner, length, metadata)
        location = f"/api/uploads/{upload.id}"
        if request.headers.get("content-type") == tus.PATCH_CONTENT_TYPE:
            upload = await append(request, upload.id, owner, 0, None)
        return Response(status_code=201, headers=tus_headers(upload, Location=location))

    @router.head(
        "/api/uploads/{upload_id}", response_class=Response, summary="tus: the server's offset"
    )
    async def tus_head(
        viewer: Uploader, upload_id: str, tus_resumable: TusResumable = None
    ) -> Response:
        check_version(tus_resumable)
        upload = await run_in_threadpool(load, uploads.parse_id(upload_id), viewer.require_user())
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
        viewer: Uploader,
        upload_id: str,
        request: Request,
        upload_offset: Annotated[
            str | None,
            Header(description="Required: the server's offset, from HEAD (400 without)."),
        ] = None,
        upload_checksum: Annotated[str | None, Header()] = None,
        tus_resumable: TusResumable = None,
        content_type: Annotated[
            str | None,
            Header(description="Required: application/offset+octet-stream (415 otherwise)."),
        ] = None,
    ) -> Response:
        check_version(tus_resumable)
        uid = uploads.parse_id(upload_id)
        if content_type != tus.PATCH_CONTENT_TYPE:
            raise UnsupportedMedia(f"PATCH bodies must be {tus.PATCH_CONTENT_TYPE}.")
        offset = tus.parse_int_header("Upload-Offset", upload_offset)
        checksum = tus.parse_checksum(upload_checksum)
        upload = await append(request, uid, viewer.require_user(), offset, checksum)
        return Response(status_code=204, headers=tus_headers(upload))

    @router.delete(
        "/api/uploads/{upload_id}",
        status_code=204,
        response_class=Response,
        summary="tus: cancel an upload (termination)",
    )
    async def tus_delete(
        viewer: Uploader, upload_id: str, tus_resumable: TusResumable = None
    ) -> Response:
        check_version(tus_resumable)
        uid = uploads.parse_id(upload_id)

        def terminate() -> None:
            with uows() as uow:
                uploads.terminate(uow, uid, viewer.require_user())

        await run_in_threadpool(terminate)
        return Response(status_code=204, headers=TUS_HEADERS)

    @router.get("/api/uploads/{upload_id}", summary="An upload's state as JSON")
    async def upload_state(viewer: Uploader, upload_id: str) -> UploadOut:
        upload = await run_in_threadpool(load, uploads.parse_id(upload_id), viewer.require_user())
        return UploadOut(
            id=upload.id,
            offset=upload.offset,
            length=upload.length,
            filename=upload.filename,
            track_id=upload.track_id,
            deduplicated=upload.deduplicated,
            expires_at=upload.expires_at.isoformat(),
        )

    return router


class _Appender:
    """Loading and appending, shared by the routes (the lock rules are in ``uploads``)."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        ingest: IngestService,
        uploads: UploadService,
        idle_timeout_s: float,
    ) -> None:
        self.uows = uows
        self.ingest = ingest
        self.uploads = uploads
        self.idle_timeout_s = idle_timeout_s

    def load(self, upload_id: UploadId, owner_id: UserId) -> Upload:
        """The owner's upload; one left complete but unfinished by a crash is finished now.

        Anyone else's upload is not found: an upload URL works only for its creator.
        """
        with self.uows.read() as session:
            upload = self.uploads.get(session, upload_id, owner_id)
        if self.uploads.needs_finishing(upload) and self.ingest.finish_upload(upload_id):
            with self.uows.read() as session:
                upload = self.uploads.get(session, upload_id, owner_id)
        return upload

    async def append(
        self,
        request: Request,
        upload_id: UploadId,
        owner_id: UserId,
        offset: int,
        checksum: tuple[Any, bytes] | None,
    ) -> Upload:
        def begin() -> Append:
            with self.uows.read() as session:
                return self.uploads.begin(session, upload_id, owner_id, offset, checksum)

        pending = await run_in_threadpool(begin)
        try:
            complete, stalled = await _pump(
                with_idle_timeout(request.stream(), self.idle_timeout_s), pending
            )

            def commit() -> Upload:
                with self.uows() as uow:
                    saved = self.uploads.commit(uow, pending, complete_body=complete)
                if saved.offset < saved.length:
                    return saved
                # The last piece: finish while still holding the lock, so exactly one
                # request turns the upload into a track.
                accepted = self.ingest.finish(
                    self.uploads.staged(saved), owner_id, Visibility(saved.visibility), saved.id
                )
                saved.track_id = accepted.track_id
                saved.deduplicated = accepted.deduplicated
                return saved

            saved = await run_in_threadpool(commit)
        finally:
            await anyio.to_thread.run_sync(pending.release)
        if stalled is not None:
            raise stalled
        return saved


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


async def _pump(body: AsyncIterator[bytes], append: Append) -> tuple[bool, TimedOut | None]:
    """Copy the request body into the upload, a batch at a time in a worker thread.

    Returns (whether the whole body arrived, the stall to report after the bytes that
    did arrive are committed).
    """
    try:
        async for batch in batched(body):
            await anyio.to_thread.run_sync(append.write, batch)
    except ClientDisconnect:
        return False, None
    except TimedOut as exc:
        return False, exc
    return True, None


def _encode_metadata(meta: dict[str, Any]) -> str:
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in meta.items())
