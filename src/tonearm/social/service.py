"""Timed comments: a listener's note at a moment of a track.

Whoever may see a track may read its comments and, signed in, write one; its author,
the track's owner, moderators and admins may delete it. A comment on a track someone
may not see does not exist for them (404); deleting the track deletes its comments
(the foreign key cascades).
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.accounts.repository import AccountRepository
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Forbidden, Invalid, NotFound
from tonearm.library.service import LibraryService
from tonearm.models import Comment, Track
from tonearm.social import schemas
from tonearm.social.repository import CommentRepository
from tonearm.types import CommentId, TrackId


class CommentService:
    def __init__(self, library: LibraryService) -> None:
        self._library = library

    def page(
        self, session: Session, viewer: Viewer, track_id: TrackId, *, limit: int, offset: int
    ) -> schemas.CommentPage:
        track = self._library.visible(session, viewer, track_id)
        repo = CommentRepository(session)
        comments = list(repo.of_track(track.id, limit=limit, offset=offset))
        return schemas.CommentPage(
            items=self._describe(session, viewer, track, comments), total=repo.count(track.id)
        )

    def add(
        self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId, new: schemas.CommentIn
    ) -> schemas.CommentOut:
        author = viewer.require_user()
        track = self._library.visible(uow.session, viewer, track_id)
        body = new.body.strip()
        if not body:
            raise Invalid("A comment needs some text.", code="comment-empty")
        if len(body) > schemas.MAX_COMMENT:
            raise Invalid(
                f"A comment holds at most {schemas.MAX_COMMENT} characters "
                f"(this one has {len(body)}).",
                code="comment-too-long",
            )
        duration = track.blob.duration
        if new.position_s > duration:
            raise Invalid(
                f"The track is only {_clock(duration)} long.", code="comment-past-the-end"
            )
        comment = CommentRepository(uow.session).add(
            Comment(
                id=CommentId(secrets.token_hex(8)),
                track_id=track.id,
                author_id=author,
                position_s=new.position_s,
                body=body,
            )
        )
        return self._describe(uow.session, viewer, track, [comment])[0]

    def delete(
        self, uow: UnitOfWork, viewer: Viewer, track_id: TrackId, comment_id: CommentId
    ) -> None:
        viewer.require_user()
        track = self._library.visible(uow.session, viewer, track_id)
        repo = CommentRepository(uow.session)
        comment = repo.get(comment_id)
        if comment is None or comment.track_id != track.id:
            raise NotFound("No such comment.")
        if not self.can_delete(viewer, track, comment):
            raise Forbidden("Only its author, the track's owner or a moderator can delete it.")
        repo.delete(comment)

    @staticmethod
    def can_delete(viewer: Viewer, track: Track, comment: Comment) -> bool:
        if not viewer.signed_in:
            return False
        return viewer.is_moderator or viewer.user_id in (comment.author_id, track.owner_id)

    def _describe(
        self, session: Session, viewer: Viewer, track: Track, comments: list[Comment]
    ) -> list[schemas.CommentOut]:
        names = AccountRepository(session).names({c.author_id for c in comments})
        return [
            schemas.CommentOut(
                id=c.id,
                track_id=c.track_id,
                author_id=c.author_id,
                author_name=names.get(c.author_id),
                position_s=c.position_s,
                body=c.body,
                created_at=c.created_at,
                deletable=self.can_delete(viewer, track, c),
            )
            for c in comments
        ]


def _clock(seconds: float) -> str:
    """3:05, or 1:02:03 past an hour (whole seconds, rounded down)."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
