"""Ratings: one to five stars a person gives a track, album or artist they may see.

Music apps rate (the Subsonic ``setRating``); the page shows likes. A rating of 0
removes it. Removing one's own rating always works, as with likes.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, exists, select

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Invalid, NotFound
from tonearm.library.browse import CatalogService
from tonearm.models import Album, Artist, LikeKind, Rating, Track, utcnow

RATED = (LikeKind.TRACK, LikeKind.ALBUM, LikeKind.ARTIST)


class RatingService:
    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def _visible(self, viewer: Viewer, kind: LikeKind, subject_id: str) -> ColumnElement[bool]:
        if kind == LikeKind.TRACK:
            return exists().where(Track.id == subject_id, self._catalog.access.viewable(viewer))
        if kind == LikeKind.ALBUM:
            return exists().where(Album.id == subject_id, self._catalog.album_visible(viewer))
        return exists().where(Artist.id == subject_id, self._catalog.artist_visible(viewer))

    def rate(
        self, uow: UnitOfWork, viewer: Viewer, kind: LikeKind, subject_id: str, rating: int
    ) -> None:
        user_id = viewer.require_user()
        if kind not in RATED:
            raise Invalid("Only tracks, albums and artists are rated.")
        if not 0 <= rating <= 5:
            raise Invalid("A rating is 0 (none) to 5.")
        session = uow.session
        key = (user_id, kind.value, subject_id)
        if rating == 0:
            gone = session.execute(
                delete(Rating).where(
                    Rating.user_id == user_id,
                    Rating.kind == kind.value,
                    Rating.subject_id == subject_id,
                )
            )
            if getattr(gone, "rowcount", 0):
                return
        if not session.scalar(select(self._visible(viewer, kind, subject_id))):
            raise NotFound(f"No such {kind.value}.")
        if rating == 0:
            return
        row = session.get(Rating, key)
        if row is None:
            session.add(
                Rating(user_id=user_id, kind=kind.value, subject_id=subject_id, rating=rating)
            )
        else:
            row.rating = rating
            row.updated_at = utcnow()
