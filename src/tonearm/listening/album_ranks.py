"""Albums in the order of what people did with them: rated highest, played most, played
last (the "highest", "frequent" and "recent" album lists of music apps).

Each is one grouped, indexed query for the page (ratings by their primary key, play
totals from ``track_plays``, the viewer's own from ``listener_tracks``), then the
catalog describes the page. Only albums the viewer is shown, counted over the tracks
they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.library import schemas
from tonearm.library.browse import CatalogService
from tonearm.models import Album, LikeKind, Rating, Track
from tonearm.models.listening import ListenerTrack, TrackPlays


class AlbumRanks:
    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def highest_rated(
        self, session: Session, viewer: Viewer, *, offset: int, limit: int
    ) -> list[schemas.AlbumOut]:
        """The viewer's rated albums, best first (then the latest rated)."""
        user_id = viewer.require_user()
        q = (
            select(Album.id)
            .join(Rating, Rating.subject_id == Album.id)
            .where(
                Rating.user_id == user_id,
                Rating.kind == LikeKind.ALBUM.value,
                self._catalog.album_visible(viewer),
            )
            .order_by(Rating.rating.desc(), Rating.updated_at.desc(), Album.id)
        )
        return self._page(session, viewer, q, offset, limit)

    def most_played(
        self, session: Session, viewer: Viewer, *, offset: int, limit: int
    ) -> list[schemas.AlbumOut]:
        """By everyone's counted plays of the album's tracks the viewer is shown."""
        plays = func.sum(TrackPlays.plays)
        q = (
            select(Track.album_id)
            .join(TrackPlays, TrackPlays.track_id == Track.id)
            .where(
                TrackPlays.plays > 0,
                Track.album_id.is_not(None),
                self._catalog.access.cataloged(viewer),
            )
            .group_by(Track.album_id)
            .order_by(plays.desc(), Track.album_id)
        )
        return self._page(session, viewer, q, offset, limit)

    def recently_played(
        self, session: Session, viewer: Viewer, *, offset: int, limit: int
    ) -> list[schemas.AlbumOut]:
        """The albums the viewer played a track of, most recently played first."""
        user_id = viewer.require_user()
        last = func.max(ListenerTrack.last_played_at)
        q = (
            select(Track.album_id)
            .join(ListenerTrack, ListenerTrack.track_id == Track.id)
            .where(
                ListenerTrack.user_id == user_id,
                ListenerTrack.last_played_at.is_not(None),
                Track.album_id.is_not(None),
                self._catalog.access.cataloged(viewer),
            )
            .group_by(Track.album_id)
            .order_by(last.desc(), Track.album_id)
        )
        return self._page(session, viewer, q, offset, limit)

    def _page(
        self, session: Session, viewer: Viewer, q: Select[Any], offset: int, limit: int
    ) -> list[schemas.AlbumOut]:
        ids = [str(i) for i in session.scalars(q.offset(offset).limit(limit))]
        return self._catalog.describe_albums(session, viewer, _ordered(session, ids))


def _ordered(session: Session, ids: Sequence[str]) -> list[Album]:
    if not ids:
        return []
    rows: dict[str, Album] = {
        a.id: a for a in session.scalars(select(Album).where(Album.id.in_(ids)))
    }
    return [rows[i] for i in ids if i in rows]
