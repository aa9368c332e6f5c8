"""Queries on comments, play queues, bookmarks and shares."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tonearm.models import Bookmark, Comment, PlayQueue, Share, Track
from tonearm.types import CommentId, ShareId, TrackId, UserId


class CommentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, comment_id: CommentId) -> Comment | None:
        return self.session.get(Comment, comment_id)

    def add(self, comment: Comment) -> Comment:
        self.session.add(comment)
        self.session.flush()
        return comment

    def delete(self, comment: Comment) -> None:
        self.session.delete(comment)
        self.session.flush()

    def of_track(self, track_id: TrackId, *, limit: int, offset: int) -> Sequence[Comment]:
        q = (
            select(Comment)
            .where(Comment.track_id == track_id)
            .order_by(Comment.position_s, Comment.created_at, Comment.id)
            .limit(limit)
            .offset(offset)
        )
        return self.session.scalars(q).all()

    def count(self, track_id: TrackId) -> int:
        q = select(func.count()).select_from(Comment).where(Comment.track_id == track_id)
        return int(self.session.scalar(q) or 0)


class QueueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: UserId) -> PlayQueue | None:
        return self.session.get(PlayQueue, user_id)

    def locked(self, user_id: UserId) -> PlayQueue:
        """The person's queue, created empty if need be, locked for this transaction
        (two first saves racing both find the one row)."""
        dialect = self.session.get_bind().dialect.name
        ins = postgresql.insert(PlayQueue) if dialect == "postgresql" else sqlite.insert(PlayQueue)
        self.session.execute(
            ins.values(
                user_id=user_id,
                track_ids=[],
                current_index=0,
                position_s=0.0,
                shuffle=False,
                repeat="off",
                version=0,
            ).on_conflict_do_nothing(index_elements=["user_id"])
        )
        q = select(PlayQueue).where(PlayQueue.user_id == user_id).with_for_update()
        return self.session.scalars(q.execution_options(populate_existing=True)).one()


class BookmarkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: UserId, track_id: TrackId) -> Bookmark | None:
        return self.session.get(Bookmark, (user_id, track_id))

    def of_user(self, user_id: UserId) -> Sequence[tuple[Bookmark, Track]]:
        q = (
            select(Bookmark, Track)
            .join(Track, Track.id == Bookmark.track_id)
            .where(Bookmark.user_id == user_id)
            .order_by(Bookmark.changed_at.desc(), Bookmark.track_id)
        )
        return [(b, t) for b, t in self.session.execute(q)]

    def add(self, bookmark: Bookmark) -> None:
        self.session.add(bookmark)
        self.session.flush()

    def delete(self, bookmark: Bookmark) -> None:
        self.session.delete(bookmark)
        self.session.flush()


class ShareRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, share_id: ShareId) -> Share | None:
        return self.session.get(Share, share_id)

    def by_secret_hash(self, secret_hash: str) -> Share | None:
        return self.session.scalars(select(Share).where(Share.secret_hash == secret_hash)).first()

    def of_owner(self, owner_id: UserId) -> Sequence[Share]:
        q = select(Share).where(Share.owner_id == owner_id).order_by(Share.created_at, Share.id)
        return self.session.scalars(q).all()

    def tracks(self, track_ids: list[str]) -> dict[str, Track]:
        found: dict[str, Track] = {}
        ids = sorted(set(track_ids))
        for start in range(0, len(ids), 500):
            rows = self.session.scalars(select(Track).where(Track.id.in_(ids[start : start + 500])))
            found |= {t.id: t for t in rows}
        return found

    def add(self, share: Share) -> None:
        self.session.add(share)
        self.session.flush()

    def delete(self, share: Share) -> None:
        self.session.delete(share)
        self.session.flush()
