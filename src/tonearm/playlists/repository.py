"""Queries on playlists, their items, members and invites."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tonearm.models import (
    Blob,
    Like,
    LikeKind,
    Playlist,
    PlaylistInvite,
    PlaylistItem,
    PlaylistMember,
    Track,
    User,
    Visibility,
    utcnow,
)
from tonearm.types import PlaylistId, PlaylistItemId, UserId

COVER_SCAN = 200
"""How many leading items the collage looks through for four different pictures."""


class PlaylistRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, playlist_id: PlaylistId) -> Playlist | None:
        return self.session.get(Playlist, playlist_id)

    def add(self, row: Any) -> None:
        self.session.add(row)
        self.session.flush()

    def bump(self, playlist: Playlist) -> int:
        """Count one more change: ``version = version + 1`` in the database, which also
        takes the row's write lock, so writers of one playlist run one after another and
        each reads its neighbours only after the previous writer committed."""
        now = utcnow()
        version = self.session.execute(
            update(Playlist)
            .where(Playlist.id == playlist.id)
            .values(version=Playlist.version + 1, updated_at=now)
            .returning(Playlist.version),
            execution_options={"synchronize_session": False},
        ).scalar_one()
        set_committed_value(playlist, "version", version)
        set_committed_value(playlist, "updated_at", now)
        return int(version)

    def delete(self, playlist: Playlist) -> None:
        pid = playlist.id
        self.session.execute(
            delete(Like).where(Like.kind == LikeKind.PLAYLIST, Like.subject_id == pid)
        )
        for table in (PlaylistItem, PlaylistMember, PlaylistInvite):
            self.session.execute(delete(table).where(table.playlist_id == pid))
        self.session.delete(playlist)
        self.session.flush()

    # --- listing ----------------------------------------------------------------------

    def listed(self, viewer_id: UserId | None, *, mine: bool) -> ColumnElement[bool]:
        """Own, shared with the viewer, and (unless ``mine``) others' public ones."""
        public = Playlist.visibility == Visibility.PUBLIC
        if viewer_id is None:
            return public
        shared = Playlist.id.in_(
            select(PlaylistMember.playlist_id).where(PlaylistMember.user_id == viewer_id)
        )
        own = or_(Playlist.owner_id == viewer_id, shared)
        return own if mine else or_(own, public)

    def page(self, where: ColumnElement[bool], offset: int, limit: int) -> Sequence[Playlist]:
        q = (
            select(Playlist)
            .where(where)
            .order_by(Playlist.updated_at.desc(), Playlist.id)
            .offset(offset)
            .limit(limit)
        )
        return self.session.scalars(q).all()

    def count(self, where: ColumnElement[bool]) -> int:
        return int(
            self.session.scalar(select(func.count()).select_from(Playlist).where(where)) or 0
        )

    def roles_of(self, user_id: UserId, ids: list[PlaylistId]) -> dict[str, str]:
        rows = self.session.execute(
            select(PlaylistMember.playlist_id, PlaylistMember.role).where(
                PlaylistMember.user_id == user_id, PlaylistMember.playlist_id.in_(ids)
            )
        )
        return {str(pid): str(role) for pid, role in rows}

    def liked(self, user_id: UserId, ids: list[PlaylistId]) -> set[str]:
        q = select(Like.subject_id).where(
            Like.user_id == user_id, Like.kind == LikeKind.PLAYLIST, Like.subject_id.in_(ids)
        )
        return set(self.session.scalars(q))

    def totals(
        self, ids: list[PlaylistId], visible: ColumnElement[bool]
    ) -> dict[str, tuple[int, float]]:
        """(items, seconds) of each playlist, counting only tracks the viewer may see."""
        q = (
            select(
                PlaylistItem.playlist_id, func.count(), func.coalesce(func.sum(Blob.duration), 0)
            )
            .join(Track, Track.id == PlaylistItem.track_id)
            .join(Blob, Blob.hash == Track.blob_hash)
            .where(PlaylistItem.playlist_id.in_(ids), visible)
            .group_by(PlaylistItem.playlist_id)
        )
        return {pid: (int(n), float(s)) for pid, n, s in self.session.execute(q)}

    def count_items(self, playlist_id: PlaylistId, visible: ColumnElement[bool]) -> int:
        q = (
            select(func.count())
            .select_from(PlaylistItem)
            .join(Track, Track.id == PlaylistItem.track_id)
            .where(PlaylistItem.playlist_id == playlist_id, visible)
        )
        return int(self.session.scalar(q) or 0)

    # --- items ------------------------------------------------------------------------

    def item(self, playlist_id: PlaylistId, item_id: str) -> PlaylistItem | None:
        item = self.session.get(PlaylistItem, item_id, populate_existing=True)
        return item if item is not None and item.playlist_id == playlist_id else None

    def next_position(
        self, playlist_id: PlaylistId, after: str | None, skip: str | None = None
    ) -> str | None:
        """The first position after ``after`` (from the start for None), ignoring ``skip``."""
        q = select(func.min(PlaylistItem.position)).where(PlaylistItem.playlist_id == playlist_id)
        if after is not None:
            q = q.where(PlaylistItem.position > after)
        if skip is not None:
            q = q.where(PlaylistItem.id != skip)
        return self.session.scalar(q)

    def last_position(self, playlist_id: PlaylistId) -> str | None:
        return self.session.scalar(
            select(func.max(PlaylistItem.position)).where(PlaylistItem.playlist_id == playlist_id)
        )

    def items(
        self, playlist_id: PlaylistId, visible: ColumnElement[bool], offset: int, limit: int
    ) -> list[tuple[PlaylistItem, Track]]:
        q = (
            select(PlaylistItem, Track)
            .join(Track, Track.id == PlaylistItem.track_id)
            .where(PlaylistItem.playlist_id == playlist_id, visible)
            .order_by(PlaylistItem.position)
            .offset(offset)
            .limit(limit)
        )
        return [(i, t) for i, t in self.session.execute(q)]

    def all_items(self, playlist_id: PlaylistId) -> Sequence[PlaylistItem]:
        q = (
            select(PlaylistItem)
            .where(PlaylistItem.playlist_id == playlist_id)
            .order_by(PlaylistItem.position)
        )
        return self.session.scalars(q).all()

    def remove_items(self, playlist_id: PlaylistId, item_ids: list[str]) -> int:
        result = self.session.execute(
            delete(PlaylistItem).where(
                PlaylistItem.playlist_id == playlist_id, PlaylistItem.id.in_(item_ids)
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def set_position(self, item_id: PlaylistItemId, position: str) -> None:
        self.session.execute(
            update(PlaylistItem).where(PlaylistItem.id == item_id).values(position=position),
            execution_options={"synchronize_session": False},
        )

    def cover_sources(self, playlist: Playlist, limit: int = 4) -> list[str]:
        """The first ``limit`` different pictures of the playlist's tracks, in order:
        ``image:<hash>`` (a picture beside the file) or ``blob:<hash>`` (embedded art).

        Only tracks others may see, or the playlist owner's own, lend a picture: a
        collaborator's private track never shows in a cover others see.
        """
        q = (
            select(Track.cover_image, Blob.hash, Blob.artwork_sizes)
            .select_from(PlaylistItem)
            .join(Track, Track.id == PlaylistItem.track_id)
            .join(Blob, Blob.hash == Track.blob_hash)
            .where(
                PlaylistItem.playlist_id == playlist.id,
                or_(
                    Track.visibility.in_((Visibility.PUBLIC, Visibility.UNLISTED)),
                    Track.owner_id == playlist.owner_id,
                ),
            )
            .order_by(PlaylistItem.position)
            .limit(COVER_SCAN)
        )
        found: list[str] = []
        for image, blob_hash, sizes in self.session.execute(q):
            source = f"image:{image}" if image else f"blob:{blob_hash}" if sizes else None
            if source is not None and source not in found:
                found.append(source)
                if len(found) == limit:
                    break
        return found

    # --- members and invites ----------------------------------------------------------

    def member(self, playlist_id: PlaylistId, user_id: UserId) -> PlaylistMember | None:
        return self.session.get(PlaylistMember, (playlist_id, user_id))

    def members(self, playlist_id: PlaylistId) -> list[tuple[PlaylistMember, str]]:
        q = (
            select(PlaylistMember, User.username)
            .join(User, User.id == PlaylistMember.user_id)
            .where(PlaylistMember.playlist_id == playlist_id)
            .order_by(PlaylistMember.created_at, User.username)
        )
        return [(m, name) for m, name in self.session.execute(q)]

    def user_by_key(self, username_key: str) -> User | None:
        return self.session.scalar(
            select(User).where(User.username_key == username_key, User.disabled.is_(False))
        )

    def invite_by_hash(self, code_hash: str) -> PlaylistInvite | None:
        return self.session.scalar(
            select(PlaylistInvite).where(PlaylistInvite.code_hash == code_hash)
        )
