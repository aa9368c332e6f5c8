"""Playlists and progressive files over HTTP (RFC 8216, RFC 9110 Range/conditional)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.responses import FileResponse

from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import NotFound
from tonearm.library.routes import TrackIdPath
from tonearm.storage import BlobStore
from tonearm.streaming.service import StoredFile, StreamingService

M3U8 = "application/vnd.apple.mpegurl"
# A track id always names the same bytes, but a deleted track must not live on in caches.
FILE_CACHE = "public, max-age=86400"
T = TypeVar("T")


def build_router(
    uows: UnitOfWorkFactory, streaming: StreamingService, store: BlobStore
) -> APIRouter:
    router = APIRouter(prefix="/api/tracks", tags=["streaming"])

    def read(fn: Callable[..., T], *args: object) -> T:
        with uows.read() as session:
            return fn(session, *args)

    @router.api_route(
        methods=["GET", "HEAD"],
        path="/{track_id}/hls/master.m3u8",
        response_class=Response,
        summary="HLS master playlist",
    )
    async def master(track_id: TrackIdPath) -> Response:
        text = await run_in_threadpool(read, streaming.master_playlist, track_id)
        return Response(text, media_type=M3U8, headers={"cache-control": "public, max-age=10"})

    @router.api_route(
        methods=["GET", "HEAD"],
        path="/{track_id}/hls/{rung}.m3u8",
        response_class=Response,
        summary="HLS variant playlist (EVENT while encoding, then VOD)",
    )
    async def variant(
        track_id: TrackIdPath, rung: Annotated[str, Path(max_length=16, pattern=r"^[A-Za-z0-9]+$")]
    ) -> Response:
        text, final = await run_in_threadpool(read, streaming.variant_playlist, track_id, rung)
        cache = "public, max-age=60" if final else "no-cache"
        return Response(text, media_type=M3U8, headers={"cache-control": cache})

    async def send(
        request: Request,
        lookup: Callable[..., StoredFile],
        *args: object,
    ) -> Response:
        stored = await run_in_threadpool(read, lookup, *args)
        return await run_in_threadpool(file_response, store, stored, request, FILE_CACHE)

    @router.api_route(
        methods=["GET", "HEAD"],
        path="/{track_id}/stream.mp3",
        response_class=Response,
        summary="Progressive MP3 (Range, If-Range, ETag)",
    )
    async def mp3(track_id: TrackIdPath, request: Request) -> Response:
        return await send(request, streaming.mp3, track_id)

    @router.api_route(
        methods=["GET", "HEAD"],
        path="/{track_id}/original",
        response_class=Response,
        summary="The uploaded file as it was (Range, If-Range, ETag)",
    )
    async def original(track_id: TrackIdPath, request: Request) -> Response:
        return await send(request, streaming.original, track_id)

    @router.api_route(
        methods=["GET", "HEAD"],
        path="/{track_id}/waveform.json",
        response_class=Response,
        summary="Waveform peaks (audiowaveform JSON v2)",
    )
    async def waveform(track_id: TrackIdPath, request: Request) -> Response:
        return await send(request, streaming.waveform, track_id)

    @router.api_route(
        methods=["GET", "HEAD"], path="/{track_id}/artwork/original", response_class=Response
    )
    async def artwork_original(track_id: TrackIdPath, request: Request) -> Response:
        return await send(request, streaming.artwork, track_id, None)

    @router.api_route(
        methods=["GET", "HEAD"], path="/{track_id}/artwork/{size}.webp", response_class=Response
    )
    async def artwork_thumb(track_id: TrackIdPath, size: int, request: Request) -> Response:
        return await send(request, streaming.artwork, track_id, size)

    return router


def file_response(store: BlobStore, stored: StoredFile, request: Request, cache: str) -> Response:
    """Serve a stored object with ETag/304, and Range/If-Range where the store has a path."""
    headers = {"etag": stored.etag, "cache-control": cache}
    inm = request.headers.get("if-none-match")
    if inm and (inm.strip() == "*" or stored.etag in [t.strip() for t in inm.split(",")]):
        return Response(status_code=304, headers=headers)
    path = store.local_path(stored.key)
    if path is not None:
        if not path.is_file():
            raise NotFound("The file for this track is missing from storage.")
        return FileResponse(
            path,
            media_type=stored.media_type,
            headers=headers,
            filename=stored.download_name,
            content_disposition_type="inline",
        )
    return Response(store.read_bytes(stored.key), media_type=stored.media_type, headers=headers)
