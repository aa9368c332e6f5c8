"""A playlist's items: reading a page, adding, removing, moving.

Every change first bumps the playlist's version (``PlaylistRepository.bump``), which
takes the playlist row's write lock: two people reordering one playlist at once are
served one after the other, and each reads the neighbours the other left. A move or an
insertion relative to an item that is gone answers ``Conflict`` and changes nothing
(the transaction rolls back, version included). Order keys: ``positions.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Conflict, NotFound
from tonearm.library.service import LibraryService
from tonearm.models import Playlist, PlaylistItem, PlaylistKind, Track
from tonearm.playlists import positions, schemas
from tonearm.playlists.repository import PlaylistRepository
from tonearm.playlists.service import PlaylistService
from tonearm.types import PlaylistItemId, TrackId

STALE = "This playlist changed since you loaded it; reload and try again."
SMART = "A smart playlist's items come from its rules; change the rules instead."
_TRIES = 4


class ItemService:
    def __init__(self, playlists: PlaylistService, library: LibraryService) -> None:
        self._playlists = playlists
        self._library = library

    # --- reading ----------------------------------------------------------------------

    def page(
        self, session: Session, viewer: Viewer, playlist_id: str, *, offset: int, limit: int
    ) -> schemas.ItemPage:
        playlist = self._playlists.seen(session, viewer, playlist_id).playlist
        if playlist.kind == PlaylistKind.SMART:
            return self._smart_page(session, viewer, playlist, offset, limit)
        repo = PlaylistRepository(session)
        visible = self._playlists.access.viewable(viewer)
        rows = repo.items(playlist.id, visible, offset, limit)
        total = repo.count_items(playlist.id, visible)
        return schemas.ItemPage(
            items=self.describe(session, viewer, rows), total=total, version=playlist.version
        )

    def _smart_page(
        self, session: Session, viewer: Viewer, playlist: Playlist, offset: int, limit: int
    ) -> schemas.ItemPage:
        q = self._playlists.smart_query(viewer, playlist)
        total = self._playlists.smart_totals(session, viewer, playlist)[0]
        if playlist.rules and playlist.rules.get("limit"):
            ids = list(session.scalars(q))[offset : offset + limit]
        else:
            ids = list(session.scalars(q.offset(offset).limit(limit)))
        tracks = {t.id: t for t in session.scalars(select(Track).where(Track.id.in_(ids)))}
        ordered = [tracks[i] for i in ids if i in tracks]
        outs = self._library.describe(session, viewer, ordered)
        items = [
            schemas.ItemOut(
                id=t.id,
                position=f"{offset + n:06d}",
                track=out,
                added_by=None,
                added_at=t.created_at,
            )
            for n, (t, out) in enumerate(zip(ordered, outs, strict=True))
        ]
        return schemas.ItemPage(items=items, total=total, version=playlist.version)

    def describe(
        self, session: Session, viewer: Viewer, rows: list[tuple[PlaylistItem, Track]]
    ) -> list[schemas.ItemOut]:
        outs = self._library.describe(session, viewer, [t for _, t in rows])
        return [
            schemas.ItemOut(
                id=item.id,
                position=item.position,
                track=out,
                added_by=item.added_by,
                added_at=item.added_at,
            )
            for (item, _), out in zip(rows, outs, strict=True)
        ]

    # --- changing ---------------------------------------------------------------------

    def _static(self, uow: UnitOfWork, viewer: Viewer, playlist_id: str) -> Playlist:
        playlist = self._playlists.editable(uow.session, viewer, playlist_id).playlist
        if playlist.kind == PlaylistKind.SMART:
            raise Conflict(SMART, code="smart-playlist")
        self._playlists.changed(uow, playlist)  # the lock: see the module doc
        return playlist

    def add(
        self,
        uow: UnitOfWork,
        viewer: Viewer,
        playlist_id: str,
        track_ids: list[str],
        *,
        after: str | None,
        at_end: bool,
    ) -> schemas.ItemsAdded:
        """Add tracks (all or none) after item ``after`` (None: at the start), or at the
        end when ``at_end``. A track the viewer may not see: ``NotFound`` naming none."""
        playlist = self._static(uow, viewer, playlist_id)
        session = uow.session
        visible = self._playlists.access.viewable(viewer)
        wanted = set(track_ids)
        tracks = {
            t.id: t for t in session.scalars(select(Track).where(Track.id.in_(wanted), visible))
        }
        if len(tracks) != len(wanted):
            raise NotFound("No such track.")
        repo = PlaylistRepository(session)

        def bounds() -> tuple[str | None, str | None]:
            if at_end:
                return repo.last_position(playlist.id), None
            if after is None:
                return None, repo.next_position(playlist.id, None)
            anchor = repo.item(playlist.id, after)
            if anchor is None:
                raise Conflict(STALE, code="stale")
            return anchor.position, repo.next_position(playlist.id, anchor.position)

        def write() -> list[PlaylistItem]:
            low, high = bounds()
            keys = positions.keys_between(low, high, len(track_ids))
            if max(len(k) for k in keys) > positions.MAX_KEY:
                self._respread(session, playlist)
                low, high = bounds()
                keys = positions.keys_between(low, high, len(track_ids))
            items = [
                PlaylistItem(
                    id=PlaylistItemId(secrets.token_hex(8)),
                    playlist_id=playlist.id,
                    track_id=TrackId(tid),
                    position=key,
                    added_by=viewer.user_id,
                )
                for tid, key in zip(track_ids, keys, strict=True)
            ]
            session.add_all(items)
            return items

        items = _retry(session, write)
        self._playlists.schedule_cover(uow, playlist)
        rows = [(i, tracks[i.track_id]) for i in items]
        return schemas.ItemsAdded(
            items=self.describe(session, viewer, rows), version=playlist.version
        )

    def remove(
        self, uow: UnitOfWork, viewer: Viewer, playlist_id: str, item_ids: list[str]
    ) -> schemas.Version:
        """Items already gone are skipped: removing is the same whoever did it first."""
        playlist = self._static(uow, viewer, playlist_id)
        PlaylistRepository(uow.session).remove_items(playlist.id, item_ids)
        self._playlists.schedule_cover(uow, playlist)
        return schemas.Version(version=playlist.version)

    def move(
        self, uow: UnitOfWork, viewer: Viewer, playlist_id: str, item_id: str, after: str | None
    ) -> schemas.ItemMoved:
        """Put item ``item_id`` right after ``after`` (None: first). Writes one row."""
        playlist = self._static(uow, viewer, playlist_id)
        session = uow.session
        repo = PlaylistRepository(session)
        item = repo.item(playlist.id, item_id)
        if item is None:
            raise Conflict(STALE, code="stale")
        anchor = None
        if after is not None:
            anchor = repo.item(playlist.id, after)
            if anchor is None:
                raise Conflict(STALE, code="stale")

        def bounds() -> tuple[str | None, str | None]:
            low = None
            if anchor is not None:
                session.refresh(anchor)
                low = anchor.position
            return low, repo.next_position(playlist.id, low, skip=item.id)

        def write() -> list[PlaylistItem]:
            low, high = bounds()
            if (anchor is not None and anchor.id == item.id) or (
                (low is None or low < item.position) and (high is None or item.position < high)
            ):
                return [item]  # already there
            key = positions.key_between(low, high)
            if len(key) > positions.MAX_KEY:
                self._respread(session, playlist)
                low, high = bounds()
                key = positions.key_between(low, high)
            repo.set_position(item.id, key)
            return [item]

        _retry(session, write)
        session.refresh(item)
        self._playlists.schedule_cover(uow, playlist)
        track = session.get(Track, item.track_id)
        assert track is not None
        return schemas.ItemMoved(
            item=self.describe(session, viewer, [(item, track)])[0], version=playlist.version
        )

    @staticmethod
    def _respread(session: Session, playlist: Playlist) -> None:
        """Give every item a short key again, in the same order (rare: keys grew long).
        Through temporary keys outside the alphabet so no two rows ever share a key."""
        repo = PlaylistRepository(session)
        items = list(repo.all_items(playlist.id))
        for item in items:
            repo.set_position(item.id, "~" + item.id)
        for item, key in zip(items, positions.spread(len(items)), strict=True):
            repo.set_position(item.id, key)
        session.expire_all()


def _retry(session: Session, write: Callable[[], list[PlaylistItem]]) -> list[PlaylistItem]:
    """Run ``write`` in a savepoint, again with new keys if a key was taken meanwhile
    (two writers' random suffixes met: about one chance in 62**3)."""
    for attempt in range(_TRIES):
        try:
            with session.begin_nested():
                written = write()
                session.flush()
            return written
        except IntegrityError:
            if attempt == _TRIES - 1:
                raise
    raise AssertionError("unreachable")
