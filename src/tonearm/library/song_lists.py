"""Lists of playable tracks for music apps: random ones, those of a genre, all of them.

Each list is the tracks that make the catalog for the viewer (``TrackAccess.cataloged``:
their own and public ones, less fresh uploads held back) whose audio is ready to play,
in one query for the page (plus one per kind of detail to describe it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.library import schemas
from tonearm.library.catalog import match_key
from tonearm.library.service import LibraryService
from tonearm.models import Blob, Track, TrackGenre


@dataclass(frozen=True)
class SongFilter:
    genre: str | None = None
    year_from: int | None = None
    """With ``year_to``: tracks of these years only (both included, either order)."""
    year_to: int | None = None


class SongLists:
    def __init__(self, library: LibraryService) -> None:
        self._library = library

    def _playable(self, viewer: Viewer, where: SongFilter) -> Select[Track]:
        conditions: list[ColumnElement[bool]] = [
            self._library.access.cataloged(viewer),
            Blob.playable.is_(True),
        ]
        if where.genre:
            key = match_key(where.genre)
            conditions.append(
                exists().where(TrackGenre.track_id == Track.id, TrackGenre.genre_key == key)
            )
        years = [y for y in (where.year_from, where.year_to) if y is not None]
        if years:
            conditions.append(Track.year.between(min(years), max(years)))
        return select(Track).join(Blob, Blob.hash == Track.blob_hash).where(*conditions)

    def random(
        self, session: Session, viewer: Viewer, limit: int, where: SongFilter | None = None
    ) -> list[schemas.TrackOut]:
        q = self._playable(viewer, where or SongFilter()).order_by(func.random()).limit(limit)
        return self._library.describe(session, viewer, list(session.scalars(q)))

    def page(
        self,
        session: Session,
        viewer: Viewer,
        *,
        offset: int,
        limit: int,
        where: SongFilter | None = None,
    ) -> list[schemas.TrackOut]:
        """A stable order (title, then id), so apps can walk the whole library page by
        page and meet every track once."""
        q = (
            self._playable(viewer, where or SongFilter())
            .order_by(Track.title, Track.id)
            .offset(offset)
            .limit(limit)
        )
        return self._library.describe(session, viewer, list(session.scalars(q)))
