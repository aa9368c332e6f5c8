"""Export to M3U8 or XSPF, and import from them.

An imported entry is matched, in this order, to a track the importer may see: by a
tonearm track URL or id (``#/tracks/<id>``, ``/api/tracks/<id>/...``, or the id as
identifier); else by artist and title (case-folded); else by file name. Entries that
match nothing are listed back; the rest make the new playlist, in file order.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import BadRequest
from tonearm.models import Blob, Playlist, Track
from tonearm.playlists import formats, schemas
from tonearm.playlists.items import ItemService
from tonearm.playlists.service import PlaylistService

MAX_IMPORT_BYTES = 1 << 20
_TRACK_URL = re.compile(r"(?:#/tracks/|/api/tracks/|^)([A-Za-z0-9_-]{6,32})(?:[/?#]|$)")
MIME = {"m3u8": "audio/x-mpegurl; charset=utf-8", "xspf": "application/xspf+xml"}


def _fold(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


class TransferService:
    def __init__(self, playlists: PlaylistService, items: ItemService) -> None:
        self._playlists = playlists
        self._items = items

    def export(
        self, session: Session, viewer: Viewer, playlist_id: str, fmt: str, base_url: str
    ) -> tuple[str, str]:
        """The file's text and a file name for it."""
        playlist = self._playlists.seen(session, viewer, playlist_id).playlist
        page = self._items.page(session, viewer, playlist.id, offset=0, limit=1_000_000)
        base = base_url.rstrip("/")
        rows = [
            formats.Entry(
                location=f"{base}/#/tracks/{item.track.id}",
                title=item.track.title,
                artist=item.track.artist,
                album=item.track.album,
                duration_s=item.track.duration,
                identifier=f"{base}/api/tracks/{item.track.id}",
            )
            for item in page.items
        ]
        stem = re.sub(r"[^\w\- ]+", "", playlist.name).strip()[:100] or "playlist"
        if fmt == "xspf":
            out = self._playlists.describe(session, viewer, [playlist], {})[0]
            return formats.write_xspf(playlist.name, out.owner_name, rows), f"{stem}.xspf"
        return formats.write_m3u8(playlist.name, rows), f"{stem}.m3u8"

    def import_(
        self, uow: UnitOfWork, viewer: Viewer, data: bytes, fmt: str | None, name: str | None
    ) -> tuple[Playlist, list[str]]:
        if len(data) > MAX_IMPORT_BYTES:
            raise BadRequest("A playlist file may be at most 1 MB.")
        kind = fmt or formats.sniff(data)
        parsed = formats.parse_xspf(data) if kind == "xspf" else formats.parse_m3u8(data)
        matched, unmatched = self._match(uow.session, viewer, parsed.entries)
        title = (name or parsed.title or "Imported playlist").strip()[:200] or "Imported playlist"
        playlist = self._playlists.create(uow, viewer, schemas.PlaylistCreate(name=title))
        if matched:
            self._items.add(uow, viewer, playlist.id, matched, after=None, at_end=True)
        return playlist, unmatched

    def _match(
        self, session: Session, viewer: Viewer, entries: list[formats.Entry]
    ) -> tuple[list[str], list[str]]:
        visible = self._playlists.access.viewable(viewer)
        ids: set[str] = set()
        by_name: dict[tuple[str, str], str] = {}
        by_file: dict[str, str] = {}
        # One pass over the importer's visible tracks (a few columns): matching folds
        # Unicode case, which SQLite's lower() does not.
        q = (
            select(Track.id, Track.artist, Track.title, Track.filename)
            .join(Blob, Blob.hash == Track.blob_hash)
            .where(visible)
            .order_by(Track.created_at)
        )
        for tid, artist, title, filename in session.execute(q):
            ids.add(tid)
            by_name.setdefault((_fold(artist), _fold(title)), tid)
            by_file.setdefault(_fold(filename), tid)
        matched: list[str] = []
        unmatched: list[str] = []
        for entry in entries:
            found = None
            for text in (entry.identifier, entry.location):
                hit = _TRACK_URL.search(text or "")
                if hit and hit.group(1) in ids:
                    found = hit.group(1)
                    break
            if found is None and entry.title:
                found = by_name.get((_fold(entry.artist), _fold(entry.title)))
            if found is None and entry.filename():
                found = by_file.get(_fold(entry.filename()))
            if found is None:
                unmatched.append(entry.describe())
            else:
                matched.append(found)
        return matched, unmatched
