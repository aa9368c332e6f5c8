"""Likes: a person's tracks, albums, artists and playlists.

One may like only what one may see, and a list of likes shows only what one may still
see (a track made private since stays liked, hidden, and comes back if it is shared
again). The library stores playlist likes; the playlists domain describes playlists.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import NotFound
from tonearm.library import schemas
from tonearm.library.browse import CatalogService
from tonearm.library.indexing import SearchIndex
from tonearm.models import (
    Album,
    Artist,
    Like,
    LikeKind,
    Playlist,
    PlaylistMember,
    Track,
    Visibility,
)
from tonearm.types import PlaylistId, TrackId


class LikeService:
    def __init__(self, catalog: CatalogService, index: SearchIndex | None = None) -> None:
        self._catalog = catalog
        self._library = catalog.library
        self.access = catalog.access
        self._index = index

    def _reindex(self, session: Session, kind: LikeKind, subject_id: str) -> None:
        """Likes are search's popularity: the liked document's count follows at once."""
        if self._index is None:
            return
        session.flush()
        if kind == LikeKind.TRACK:
            self._index.tracks_changed(session, [TrackId(subject_id)])
        elif kind == LikeKind.ALBUM:
            self._index.catalog_changed(session, [], [subject_id])
        elif kind == LikeKind.ARTIST:
            self._index.catalog_changed(session, [subject_id], [])
        else:
            self._index.playlist_changed(session, PlaylistId(subject_id))

    def _exists(self, viewer: Viewer, kind: LikeKind) -> ColumnElement[bool]:
        """The SQL condition that the liked subject exists and ``viewer`` may see it."""
        if kind == LikeKind.TRACK:
            return exists().where(Track.id == Like.subject_id, self.access.viewable(viewer))
        if kind == LikeKind.ALBUM:
            return exists().where(Album.id == Like.subject_id, self._catalog.album_visible(viewer))
        if kind == LikeKind.ARTIST:
            return exists().where(
                Artist.id == Like.subject_id, self._catalog.artist_visible(viewer)
            )
        return exists().where(Playlist.id == Like.subject_id, self.playlist_visible(viewer))

    @staticmethod
    def playlist_visible(viewer: Viewer) -> ColumnElement[bool]:
        if viewer.is_admin:
            return Playlist.id.is_not(None)
        member = exists().where(
            PlaylistMember.playlist_id == Playlist.id, PlaylistMember.user_id == viewer.user_id
        )
        return or_(
            Playlist.owner_id == viewer.user_id,
            Playlist.visibility.in_((Visibility.PUBLIC, Visibility.UNLISTED)),
            member,
        )

    def _check(self, session: Session, viewer: Viewer, kind: LikeKind, subject_id: str) -> None:
        cond: ColumnElement[bool]
        if kind == LikeKind.TRACK:
            cond = exists().where(Track.id == subject_id, self.access.viewable(viewer))
        elif kind == LikeKind.ALBUM:
            cond = exists().where(Album.id == subject_id, self._catalog.album_visible(viewer))
        elif kind == LikeKind.ARTIST:
            cond = exists().where(Artist.id == subject_id, self._catalog.artist_visible(viewer))
        else:
            cond = exists().where(Playlist.id == subject_id, self.playlist_visible(viewer))
        if not session.scalar(select(cond)):
            raise NotFound(f"No such {kind.value}.")

    def like(self, uow: UnitOfWork, viewer: Viewer, kind: LikeKind, subject_id: str) -> None:
        user_id = viewer.require_user()
        self._check(uow.session, viewer, kind, subject_id)
        key = (user_id, kind.value, subject_id)
        if uow.session.get(Like, key) is not None:
            return
        try:
            with uow.session.begin_nested():
                uow.session.add(Like(user_id=user_id, kind=kind.value, subject_id=subject_id))
        except IntegrityError:
            return  # the same like from another request at the same moment
        self._reindex(uow.session, kind, subject_id)

    def unlike(self, uow: UnitOfWork, viewer: Viewer, kind: LikeKind, subject_id: str) -> None:
        """Removing a like one has always works; otherwise the subject must be visible."""
        user_id = viewer.require_user()
        gone = uow.session.execute(
            delete(Like).where(
                Like.user_id == user_id, Like.kind == kind.value, Like.subject_id == subject_id
            )
        )
        if not getattr(gone, "rowcount", 0):
            self._check(uow.session, viewer, kind, subject_id)
            return
        self._reindex(uow.session, kind, subject_id)

    def page(
        self, session: Session, viewer: Viewer, kind: LikeKind, *, offset: int, limit: int
    ) -> schemas.LikePage:
        """What the viewer likes of ``kind`` and may still see, most recent first."""
        user_id = viewer.require_user()
        where = and_(Like.user_id == user_id, Like.kind == kind.value, self._exists(viewer, kind))
        ids = list(
            session.scalars(
                select(Like.subject_id)
                .where(where)
                .order_by(Like.created_at.desc(), Like.subject_id)
                .offset(offset)
                .limit(limit)
            )
        )
        total = session.scalar(select(func.count()).select_from(Like).where(where)) or 0
        rank = {subject: i for i, subject in enumerate(ids)}
        items: (
            list[schemas.TrackOut]
            | list[schemas.AlbumOut]
            | list[schemas.ArtistOut]
            | list[schemas.PlaylistRef]
        )
        if kind == LikeKind.TRACK:
            tracks = sorted(
                session.scalars(select(Track).where(Track.id.in_(ids))), key=lambda t: rank[t.id]
            )
            items = self._library.describe(session, viewer, tracks)
        elif kind == LikeKind.ALBUM:
            albums = sorted(
                session.scalars(select(Album).where(Album.id.in_(ids))), key=lambda a: rank[a.id]
            )
            items = self._catalog.describe_albums(session, viewer, albums)
        elif kind == LikeKind.ARTIST:
            artists = sorted(
                session.scalars(select(Artist).where(Artist.id.in_(ids))),
                key=lambda a: rank[a.id],
            )
            items = self._catalog.describe_artists(session, viewer, artists)
        else:
            rows = session.execute(select(Playlist.id, Playlist.name).where(Playlist.id.in_(ids)))
            items = sorted(
                (schemas.PlaylistRef(id=pid, name=name) for pid, name in rows),
                key=lambda p: rank[p.id],
            )
        return schemas.LikePage(kind=kind, items=items, total=total)
