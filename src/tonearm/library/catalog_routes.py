"""Artists, albums, genres, covers and likes over HTTP."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import TooLarge, UnsupportedMedia
from tonearm.library.browse import AlbumQuery, CatalogService, CoverFile
from tonearm.library.likes import LikeService
from tonearm.library.schemas import (
    AlbumDetail,
    AlbumPage,
    ArtistDetail,
    ArtistPage,
    GenreOut,
    LikePage,
    Order,
)
from tonearm.models import LikeKind, Scope
from tonearm.types import AlbumId, ArtistId

IdPath = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
SizePath = Annotated[int, Path(ge=1, le=4096)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
# The same caching as a track's artwork: per viewer, since access is checked per request.
COVER_CACHE = "private, max-age=86400"
MAX_COVER_BYTES = 10 * 1024 * 1024
_IMAGE = {"content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}}
_COVER_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The picture", **_IMAGE},
    304: {"description": "Not modified (If-None-Match)"},
}


def build_router(
    uows: UnitOfWorkFactory, catalog: CatalogService, likes: LikeService, deps: Deps
) -> APIRouter:
    router = APIRouter(tags=["library"])
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806

    def read(fn: Any, *args: Any) -> Any:
        with uows.read() as session:
            return fn(session, *args)

    def cover_response(request: Request, cover: CoverFile) -> Response:
        headers = {"etag": cover.etag, "cache-control": COVER_CACHE}
        inm = request.headers.get("if-none-match")
        if inm is not None and etag_matches(inm, cover.etag):
            return Response(status_code=304, headers=headers)
        return Response(cover.body, media_type=cover.media_type, headers=headers)

    # -- artists ---------------------------------------------------------------------

    @router.get("/api/artists", summary="Artists with at least one track the viewer may list")
    async def list_artists(
        viewer: Reader,
        sort: Literal["name", "added"] = "name",
        order: Order = "asc",
        offset: Offset = 0,
        limit: Limit = 100,
    ) -> ArtistPage:
        def go() -> ArtistPage:
            with uows.read() as session:
                return catalog.artists(
                    session, viewer, sort=sort, order=order, offset=offset, limit=limit
                )

        return await run_in_threadpool(go)

    @router.get("/api/artists/{artist_id}", summary="An artist, its albums and appearances")
    async def get_artist(viewer: Reader, artist_id: IdPath) -> ArtistDetail:
        result: ArtistDetail = await run_in_threadpool(
            read, catalog.artist_detail, viewer, ArtistId(artist_id)
        )
        return result

    @router.get(
        "/api/artists/{artist_id}/cover/{size}.webp",
        summary="The cover of the artist's first album that has one",
        response_class=Response,
        responses=_COVER_RESPONSES,
    )
    async def artist_cover(
        viewer: Reader, artist_id: IdPath, size: SizePath, request: Request
    ) -> Response:
        cover = await run_in_threadpool(
            read, catalog.artist_cover, viewer, ArtistId(artist_id), size
        )
        return cover_response(request, cover)

    _album_routes(router, uows, catalog, deps, read, cover_response)
    _like_routes(router, uows, likes, deps)
    return router


def _album_routes(
    router: APIRouter,
    uows: UnitOfWorkFactory,
    catalog: CatalogService,
    deps: Deps,
    read: Callable[..., Any],
    cover_response: Callable[[Request, CoverFile], Response],
) -> None:
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Editor = Annotated[Viewer, Depends(deps.scoped(Scope.LIBRARY))]  # noqa: N806

    @router.get("/api/albums", summary="Albums with at least one track the viewer may list")
    async def list_albums(
        viewer: Reader,
        sort: Literal["added", "name", "year", "artist"] = "added",
        order: Order = "desc",
        offset: Offset = 0,
        limit: Limit = 100,
        artist_id: Annotated[
            str | None, Query(max_length=32, description="Albums this artist owns.")
        ] = None,
        genre: Annotated[str | None, Query(max_length=200)] = None,
    ) -> AlbumPage:
        query = AlbumQuery(
            sort=sort, order=order, offset=offset, limit=limit, artist_id=artist_id, genre=genre
        )
        result: AlbumPage = await run_in_threadpool(read, catalog.albums, viewer, query)
        return result

    @router.get("/api/albums/{album_id}", summary="An album and its tracks in disc/track order")
    async def get_album(viewer: Reader, album_id: IdPath) -> AlbumDetail:
        result: AlbumDetail = await run_in_threadpool(
            read, catalog.album_detail, viewer, AlbumId(album_id)
        )
        return result

    @router.get(
        "/api/albums/{album_id}/cover/{size}.webp",
        summary="The album's cover scaled to one of the listed sizes",
        response_class=Response,
        responses=_COVER_RESPONSES,
    )
    async def album_cover(
        viewer: Reader, album_id: IdPath, size: SizePath, request: Request
    ) -> Response:
        cover = await run_in_threadpool(read, catalog.album_cover, viewer, AlbumId(album_id), size)
        return cover_response(request, cover)

    @router.get(
        "/api/albums/{album_id}/cover/original",
        summary="The album's cover as uploaded or embedded",
        response_class=Response,
        responses=_COVER_RESPONSES,
    )
    async def album_cover_original(viewer: Reader, album_id: IdPath, request: Request) -> Response:
        cover = await run_in_threadpool(read, catalog.album_cover, viewer, AlbumId(album_id), None)
        return cover_response(request, cover)

    @router.put(
        "/api/albums/{album_id}/cover",
        status_code=204,
        response_class=Response,
        summary="Set the album's cover (owners of one of its tracks): the image as the "
        "body, or a multipart field 'file'",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "image/*": {"schema": {"type": "string", "format": "binary"}},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {"file": {"type": "string", "format": "binary"}},
                            "required": ["file"],
                        }
                    },
                },
            }
        },
    )
    async def put_album_cover(viewer: Editor, album_id: IdPath, request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_COVER_BYTES + 4096:
            raise TooLarge("A cover can be at most 10 MB.")
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=4)
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise UnsupportedMedia("Send the picture as the multipart field 'file'.")
            data = await upload.read(MAX_COVER_BYTES + 1)
        else:
            data = b""
            async for chunk in request.stream():
                data += chunk
                if len(data) > MAX_COVER_BYTES:
                    break
        if len(data) > MAX_COVER_BYTES:
            raise TooLarge("A cover can be at most 10 MB.")

        def go() -> None:
            with uows() as uow:
                catalog.set_cover(uow, viewer, AlbumId(album_id), data)

        await run_in_threadpool(go)
        return Response(status_code=204)

    @router.delete(
        "/api/albums/{album_id}/cover",
        status_code=204,
        response_class=Response,
        summary="Remove the album's own cover (its tracks' art shows again)",
    )
    async def delete_album_cover(viewer: Editor, album_id: IdPath) -> Response:
        def go() -> None:
            with uows() as uow:
                catalog.set_cover(uow, viewer, AlbumId(album_id), None)

        await run_in_threadpool(go)
        return Response(status_code=204)

    # -- genres ----------------------------------------------------------------------

    @router.get("/api/genres", summary="Genres of the tracks the viewer may list")
    async def list_genres(viewer: Reader) -> list[GenreOut]:
        result: list[GenreOut] = await run_in_threadpool(read, catalog.genres, viewer)
        return result


def _like_routes(
    router: APIRouter, uows: UnitOfWorkFactory, likes: LikeService, deps: Deps
) -> None:
    Member = Annotated[Viewer, Depends(deps.member)]  # noqa: N806

    @router.get("/api/likes", summary="What the viewer likes of one kind, most recent first")
    async def list_likes(
        viewer: Member, kind: LikeKind, offset: Offset = 0, limit: Limit = 100
    ) -> LikePage:
        def go() -> LikePage:
            with uows.read() as session:
                return likes.page(session, viewer, kind, offset=offset, limit=limit)

        return await run_in_threadpool(go)

    @router.put(
        "/api/likes/{kind}/{subject_id}",
        status_code=204,
        response_class=Response,
        summary="Like a track, album, artist or playlist (one the viewer may see)",
    )
    async def like(viewer: Member, kind: LikeKind, subject_id: IdPath) -> Response:
        def go() -> None:
            with uows() as uow:
                likes.like(uow, viewer, kind, subject_id)

        await run_in_threadpool(go)
        return Response(status_code=204)

    @router.delete(
        "/api/likes/{kind}/{subject_id}",
        status_code=204,
        response_class=Response,
        summary="Stop liking it",
    )
    async def unlike(viewer: Member, kind: LikeKind, subject_id: IdPath) -> Response:
        def go() -> None:
            with uows() as uow:
                likes.unlike(uow, viewer, kind, subject_id)

        await run_in_threadpool(go)
        return Response(status_code=204)


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2): "*" or any listed tag."""
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))
