"""Playlists and progressive files over HTTP (RFC 8216; RFC 9110 Range and conditionals).

Every route answers GET and HEAD. HEAD is registered as its own route, left out of
the OpenAPI document, so each operation keeps one id (OpenAPI readers take HEAD to
behave as GET).
"""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

import hashlib
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.library.routes import TrackIdPath
from tonearm.storage import BlobStore
from tonearm.streaming.file_response import RangedFileResponse, StoredObject
from tonearm.streaming.rfc9110 import etag_matches
from tonearm.streaming.service import StoredFile, StreamingService

M3U8 = "application/vnd.apple.mpegurl"
# A track id always names the same bytes, but a deleted track must not live on in caches.
# Access is checked per request: a shared cache must not answer for the next person.
FILE_CACHE = "private, max-age=86400"
T = TypeVar("T")

RungPath = Annotated[str, Path(max_length=16, pattern=r"^[A-Za-z0-9]+$")]


def _validators(
    if_none_match: Annotated[
        str | None,
        Header(
            alias="If-None-Match",
            description='Entity tags (weak comparison) or "*": 304 when one matches.',
        ),
    ] = None,
) -> None:
    """Only declares the header, for the OpenAPI document; responses read it."""


def _ranges(
    range_: Annotated[
        str | None,
        Header(
            alias="Range",
            description="One byte range (bytes=first-last, bytes=first-, bytes=-suffix). "
            "Anything else, several ranges included, is ignored: 200 with the whole file.",
        ),
    ] = None,
    if_range: Annotated[
        str | None,
        Header(
            alias="If-Range",
            description="Strong ETag or Last-Modified date that keeps the Range.",
        ),
    ] = None,
    if_modified_since: Annotated[
        str | None,
        Header(
            alias="If-Modified-Since",
            description="304 when the file is not newer (ignored with If-None-Match).",
        ),
    ] = None,
) -> None:
    """Only declares the headers, for the OpenAPI document; responses read them."""


_ETAG_HEADER = {"ETag": {"description": "Strong validator.", "schema": {"type": "string"}}}
_NOT_MODIFIED = {"description": "Not modified (If-None-Match or If-Modified-Since)"}


def _file_responses(media_type: str) -> dict[int | str, dict[str, Any]]:
    body = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {
        200: {"description": "The whole file", "content": body, "headers": _ETAG_HEADER},
        206: {
            "description": "The requested byte range",
            "content": body,
            "headers": {
                "Content-Range": {
                    "description": "bytes first-last/size",
                    "schema": {"type": "string", "pattern": r"^bytes \d+-\d+/\d+$"},
                }
            },
        },
        304: _NOT_MODIFIED,
        416: {
            "description": "The range starts past the end of the file",
            "headers": {
                "Content-Range": {
                    "description": "bytes */size",
                    "schema": {"type": "string", "pattern": r"^bytes \*/\d+$"},
                }
            },
        },
    }


_PLAYLIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The playlist",
        "content": {M3U8: {"schema": {"type": "string"}}},
        "headers": _ETAG_HEADER,
    },
    304: _NOT_MODIFIED,
}


def build_router(
    uows: UnitOfWorkFactory, streaming: StreamingService, store: BlobStore, deps: Deps
) -> APIRouter:
    router = APIRouter(prefix="/api/tracks", tags=["streaming"])
    # Every media route checks access for the viewer; playlists are signed for them.
    Listener = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806

    def read(fn: Callable[..., T], *args: object) -> T:
        with uows.read() as session:
            return fn(session, *args)

    def get_and_head(
        path: str,
        endpoint: Callable[..., Any],
        summary: str,
        responses: dict[int | str, dict[str, Any]],
        ranged: bool = True,
    ) -> None:
        declared = [Depends(_validators), *([Depends(_ranges)] if ranged else [])]
        common: dict[str, Any] = {"response_class": Response, "dependencies": declared}
        router.add_api_route(
            path, endpoint, methods=["GET"], summary=summary, responses=responses, **common
        )
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False, **common)

    async def master(viewer: Listener, track_id: TrackIdPath, request: Request) -> Response:
        text = await run_in_threadpool(read, streaming.master_playlist, viewer, track_id)
        return playlist_response(request, text, "private, max-age=10")

    async def variant(
        viewer: Listener, track_id: TrackIdPath, rung: RungPath, request: Request
    ) -> Response:
        text, final = await run_in_threadpool(
            read, streaming.variant_playlist, viewer, track_id, rung
        )
        # Segment links inside are signed for this viewer: never shared by caches.
        return playlist_response(request, text, "private, max-age=60" if final else "no-cache")

    async def send(request: Request, lookup: Callable[..., StoredFile], *args: object) -> Response:
        stored = await run_in_threadpool(read, lookup, *args)
        # The access check passed: the object store may serve the bytes itself.
        location = streaming.redirect(stored)
        if location is not None:
            return RedirectResponse(
                location, status_code=307, headers={"cache-control": "private, no-store"}
            )
        source = await run_in_threadpool(StoredObject, store, stored.key)
        return RangedFileResponse(
            source,
            method=request.method,
            request_headers=request.headers,
            media_type=stored.media_type,
            etag=stored.etag,
            cache_control=FILE_CACHE,
            download_name=stored.download_name,
        )

    async def mp3(viewer: Listener, track_id: TrackIdPath, request: Request) -> Response:
        return await send(request, streaming.mp3, viewer, track_id)

    async def original(viewer: Listener, track_id: TrackIdPath, request: Request) -> Response:
        return await send(request, streaming.original, viewer, track_id)

    async def waveform(viewer: Listener, track_id: TrackIdPath, request: Request) -> Response:
        return await send(request, streaming.waveform, viewer, track_id)

    async def artwork_original(
        viewer: Listener, track_id: TrackIdPath, request: Request
    ) -> Response:
        return await send(request, streaming.artwork, viewer, track_id, None)

    async def artwork_thumb(
        viewer: Listener, track_id: TrackIdPath, size: int, request: Request
    ) -> Response:
        return await send(request, streaming.artwork, viewer, track_id, size)

    get_and_head(
        "/{track_id}/hls/master.m3u8",
        master,
        "HLS master playlist",
        _PLAYLIST_RESPONSES,
        ranged=False,
    )
    get_and_head(
        "/{track_id}/hls/{rung}.m3u8",
        variant,
        "HLS variant playlist (EVENT while encoding, then VOD)",
        _PLAYLIST_RESPONSES,
        ranged=False,
    )
    get_and_head(
        "/{track_id}/stream.mp3",
        mp3,
        "Progressive MP3 (Range, If-Range, ETag)",
        _file_responses("audio/mpeg"),
    )
    get_and_head(
        "/{track_id}/original",
        original,
        "The uploaded file as it was (Range, If-Range, ETag, Last-Modified)",
        _file_responses("audio/*"),
    )
    get_and_head(
        "/{track_id}/waveform.json",
        waveform,
        "Waveform peaks (audiowaveform JSON v2)",
        _file_responses("application/json"),
    )
    get_and_head(
        "/{track_id}/artwork/original",
        artwork_original,
        "Cover art as embedded in the file",
        _file_responses("image/*"),
    )
    get_and_head(
        "/{track_id}/artwork/{size}.webp",
        artwork_thumb,
        "Cover art scaled to one of the sizes the track lists",
        _file_responses("image/webp"),
    )
    return router


def playlist_response(request: Request, text: str, cache: str) -> Response:
    """The playlist with an ETag of its text (it changes with each signing window)."""
    body = text.encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"etag": etag, "cache-control": cache}
    inm = request.headers.get("if-none-match")
    if inm is not None and etag_matches(inm, etag):
        return Response(status_code=304, headers=headers)
    response = Response(body, media_type=M3U8, headers=headers)
    if request.method == "HEAD":
        response.body = b""  # Content-Length still tells the playlist's length
    return response
