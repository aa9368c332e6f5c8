"""Collaborators: added by username or through an invite link, removed, or leaving.

An invite's code is shown once; only its SHA-256 is stored (as for account invites),
so a database leak lets nobody join. Opening the link signed in makes that person a
collaborator with the invite's role (a viewer already in the playlist may be raised to
editor by an editor invite, never lowered).
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Forbidden, Invalid, NotFound
from tonearm.models import MemberRole, Playlist, PlaylistInvite, PlaylistMember, Scope, utcnow
from tonearm.playlists import schemas
from tonearm.playlists.repository import PlaylistRepository
from tonearm.playlists.service import PlaylistService
from tonearm.types import UserId


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class SharingService:
    def __init__(self, playlists: PlaylistService) -> None:
        self._playlists = playlists

    def list(
        self, session: Session, viewer: Viewer, playlist_id: str
    ) -> list[schemas.CollaboratorOut]:
        playlist = self._playlists.seen(session, viewer, playlist_id).playlist
        return [_out(m, name) for m, name in PlaylistRepository(session).members(playlist.id)]

    def add(
        self, uow: UnitOfWork, viewer: Viewer, playlist_id: str, new: schemas.CollaboratorIn
    ) -> schemas.CollaboratorOut:
        playlist = self._playlists.owned(uow.session, viewer, playlist_id).playlist
        repo = PlaylistRepository(uow.session)
        key = unicodedata.normalize("NFKC", new.username).strip().casefold()
        user = repo.user_by_key(key)
        if user is None:
            raise NotFound("No such user.")
        if user.id == playlist.owner_id:
            raise Invalid("The owner is already part of the playlist.")
        member = repo.member(playlist.id, user.id)
        if member is None:
            member = PlaylistMember(playlist_id=playlist.id, user_id=user.id, role=new.role)
            repo.add(member)
        else:
            member.role = new.role
        self._playlists.changed(uow, playlist)
        uow.session.flush()
        return _out(member, user.username)

    def remove(self, uow: UnitOfWork, viewer: Viewer, playlist_id: str, user_id: str) -> None:
        """The owner (or an admin) removes anyone; a collaborator may leave."""
        seen = self._playlists.seen(uow.session, viewer, playlist_id)
        leaving = viewer.user_id is not None and viewer.user_id == user_id
        if not leaving and (seen.role not in ("owner", "admin") or not viewer.can(Scope.LIBRARY)):
            raise Forbidden("Only the playlist's owner can remove collaborators.")
        repo = PlaylistRepository(uow.session)
        member = repo.member(seen.playlist.id, UserId(user_id))
        if member is None:
            raise NotFound("No such collaborator.")
        uow.session.delete(member)
        self._playlists.changed(uow, seen.playlist)

    def invite(
        self, uow: UnitOfWork, viewer: Viewer, playlist_id: str, new: schemas.PlaylistInviteIn
    ) -> schemas.PlaylistInviteOut:
        playlist = self._playlists.owned(uow.session, viewer, playlist_id).playlist
        code = secrets.token_urlsafe(24)
        expires = utcnow() + timedelta(seconds=new.expires_in_s) if new.expires_in_s else None
        PlaylistRepository(uow.session).add(
            PlaylistInvite(
                id=secrets.token_hex(8),
                playlist_id=playlist.id,
                code_hash=code_hash(code),
                role=new.role,
                created_by=viewer.require_user(),
                expires_at=expires,
            )
        )
        return schemas.PlaylistInviteOut(
            code=code, url=f"/#/playlists/join/{code}", role=new.role, expires_at=expires
        )

    def join(self, uow: UnitOfWork, viewer: Viewer, code: str) -> Playlist:
        user_id = viewer.require_user()
        repo = PlaylistRepository(uow.session)
        invite = repo.invite_by_hash(code_hash(code))
        if invite is None or (invite.expires_at is not None and invite.expires_at <= utcnow()):
            raise NotFound("This invite link is not valid (or it has expired).")
        playlist = repo.get(invite.playlist_id)
        if playlist is None:
            raise NotFound("This invite link is not valid (or it has expired).")
        if playlist.owner_id == user_id:
            return playlist
        member = repo.member(playlist.id, user_id)
        if member is None:
            repo.add(PlaylistMember(playlist_id=playlist.id, user_id=user_id, role=invite.role))
        elif invite.role == MemberRole.EDITOR:
            member.role = MemberRole.EDITOR
        self._playlists.changed(uow, playlist)
        return playlist


def _out(member: PlaylistMember, username: str) -> schemas.CollaboratorOut:
    role = "editor" if member.role == MemberRole.EDITOR else "viewer"
    return schemas.CollaboratorOut(
        user_id=member.user_id, username=username, role=role, created_at=member.created_at
    )
