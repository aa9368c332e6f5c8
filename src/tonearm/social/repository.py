"""Queries on comments and play queues."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tonearm.models import Comment, PlayQueue
from tonearm.types import CommentId, TrackId, UserId


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
