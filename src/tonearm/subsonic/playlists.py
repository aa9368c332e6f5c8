"""Playlist methods: getPlaylists, getPlaylist, createPlaylist, updatePlaylist,
deletePlaylist, over the page's playlists (``playlists/``: rights decided there).

A playlist is listed to the viewer as on the page: their own, those shared with them
and others' public ones. ``public`` maps to the page's public visibility (false makes a
public playlist private; an unlisted one stays unlisted). Smart playlists are filled
by their rules, which Subsonic has no word for: through this API they are read-only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Invalid
from tonearm.models import Playlist, PlaylistKind, Visibility
from tonearm.playlists.repository import PlaylistRepository
from tonearm.playlists.schemas import PlaylistCreate, PlaylistOut, PlaylistPatch
from tonearm.subsonic import mapping
from tonearm.subsonic.protocol import Call, Code, Handler, Payload, SubsonicError, iso

SMART = "A smart playlist is filled by its rules: change it in tonearm's page."
MAX_ITEMS = 100_000


def playlist_out(p: PlaylistOut) -> dict[str, Any]:
    return {
        "id": mapping.playlist_id(p.id),
        "name": p.name,
        "comment": p.description or None,
        "owner": p.owner_name or "",
        "public": p.visibility == Visibility.PUBLIC,
        "songCount": p.item_count,
        "duration": round(p.duration),
        "created": iso(p.created_at),
        "changed": iso(p.updated_at),
        "coverArt": mapping.cover_id("playlist", p.id) if p.cover else None,
        "readonly": p.kind == "smart" or p.role not in ("owner", "admin", "editor"),
    }


class PlaylistMethods:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._accounts = c.accounts.service
        self._playlists = c.playlists.service
        self._items = c.playlists.items

    def get_playlists(self, call: Call) -> Payload:
        viewer = call.viewer
        username = call.params.get("username")
        with self._uows.read() as session:
            if username and username.casefold() != call.username.casefold():
                if not viewer.is_admin:
                    raise SubsonicError(
                        Code.NOT_AUTHORIZED, "Only admins may list another user's playlists."
                    )
                owner = self._accounts.user_by_name(session, username)
                repo = PlaylistRepository(session)
                rows = repo.page(Playlist.owner_id == owner.id, 0, MAX_ITEMS)
                outs = self._playlists.describe_listed(session, viewer, rows)
            else:
                outs = self._playlists.page(
                    session, viewer, mine=False, offset=0, limit=MAX_ITEMS
                ).items
        return {"playlists": {"playlist": [playlist_out(p) for p in outs]}}

    def get_playlist(self, call: Call) -> Payload:
        pid = mapping.parse(call.params.required("id"), "playlist")
        with self._uows.read() as session:
            return {"playlist": self._full(session, call.viewer, pid)}

    def _full(self, session: Session, viewer: Viewer, pid: str) -> dict[str, Any]:
        out = self._playlists.get(session, viewer, pid)
        page = self._items.page(session, viewer, pid, offset=0, limit=MAX_ITEMS)
        entries = mapping.songs(session, viewer.user_id, [i.track for i in page.items])
        return {**playlist_out(out), "entry": entries}

    def create_playlist(self, call: Call) -> Payload:
        params = call.params
        songs = [mapping.parse(s, "song") for s in params.all("songId")]
        existing = params.get("playlistId")
        viewer = call.viewer
        with self._uows() as uow:
            if existing:
                pid = mapping.parse(existing, "playlist")
                self._replace(uow, viewer, pid, songs, params.get("name"))
            else:
                name = params.required("name")
                pid = self._playlists.create(uow, viewer, PlaylistCreate(name=name[:200])).id
                if songs:
                    self._items.add(uow, viewer, pid, songs, after=None, at_end=True)
            return {"playlist": self._full(uow.session, viewer, pid)}

    def _static(self, uow: UnitOfWork, viewer: Viewer, pid: str) -> Playlist:
        playlist = self._playlists.editable(uow.session, viewer, pid).playlist
        if playlist.kind == PlaylistKind.SMART:
            raise SubsonicError(Code.NOT_AUTHORIZED, SMART)
        return playlist

    def _replace(
        self, uow: UnitOfWork, viewer: Viewer, pid: str, songs: list[str], name: str | None
    ) -> None:
        playlist = self._static(uow, viewer, pid)
        if name:
            self._playlists.update(uow, viewer, pid, PlaylistPatch(name=name[:200]))
        items = [str(i.id) for i in PlaylistRepository(uow.session).all_items(playlist.id)]
        if items:
            self._items.remove(uow, viewer, pid, items)
        if songs:
            self._items.add(uow, viewer, pid, songs, after=None, at_end=True)

    def update_playlist(self, call: Call) -> Payload:
        params = call.params
        pid = mapping.parse(params.required("playlistId"), "playlist")
        adds = [mapping.parse(s, "song") for s in params.all("songIdToAdd")]
        removes = sorted({params_index(v) for v in params.all("songIndexToRemove")})
        viewer = call.viewer
        with self._uows() as uow:
            playlist = self._static(uow, viewer, pid)
            public = params.get("public")
            visibility = None
            if public is not None and public != "":
                if params.flag("public", False):
                    visibility = Visibility.PUBLIC
                elif playlist.visibility == Visibility.PUBLIC:
                    visibility = Visibility.PRIVATE
            name = params.get("name")
            patch = PlaylistPatch(
                name=name[:200] if name else None,
                description=params.get("comment"),
                visibility=visibility,
            )
            if patch.model_dump(exclude_none=True):
                self._playlists.update(uow, viewer, pid, patch)
            if removes:
                session = uow.session
                visible = self._playlists.access.viewable(viewer)
                rows = PlaylistRepository(session).items(playlist.id, visible, 0, MAX_ITEMS)
                if removes[-1] >= len(rows):
                    raise Invalid(f"songIndexToRemove must be below {len(rows)}.")
                self._items.remove(uow, viewer, pid, [rows[i][0].id for i in removes])
            if adds:
                self._items.add(uow, viewer, pid, adds, after=None, at_end=True)
        return {}

    def delete_playlist(self, call: Call) -> Payload:
        pid = mapping.parse(call.params.required("id"), "playlist")
        with self._uows() as uow:
            self._playlists.delete(uow, call.viewer, pid)
        return {}


def params_index(value: str) -> int:
    try:
        index = int(value.strip())
    except ValueError:
        raise SubsonicError(
            Code.MISSING_PARAMETER, f"songIndexToRemove must be a whole number, not {value!r}."
        ) from None
    if index < 0:
        raise SubsonicError(Code.MISSING_PARAMETER, "songIndexToRemove cannot be negative.")
    return index


def methods(c: Container) -> dict[str, Handler]:
    m = PlaylistMethods(c)
    return {
        "getPlaylists": m.get_playlists,
        "getPlaylist": m.get_playlist,
        "createPlaylist": m.create_playlist,
        "updatePlaylist": m.update_playlist,
        "deletePlaylist": m.delete_playlist,
    }
