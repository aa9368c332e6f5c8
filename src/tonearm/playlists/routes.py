"""Playlists over HTTP: thin routes over the playlist services."""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

import re
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor

from tonearm.accounts.auth import Deps
from tonearm.accounts.principal import Viewer
from tonearm.blobs.images import ImageService
from tonearm.db.unit_of_work import UnitOfWorkFactory
from tonearm.errors import BadRequest, TooLarge
from tonearm.models import Scope
from tonearm.playlists import schemas
from tonearm.playlists.items import ItemService
from tonearm.playlists.service import PlaylistService
from tonearm.playlists.sharing import SharingService
from tonearm.playlists.transfer import MAX_IMPORT_BYTES, MIME, TransferService

Id = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
PlaylistIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
Code = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=500)]


@dataclass(frozen=True)
class PlaylistServices:
    playlists: PlaylistService
    items: ItemService
    sharing: SharingService
    transfer: TransferService
    images: ImageService


def _attachment(filename: str) -> str:
    """An ASCII name for old clients and the real one (RFC 6266, RFC 8187)."""
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


class PlaylistIdConvertor(Convertor[str]):
    """Playlist ids are 16 hex digits: so ``/api/playlists/import`` and ``/join/...``
    are never taken for a playlist's path (nor advertised as allowing its methods)."""

    regex = "[0-9a-f]{16}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("playlist_id", PlaylistIdConvertor())


def _out(
    uows: UnitOfWorkFactory, s: PlaylistServices, viewer: Viewer, playlist_id: str
) -> schemas.PlaylistOut:
    with uows.read() as session:
        return s.playlists.get(session, viewer, playlist_id)


def build_router(uows: UnitOfWorkFactory, s: PlaylistServices, deps: Deps) -> APIRouter:
    router = APIRouter(prefix="/api/playlists", tags=["playlists"])
    for add in (_playlist_routes, _item_routes, _sharing_routes, _file_routes):
        add(router, uows, s, deps)
    return router


def _playlist_routes(
    router: APIRouter, uows: UnitOfWorkFactory, s: PlaylistServices, deps: Deps
) -> None:
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Editor = Annotated[Viewer, Depends(deps.scoped(Scope.LIBRARY))]  # noqa: N806

    def _page(viewer: Viewer, mine: bool, offset: int, limit: int) -> schemas.PlaylistPage:
        with uows.read() as session:
            return s.playlists.page(session, viewer, mine=mine, offset=offset, limit=limit)

    def _create(viewer: Viewer, new: schemas.PlaylistCreate) -> schemas.PlaylistOut:
        with uows() as uow:
            playlist_id = s.playlists.create(uow, viewer, new).id
        return _out(uows, s, viewer, playlist_id)

    def _update(
        viewer: Viewer, playlist_id: str, change: schemas.PlaylistPatch
    ) -> schemas.PlaylistOut:
        with uows() as uow:
            s.playlists.update(uow, viewer, playlist_id, change)
        return _out(uows, s, viewer, playlist_id)

    def _delete(viewer: Viewer, playlist_id: str) -> None:
        with uows() as uow:
            s.playlists.delete(uow, viewer, playlist_id)

    def _duplicate(viewer: Viewer, playlist_id: str) -> schemas.PlaylistOut:
        with uows() as uow:
            copy_id = s.playlists.duplicate(uow, viewer, playlist_id).id
        return _out(uows, s, viewer, copy_id)

    @router.get("", summary="Playlists: the viewer's own, shared with them, and public ones")
    async def list_playlists(
        viewer: Reader,
        offset: Offset = 0,
        limit: Limit = 100,
        mine: Annotated[bool, Query(description="Only own and shared-with-me.")] = False,
    ) -> schemas.PlaylistPage:
        return await run_in_threadpool(_page, viewer, mine, offset, limit)

    @router.post("", status_code=201, summary="Create a playlist (with rules: a smart one)")
    async def create_playlist(viewer: Editor, new: schemas.PlaylistCreate) -> schemas.PlaylistOut:
        return await run_in_threadpool(_create, viewer, new)

    @router.get("/{playlist_id:playlist_id}", summary="One playlist")
    async def get_playlist(viewer: Reader, playlist_id: PlaylistIdPath) -> schemas.PlaylistOut:
        return await run_in_threadpool(_out, uows, s, viewer, playlist_id)

    @router.patch(
        "/{playlist_id:playlist_id}", summary="Rename, describe; owner: visibility and rules"
    )
    async def update_playlist(
        viewer: Editor, playlist_id: PlaylistIdPath, change: schemas.PlaylistPatch
    ) -> schemas.PlaylistOut:
        return await run_in_threadpool(_update, viewer, playlist_id, change)

    @router.delete(
        "/{playlist_id:playlist_id}",
        status_code=204,
        response_class=Response,
        summary="Delete a playlist",
    )
    async def delete_playlist(viewer: Editor, playlist_id: PlaylistIdPath) -> Response:
        await run_in_threadpool(_delete, viewer, playlist_id)
        return Response(status_code=204)

    @router.post("/{playlist_id:playlist_id}/duplicate", status_code=201, summary="A private copy")
    async def duplicate_playlist(
        viewer: Editor, playlist_id: PlaylistIdPath
    ) -> schemas.PlaylistOut:
        return await run_in_threadpool(_duplicate, viewer, playlist_id)


def _item_routes(
    router: APIRouter, uows: UnitOfWorkFactory, s: PlaylistServices, deps: Deps
) -> None:
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Editor = Annotated[Viewer, Depends(deps.scoped(Scope.LIBRARY))]  # noqa: N806

    def _items(viewer: Viewer, playlist_id: str, offset: int, limit: int) -> schemas.ItemPage:
        with uows.read() as session:
            return s.items.page(session, viewer, playlist_id, offset=offset, limit=limit)

    def _add(viewer: Viewer, playlist_id: str, body: schemas.ItemsAdd) -> schemas.ItemsAdded:
        at_end = "after_item_id" not in body.model_fields_set
        with uows() as uow:
            return s.items.add(
                uow, viewer, playlist_id, body.track_ids, after=body.after_item_id, at_end=at_end
            )

    def _remove(viewer: Viewer, playlist_id: str, body: schemas.ItemsRemove) -> schemas.Version:
        with uows() as uow:
            return s.items.remove(uow, viewer, playlist_id, body.item_ids)

    def _move(
        viewer: Viewer, playlist_id: str, item_id: str, after: str | None
    ) -> schemas.ItemMoved:
        with uows() as uow:
            return s.items.move(uow, viewer, playlist_id, item_id, after)

    @router.get("/{playlist_id:playlist_id}/items", summary="Items in order (smart: evaluated now)")
    async def list_items(
        viewer: Reader, playlist_id: PlaylistIdPath, offset: Offset = 0, limit: Limit = 100
    ) -> schemas.ItemPage:
        return await run_in_threadpool(_items, viewer, playlist_id, offset, limit)

    @router.post(
        "/{playlist_id:playlist_id}/items",
        summary="Add tracks after an item (null: at the start; left out: at the end)",
    )
    async def add_items(
        viewer: Editor, playlist_id: PlaylistIdPath, body: schemas.ItemsAdd
    ) -> schemas.ItemsAdded:
        return await run_in_threadpool(_add, viewer, playlist_id, body)

    @router.delete("/{playlist_id:playlist_id}/items", summary="Remove items")
    async def remove_items(
        viewer: Editor, playlist_id: PlaylistIdPath, body: schemas.ItemsRemove
    ) -> schemas.Version:
        return await run_in_threadpool(_remove, viewer, playlist_id, body)

    @router.post(
        "/{playlist_id:playlist_id}/items/{item_id}/move",
        summary="Move an item after another (null: first); 409 if either is gone",
    )
    async def move_item(
        viewer: Editor, playlist_id: PlaylistIdPath, item_id: Id, body: schemas.ItemMove
    ) -> schemas.ItemMoved:
        return await run_in_threadpool(_move, viewer, playlist_id, item_id, body.after_item_id)


def _sharing_routes(
    router: APIRouter, uows: UnitOfWorkFactory, s: PlaylistServices, deps: Deps
) -> None:
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Member = Annotated[Viewer, Depends(deps.member)]  # noqa: N806
    Editor = Annotated[Viewer, Depends(deps.scoped(Scope.LIBRARY))]  # noqa: N806

    def _collaborators(viewer: Viewer, playlist_id: str) -> list[schemas.CollaboratorOut]:
        with uows.read() as session:
            return s.sharing.list(session, viewer, playlist_id)

    def _add_collaborator(
        viewer: Viewer, playlist_id: str, new: schemas.CollaboratorIn
    ) -> schemas.CollaboratorOut:
        with uows() as uow:
            return s.sharing.add(uow, viewer, playlist_id, new)

    def _remove_collaborator(viewer: Viewer, playlist_id: str, user_id: str) -> None:
        with uows() as uow:
            s.sharing.remove(uow, viewer, playlist_id, user_id)

    def _invite(
        viewer: Viewer, playlist_id: str, new: schemas.PlaylistInviteIn
    ) -> schemas.PlaylistInviteOut:
        with uows() as uow:
            return s.sharing.invite(uow, viewer, playlist_id, new)

    def _join(viewer: Viewer, code: str) -> schemas.PlaylistOut:
        with uows() as uow:
            playlist_id = s.sharing.join(uow, viewer, code).id
        return _out(uows, s, viewer, playlist_id)

    @router.get("/{playlist_id:playlist_id}/collaborators", summary="Collaborators and their roles")
    async def list_collaborators(
        viewer: Reader, playlist_id: PlaylistIdPath
    ) -> list[schemas.CollaboratorOut]:
        return await run_in_threadpool(_collaborators, viewer, playlist_id)

    @router.post(
        "/{playlist_id:playlist_id}/collaborators",
        status_code=201,
        summary="Add a collaborator by username (or change their role); owner only",
    )
    async def add_collaborator(
        viewer: Editor, playlist_id: PlaylistIdPath, new: schemas.CollaboratorIn
    ) -> schemas.CollaboratorOut:
        return await run_in_threadpool(_add_collaborator, viewer, playlist_id, new)

    @router.delete(
        "/{playlist_id:playlist_id}/collaborators/{collaborator_id}",
        status_code=204,
        response_class=Response,
        summary="Remove a collaborator (owner), or leave (the collaborator)",
    )
    async def remove_collaborator(
        viewer: Member, playlist_id: PlaylistIdPath, collaborator_id: Id
    ) -> Response:
        await run_in_threadpool(_remove_collaborator, viewer, playlist_id, collaborator_id)
        return Response(status_code=204)

    @router.post(
        "/{playlist_id:playlist_id}/invites",
        status_code=201,
        summary="An invite link (the code is shown once); owner only",
    )
    async def create_invite(
        viewer: Editor, playlist_id: PlaylistIdPath, new: schemas.PlaylistInviteIn
    ) -> schemas.PlaylistInviteOut:
        return await run_in_threadpool(_invite, viewer, playlist_id, new)

    @router.post("/join/{code}", summary="Join a playlist through an invite link")
    async def join_playlist(viewer: Member, code: Code) -> schemas.PlaylistOut:
        return await run_in_threadpool(_join, viewer, code)


def _file_routes(
    router: APIRouter, uows: UnitOfWorkFactory, s: PlaylistServices, deps: Deps
) -> None:
    Reader = Annotated[Viewer, Depends(deps.reader)]  # noqa: N806
    Editor = Annotated[Viewer, Depends(deps.scoped(Scope.LIBRARY))]  # noqa: N806

    def _export(viewer: Viewer, playlist_id: str, fmt: str, base_url: str) -> tuple[str, str]:
        with uows.read() as session:
            return s.transfer.export(session, viewer, playlist_id, fmt, base_url)

    def _import(viewer: Viewer, data: bytes, fmt: str | None, name: str | None) -> schemas.Imported:
        with uows() as uow:
            playlist, unmatched = s.transfer.import_(uow, viewer, data, fmt, name)
            playlist_id = playlist.id
        return schemas.Imported(playlist=_out(uows, s, viewer, playlist_id), unmatched=unmatched)

    def _cover(viewer: Viewer, playlist_id: str, size: int) -> tuple[bytes, str]:
        with uows.read() as session:
            image = s.playlists.cover(session, viewer, playlist_id)
        return s.images.read(image, size)

    @router.get(
        "/{playlist_id:playlist_id}/export",
        response_class=Response,
        summary="The playlist as an M3U8 or XSPF file",
        responses={200: {"content": {MIME["m3u8"]: {}, MIME["xspf"]: {}}}},
    )
    async def export_playlist(
        viewer: Reader,
        playlist_id: PlaylistIdPath,
        request: Request,
        format: Literal["m3u8", "xspf"] = "m3u8",
    ) -> Response:
        text, filename = await run_in_threadpool(
            _export, viewer, playlist_id, format, str(request.base_url)
        )
        return Response(
            text.encode(),
            media_type=MIME[format],
            headers={"content-disposition": _attachment(filename)},
        )

    @router.post(
        "/import",
        status_code=201,
        summary="Make a playlist from an M3U8 or XSPF file (the request body, 1 MB at most)",
        openapi_extra={
            "requestBody": {
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
                "required": True,
            }
        },
    )
    async def import_playlist(
        viewer: Editor,
        request: Request,
        format: Literal["m3u8", "xspf"] | None = None,
        name: Annotated[str | None, Query(max_length=200)] = None,
    ) -> schemas.Imported:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_IMPORT_BYTES:
                raise TooLarge("A playlist file may be at most 1 MB.")
        if not body:
            raise BadRequest("Send the playlist file (M3U8 or XSPF) as the request body.")
        return await run_in_threadpool(_import, viewer, bytes(body), format, name)

    @router.get(
        "/{playlist_id:playlist_id}/cover/{size}.webp",
        response_class=Response,
        summary="The playlist's cover (a collage of its first pictures)",
        responses={200: {"content": {"image/webp": {}}}},
    )
    async def playlist_cover(
        viewer: Reader, playlist_id: PlaylistIdPath, size: Annotated[int, Path(ge=16, le=2048)]
    ) -> Response:
        data, mime = await run_in_threadpool(_cover, viewer, playlist_id, size)
        return Response(data, media_type=mime, headers={"cache-control": "private, max-age=3600"})
