"""Share methods: getShares, createShare, updateShare, deleteShare (``social/shares.py``).

``id`` names songs, or an album (``al-``) or playlist (``pl-``) that is expanded to
the tracks the sharer sees in it, in order. ``expires`` is milliseconds since 1970;
left out (or 0) a new share lasts ``subsonic.share_days`` and a changed one keeps its
expiry. The ``url`` opens ``/share/<secret>`` (``share_page.py``) for anyone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from tonearm.accounts.principal import Viewer
from tonearm.container import Container
from tonearm.models import Share
from tonearm.subsonic import mapping
from tonearm.subsonic.protocol import Call, Code, Handler, Payload, SubsonicError, iso
from tonearm.types import AlbumId

MAX_EXPIRES_MS = 253_402_300_799_000  # 9999-12-31: past it datetime cannot count
SHARE_PATH = "/share/"


class ShareMethods:
    def __init__(self, c: Container) -> None:
        self._uows = c.infra.uows
        self._shares = c.social.shares
        self._library = c.library
        self._catalog = c.catalog.service
        self._items = c.playlists.items
        self._public_url = c.settings.http.public_url

    def url(self, request: Request, share: Share) -> str:
        base = (self._public_url or str(request.base_url)).rstrip("/")
        return base + SHARE_PATH + self._shares.secret_of(share.id)

    def _out(self, session: Session, call: Call, share: Share, viewer: Viewer) -> dict[str, Any]:
        tracks = self._library.describe(session, viewer, self._shares.tracks(session, share))
        return {
            "id": mapping.wire_id("share", share.id),
            "url": self.url(call.request, share),
            "description": share.description,
            "username": call.username,
            "created": iso(share.created_at),
            "expires": iso(share.expires_at),
            "lastVisited": iso(share.last_visited_at),
            "visitCount": share.visit_count,
            "entry": mapping.songs(session, viewer.user_id, tracks),
        }

    def get_shares(self, call: Call) -> Payload:
        with self._uows.read() as session:
            shares = self._shares.of_owner(session, call.viewer)
            return {"shares": {"share": [self._out(session, call, s, call.viewer) for s in shares]}}

    def _tracks(self, session: Session, viewer: Viewer, wire: str) -> list[str]:
        kind = mapping.kind_of(wire)
        if kind == "song":
            return [mapping.parse(wire, "song")]
        if kind == "album":
            album = self._catalog.album_detail(session, viewer, AlbumId(mapping.parse(wire, kind)))
            return [t.id for t in album.tracks]
        if kind == "playlist":
            pid = mapping.parse(wire, kind)
            page = self._items.page(session, viewer, pid, offset=0, limit=100_000)
            return [i.track.id for i in page.items]
        raise SubsonicError(Code.NOT_FOUND, f"A share holds songs, albums or playlists: {wire!r}.")

    def create_share(self, call: Call) -> Payload:
        params = call.params
        wires = params.all("id")
        if not wires:
            params.required("id")
        viewer = call.viewer
        expires = _expiry(call)
        with self._uows() as uow:
            ids = [t for w in wires for t in self._tracks(uow.session, viewer, w)]
            share = self._shares.create(
                uow, viewer, ids, description=params.get("description"), expires_at=expires
            )
            return {"shares": {"share": [self._out(uow.session, call, share, viewer)]}}

    def update_share(self, call: Call) -> Payload:
        share_id = mapping.parse(call.params.required("id"), "share")
        expires = _expiry(call)
        with self._uows() as uow:
            self._shares.update(
                uow,
                call.viewer,
                share_id,
                description=call.params.get("description"),
                expires_at=expires,
                change_expiry=expires is not None,
            )
        return {}

    def delete_share(self, call: Call) -> Payload:
        share_id = mapping.parse(call.params.required("id"), "share")
        with self._uows() as uow:
            self._shares.delete(uow, call.viewer, share_id)
        return {}


def _expiry(call: Call) -> datetime | None:
    ms = call.params.integer("expires", 0, lo=0, hi=MAX_EXPIRES_MS)
    return datetime.fromtimestamp(ms / 1000, UTC) if ms else None


def methods(c: Container) -> dict[str, Handler]:
    m = ShareMethods(c)
    return {
        "getShares": m.get_shares,
        "createShare": m.create_share,
        "updateShare": m.update_share,
        "deleteShare": m.delete_share,
    }
