"""Bookmarks: where a person stopped in a long track, one per track, theirs alone.

Only tracks the person may see can be bookmarked, and only those are listed: a
bookmark on a track that became private to someone else stays stored but is not
shown (it returns if the track is shared again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Invalid, NotFound
from tonearm.library.service import LibraryService
from tonearm.models import Bookmark, Track, utcnow
from tonearm.social.repository import BookmarkRepository
from tonearm.types import TrackId

MAX_COMMENT = 2000


@dataclass(frozen=True)
class Marked:
    """A bookmark with its track (both rows; the caller describes the track)."""

    track: Track
    position_ms: int
    comment: str | None
    created_at: datetime
    changed_at: datetime


class BookmarkService:
    def __init__(self, library: LibraryService) -> None:
        self._library = library

    def of_user(self, session: Session, viewer: Viewer) -> list[Marked]:
        rows = BookmarkRepository(session).of_user(viewer.require_user())
        return [
            Marked(t, b.position_ms, b.comment, b.created_at, b.changed_at)
            for b, t in rows
            if self._library.access.can_view(viewer, t)
        ]

    def save(
        self,
        uow: UnitOfWork,
        viewer: Viewer,
        track_id: TrackId,
        position_ms: int,
        comment: str | None,
    ) -> None:
        """Create or move the viewer's bookmark on a track they may see."""
        user_id = viewer.require_user()
        if position_ms < 0:
            raise Invalid("A bookmark's position cannot be negative.")
        if comment is not None and len(comment) > MAX_COMMENT:
            raise Invalid(f"A bookmark's comment is at most {MAX_COMMENT} characters.")
        self._library.visible(uow.session, viewer, track_id)
        repo = BookmarkRepository(uow.session)
        bookmark = repo.get(user_id, track_id)
        if bookmark is None:
            repo.add(
                Bookmark(
                    user_id=user_id, track_id=track_id, position_ms=position_ms, comment=comment
                )
            )
            return
        bookmark.position_ms = position_ms
        bookmark.comment = comment
        bookmark.changed_at = utcnow()

    def delete(self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId) -> None:
        """``NotFound`` when the viewer has no bookmark there (another's is never seen)."""
        repo = BookmarkRepository(uow.session)
        bookmark = repo.get(viewer.require_user(), track_id)
        if bookmark is None:
            raise NotFound("No bookmark on this track.")
        repo.delete(bookmark)
