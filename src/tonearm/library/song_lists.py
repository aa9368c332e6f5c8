"""Lists of playable tracks for music apps: random ones, those of a genre, all of them.

The tracks are those the page lists to the viewer (their own and public ones; the
catalog's rule, less fresh uploads held back, when a genre or years filter them, or
for random picks) whose audio is ready to play; one query for the ids of a page, one
for its rows, then one per kind of detail to describe them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.library import schemas
from tonearm.library.catalog import match_key
from tonearm.library.repository import TrackRepository
from tonearm.library.sampling import sample_ids
from tonearm.library.service import LibraryService
from tonearm.models import Blob, Track, TrackGenre
from tonearm.types import TrackId


@dataclass(frozen=True)
class SongFilter:
    genre: str | None = None
    year_from: int | None = None
    """With ``year_to``: tracks of these years only (both included, either order)."""
    year_to: int | None = None


class SongLists:
    def __init__(self, library: LibraryService) -> None:
        self._library = library

    def _conditions(
        self, viewer: Viewer, where: SongFilter, *, shown: ColumnElement[bool] | None
    ) -> ColumnElement[bool]:
        """``where`` over the tracks ``shown`` (None: listed to ``viewer``)."""
        conditions: list[ColumnElement[bool]] = [
            self._library.access.listed(viewer) if shown is None else shown
        ]
        if where.genre:
            key = match_key(where.genre)
            conditions.append(
                exists().where(TrackGenre.track_id == Track.id, TrackGenre.genre_key == key)
            )
        years = [y for y in (where.year_from, where.year_to) if y is not None]
        if years:
            conditions.append(Track.year.between(min(years), max(years)))
        return and_(*conditions)

    def random(
        self, session: Session, viewer: Viewer, limit: int, where: SongFilter | None = None
    ) -> list[schemas.TrackOut]:
        """Up to ``limit`` tracks in random order (``sampling.sample_ids``)."""
        # A window of the id index: checking each row's audio costs the window only.
        playable = exists().where(Blob.hash == Track.blob_hash, Blob.playable.is_(True))
        shown = and_(self._library.access.cataloged(viewer), playable)
        ids = sample_ids(
            session, Track.id, self._conditions(viewer, where or SongFilter(), shown=shown), limit
        )
        return self._library.describe(session, viewer, self._rows(session, ids))

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
        page and meet every track once.

        The tracks are those the page's own track list shows (``listed``; the catalog's
        rule when filtered), read as ids along the title index (index only: 70 ms at
        offset 40000 of 100k on SQLite, where checking each row's audio in the query
        took 1.2 s); a track whose audio is not ready yet is then left out of its page,
        so a page may come short while an upload is processed, never shifted."""
        where = where or SongFilter()
        filtered = where.genre or where.year_from is not None or where.year_to is not None
        seen = self._library.access.cataloged(viewer) if filtered else None
        q = (
            select(Track.id)
            .where(self._conditions(viewer, where, shown=seen))
            .order_by(Track.title, Track.id)
            .offset(offset)
            .limit(limit)
        )
        ids = [str(i) for i in session.scalars(q)]
        rows = self._rows(session, ids)
        return self._library.describe(session, viewer, [t for t in rows if t.blob.playable])

    @staticmethod
    def _rows(session: Session, ids: list[str]) -> list[Track]:
        if not ids:
            return []
        rows: dict[str, Track] = {
            t.id: t for t in TrackRepository(session).many([TrackId(i) for i in ids])
        }
        return [rows[i] for i in ids if i in rows]
