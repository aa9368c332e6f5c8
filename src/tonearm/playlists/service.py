"""Playlists: who may do what, creating, changing, listing, and describing them.

Rights, decided here and only here (``role``):

* the owner does everything; admins too;
* an editor (a collaborator) adds, removes and moves items and changes the name and
  description;
* a viewer (a collaborator) reads; anyone reads a public or unlisted playlist (as
  they would a track), and only public ones are listed to others; moderators read all;
* only the owner (or an admin) deletes, changes visibility or rules, and manages
  collaborators and invites.

A playlist someone may not see does not exist for them (404); one they see but may not
change answers 403. The items shown are those whose tracks the viewer may see.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.accounts.repository import AccountRepository
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Forbidden, Invalid, NotFound, Unauthenticated
from tonearm.events import ChangeFeed
from tonearm.events.topics import playlist_event
from tonearm.jobs.leases import JobLeases
from tonearm.jobs.runner import RUN_TASK
from tonearm.library.access import TrackAccess
from tonearm.library.indexing import SearchIndex
from tonearm.models import (
    Blob,
    Image,
    Playlist,
    PlaylistItem,
    PlaylistKind,
    Scope,
    Track,
    Visibility,
)
from tonearm.playlists import schemas, smart
from tonearm.playlists.repository import PlaylistRepository
from tonearm.types import PlaylistId, PlaylistItemId

COLLAGE_KIND = "playlists.collage"
COVER_SIZES = (128, 512)


@dataclass(frozen=True)
class Seen:
    """A playlist the viewer may see, and their part in it."""

    playlist: Playlist
    role: schemas.Role | None


class PlaylistService:
    def __init__(
        self,
        access: TrackAccess,
        events: ChangeFeed | None = None,
        index: SearchIndex | None = None,
    ) -> None:
        self.access = access
        self._events = events
        self._index = index

    # --- change notices ---------------------------------------------------------------

    def changed(self, uow: UnitOfWork, playlist: Playlist) -> int:
        """Count one more change (``PlaylistRepository.bump``, which takes the row's lock)
        and tell open pages once it is committed."""
        version = PlaylistRepository(uow.session).bump(playlist)
        self.announce(uow, playlist, "updated")
        return version

    def announce(self, uow: UnitOfWork, playlist: Playlist, action: str) -> None:
        """Publish ``action`` after commit, to those who may see the playlist
        (``social/live.py`` decides per page from the owner, visibility and members).
        The search index follows in this transaction."""
        if self._index is not None:
            if action == "deleted":
                self._index.playlist_removed(uow.session, playlist.id)
            else:
                uow.session.flush()
                self._index.playlist_changed(uow.session, playlist.id)
        feed = self._events
        if feed is None:
            return
        members = [m.user_id for m, _ in PlaylistRepository(uow.session).members(playlist.id)]
        event = playlist_event(
            playlist.id,
            action,
            owner_id=playlist.owner_id,
            visibility=playlist.visibility,
            member_ids=members,
        )
        uow.after_commit(lambda: feed.publish(event))

    # --- rights -----------------------------------------------------------------------

    def _role(self, session: Session, viewer: Viewer, playlist: Playlist) -> schemas.Role | None:
        if viewer.user_id is not None:
            if playlist.owner_id == viewer.user_id:
                return "owner"
            if viewer.is_admin:
                return "admin"
            member = PlaylistRepository(session).member(playlist.id, viewer.user_id)
            if member is not None:
                return "editor" if member.role == "editor" else "viewer"
        return None

    def seen(self, session: Session, viewer: Viewer, playlist_id: str) -> Seen:
        playlist = PlaylistRepository(session).get(PlaylistId(playlist_id))
        if playlist is None:
            raise NotFound("No such playlist.")
        role = self._role(session, viewer, playlist)
        if role is not None or viewer.is_moderator:
            return Seen(playlist, role)
        if playlist.visibility in (Visibility.PUBLIC, Visibility.UNLISTED) and (
            viewer.signed_in or self.access.anonymous_listening
        ):
            return Seen(playlist, None)
        raise NotFound("No such playlist.")

    def editable(self, session: Session, viewer: Viewer, playlist_id: str) -> Seen:
        """For changing items, name and description: owner, admin or editor."""
        seen = self.seen(session, viewer, playlist_id)
        if seen.role not in ("owner", "admin", "editor") or not viewer.can(Scope.LIBRARY):
            raise Forbidden("Only the playlist's owner and its editors can change it.")
        return seen

    def owned(self, session: Session, viewer: Viewer, playlist_id: str) -> Seen:
        """For deleting, visibility, rules, collaborators and invites: owner or admin."""
        seen = self.seen(session, viewer, playlist_id)
        if seen.role not in ("owner", "admin") or not viewer.can(Scope.LIBRARY):
            raise Forbidden("Only the playlist's owner can do this.")
        return seen

    # --- the playlist itself ----------------------------------------------------------

    def create(self, uow: UnitOfWork, viewer: Viewer, new: schemas.PlaylistCreate) -> Playlist:
        owner = viewer.require_user()
        playlist = Playlist(
            id=PlaylistId(secrets.token_hex(8)),
            owner_id=owner,
            name=new.name.strip() or new.name,
            description=new.description,
            visibility=new.visibility,
            kind=PlaylistKind.STATIC,
            rules=None,
            version=1,
            cover_source=[],
        )
        if new.rules is not None:
            playlist.kind = PlaylistKind.SMART
            playlist.rules = smart.validate(new.rules).model_dump()
        PlaylistRepository(uow.session).add(playlist)
        self.announce(uow, playlist, "created")
        return playlist

    def update(
        self, uow: UnitOfWork, viewer: Viewer, playlist_id: str, change: schemas.PlaylistPatch
    ) -> Playlist:
        owner_only = change.visibility is not None or change.rules is not None
        check = self.owned if owner_only else self.editable
        playlist = check(uow.session, viewer, playlist_id).playlist
        if change.name is not None:
            playlist.name = change.name.strip() or change.name
        if change.description is not None:
            playlist.description = change.description
        if change.visibility is not None:
            playlist.visibility = change.visibility
        if change.rules is not None:
            if playlist.kind != PlaylistKind.SMART:
                raise Invalid("Only a smart playlist has rules; create one with rules.")
            playlist.rules = smart.validate(change.rules).model_dump()
        uow.session.flush()
        self.changed(uow, playlist)
        return playlist

    def delete(self, uow: UnitOfWork, viewer: Viewer, playlist_id: str) -> None:
        """The playlist, its items, collaborators, invites and likes."""
        playlist = self.owned(uow.session, viewer, playlist_id).playlist
        self.announce(uow, playlist, "deleted")  # members read before they go with it
        PlaylistRepository(uow.session).delete(playlist)

    def duplicate(self, uow: UnitOfWork, viewer: Viewer, playlist_id: str) -> Playlist:
        """A private copy owned by the viewer, with the items whose tracks they may see."""
        source = self.seen(uow.session, viewer, playlist_id).playlist
        if not viewer.can(Scope.LIBRARY):
            raise Forbidden("This needs the 'library' scope.", code="scope")
        copy = self.create(
            uow,
            viewer,
            schemas.PlaylistCreate(
                name=f"{source.name} (copy)"[:200],
                description=source.description,
                rules=schemas.SmartRules.model_validate(source.rules) if source.rules else None,
            ),
        )
        repo = PlaylistRepository(uow.session)
        visible = self.access.viewable(viewer)
        for item, _ in repo.items(source.id, visible, 0, 1_000_000):
            uow.session.add(
                PlaylistItem(
                    id=PlaylistItemId(secrets.token_hex(8)),
                    playlist_id=copy.id,
                    track_id=item.track_id,
                    position=item.position,
                    added_by=viewer.user_id,
                )
            )
        uow.session.flush()
        self.schedule_cover(uow, copy)
        return copy

    # --- reading ----------------------------------------------------------------------

    def get(self, session: Session, viewer: Viewer, playlist_id: str) -> schemas.PlaylistOut:
        seen = self.seen(session, viewer, playlist_id)
        return self.describe(session, viewer, [seen.playlist], {seen.playlist.id: seen.role})[0]

    def page(
        self, session: Session, viewer: Viewer, *, mine: bool, offset: int, limit: int
    ) -> schemas.PlaylistPage:
        if not viewer.signed_in and not self.access.anonymous_listening:
            raise Unauthenticated("Sign in to see playlists.")
        if mine:
            viewer.require_user()
        repo = PlaylistRepository(session)
        where = repo.listed(viewer.user_id, mine=mine)
        rows = list(repo.page(where, offset, limit))
        roles: dict[str, schemas.Role | None] = {p.id: self._role(session, viewer, p) for p in rows}
        return schemas.PlaylistPage(
            items=self.describe(session, viewer, rows, roles), total=repo.count(where)
        )

    def describe_listed(
        self, session: Session, viewer: Viewer, playlists: Sequence[Playlist]
    ) -> list[schemas.PlaylistOut]:
        """``describe`` with the viewer's part in each (search results)."""
        roles: dict[str, schemas.Role | None] = {
            p.id: self._role(session, viewer, p) for p in playlists
        }
        return self.describe(session, viewer, playlists, roles)

    def describe(
        self,
        session: Session,
        viewer: Viewer,
        playlists: Sequence[Playlist],
        roles: dict[str, schemas.Role | None],
    ) -> list[schemas.PlaylistOut]:
        repo = PlaylistRepository(session)
        ids = [p.id for p in playlists]
        visible = self.access.viewable(viewer)
        totals = repo.totals([p.id for p in playlists if p.kind != PlaylistKind.SMART], visible)
        for p in playlists:
            if p.kind == PlaylistKind.SMART:
                totals[p.id] = self.smart_totals(session, viewer, p)
        names = AccountRepository(session).names({p.owner_id for p in playlists})
        liked = repo.liked(viewer.user_id, ids) if viewer.user_id else set()
        return [
            schemas.PlaylistOut(
                id=p.id,
                name=p.name,
                description=p.description,
                visibility=Visibility(p.visibility),
                kind="smart" if p.kind == PlaylistKind.SMART else "static",
                owner_id=p.owner_id,
                owner_name=names.get(p.owner_id),
                role=roles.get(p.id),
                item_count=totals.get(p.id, (0, 0.0))[0],
                duration=round(totals.get(p.id, (0, 0.0))[1], 3),
                cover=cover_urls(p),
                version=p.version,
                liked=p.id in liked,
                rules=schemas.SmartRules.model_validate(p.rules) if p.rules else None,
                created_at=p.created_at,
                updated_at=p.updated_at,
            )
            for p in playlists
        ]

    def smart_query(self, viewer: Viewer, playlist: Playlist) -> Select[Any]:
        rules = schemas.SmartRules.model_validate(playlist.rules or {})
        return smart.query(
            rules, smart.Context(viewer_id=viewer.user_id), self.access.viewable(viewer)
        )

    def smart_totals(
        self, session: Session, viewer: Viewer, playlist: Playlist
    ) -> tuple[int, float]:
        ids = self.smart_query(viewer, playlist).subquery()
        q = (
            select(func.count(), func.coalesce(func.sum(Blob.duration), 0))
            .select_from(Track)
            .join(Blob, Blob.hash == Track.blob_hash)
            .where(Track.id.in_(select(ids.c.id)))
        )
        n, seconds = session.execute(q).one()
        return int(n), float(seconds)

    # --- the collage ------------------------------------------------------------------

    def cover(self, session: Session, viewer: Viewer, playlist_id: str) -> Image:
        playlist = self.seen(session, viewer, playlist_id).playlist
        image = session.get(Image, playlist.cover_image) if playlist.cover_image else None
        if image is None:
            raise NotFound("This playlist has no cover yet.")
        return image

    def schedule_cover(self, uow: UnitOfWork, playlist: Playlist) -> None:
        """Rebuild the collage (after commit) if its first four pictures changed."""
        if playlist.kind == PlaylistKind.SMART:
            return
        sources = PlaylistRepository(uow.session).cover_sources(playlist)
        if sources == list(playlist.cover_source or []):
            return
        job = JobLeases(uow.session).schedule(COLLAGE_KIND, playlist.id)
        uow.enqueue(RUN_TASK, job.id)


def cover_urls(playlist: Playlist) -> dict[str, str] | None:
    if not playlist.cover_image:
        return None
    v = playlist.cover_image[:12]
    return {
        str(size): f"/api/playlists/{playlist.id}/cover/{size}.webp?v={v}" for size in COVER_SIZES
    }
