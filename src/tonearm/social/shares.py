"""Shares: a link that lets anyone holding it listen to some tracks until it expires.

A share is made by a person from tracks they may see (an album or playlist arrives
already expanded to its tracks, in order) and is seen, changed and deleted by that
person alone; to anyone else it does not exist.

The link's secret is derived from the share's id with the server's key (HMAC), so the
owner can be shown the link again at any time while the table keeps only its SHA-256
(a copied database opens no share). Opening a share needs no account: the secret is
the permission. Each track plays for as long as its owner may still see it, and an
expired share is as gone as a deleted one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tonearm.accounts.principal import Viewer
from tonearm.accounts.repository import AccountRepository
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Invalid, NotFound
from tonearm.library.service import LibraryService
from tonearm.models import Role, Share, Track, utcnow
from tonearm.social.repository import ShareRepository
from tonearm.types import ShareId, TrackId

MAX_TRACKS = 1000
MAX_DESCRIPTION = 500
GONE = "No such share (it may have expired)."


class ShareService:
    def __init__(self, library: LibraryService, key: bytes, default_days: int) -> None:
        self._library = library
        self._key = key
        self._default = timedelta(days=max(1, default_days))

    # --- the secret -------------------------------------------------------------------

    def secret_of(self, share_id: str) -> str:
        mac = hmac.new(self._key, f"share\n{share_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:24]).decode()

    @staticmethod
    def _hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    # --- the owner's side -------------------------------------------------------------

    def create(
        self,
        uow: UnitOfWork,
        viewer: Viewer,
        track_ids: list[str],
        *,
        description: str | None,
        expires_at: datetime | None,
    ) -> Share:
        """A share of ``track_ids`` (duplicates dropped, order kept). Every track must be
        one the viewer may see (``NotFound`` otherwise); no expiry: ``default_days``."""
        owner = viewer.require_user()
        ids = list(dict.fromkeys(track_ids))
        if not ids:
            raise Invalid("A share needs at least one track.")
        if len(ids) > MAX_TRACKS:
            raise Invalid(f"A share holds at most {MAX_TRACKS} tracks.")
        for track_id in ids:
            self._library.visible(uow.session, viewer, TrackId(track_id))
        share_id = ShareId(secrets.token_hex(8))
        share = Share(
            id=share_id,
            owner_id=owner,
            secret_hash=self._hash(self.secret_of(share_id)),
            description=_description(description),
            track_ids=ids,
            expires_at=self._expiry(expires_at),
            visit_count=0,
        )
        ShareRepository(uow.session).add(share)
        return share

    def of_owner(self, session: Session, viewer: Viewer) -> list[Share]:
        return list(ShareRepository(session).of_owner(viewer.require_user()))

    def owned(self, session: Session, viewer: Viewer, share_id: str) -> Share:
        share = ShareRepository(session).get(ShareId(share_id))
        if share is None or share.owner_id != viewer.require_user():
            raise NotFound("No such share.")
        return share

    def update(
        self,
        uow: UnitOfWork,
        viewer: Viewer,
        share_id: str,
        *,
        description: str | None,
        expires_at: datetime | None,
        change_expiry: bool,
    ) -> Share:
        """``description`` None: kept. With ``change_expiry``, ``expires_at`` None means
        the default lifetime from now (a share never lasts for ever)."""
        share = self.owned(uow.session, viewer, share_id)
        if description is not None:
            share.description = _description(description)
        if change_expiry:
            share.expires_at = self._expiry(expires_at)
        uow.session.flush()
        return share

    def delete(self, uow: UnitOfWork, viewer: Viewer, share_id: str) -> None:
        ShareRepository(uow.session).delete(self.owned(uow.session, viewer, share_id))

    def _expiry(self, expires_at: datetime | None) -> datetime:
        now = utcnow()
        if expires_at is None:
            return now + self._default
        if expires_at <= now:
            raise Invalid("A share's expiry must be in the future.")
        return expires_at

    # --- the visitor's side -----------------------------------------------------------

    def open(self, session: Session, secret: str) -> Share:
        """The share the secret names, if it has not expired (``NotFound`` otherwise)."""
        if not secret or len(secret) > 64:
            raise NotFound(GONE)
        share = ShareRepository(session).by_secret_hash(self._hash(secret))
        if share is None or not live(share):
            raise NotFound(GONE)
        return share

    def visit(self, uow: UnitOfWork, share_id: str) -> None:
        share = ShareRepository(uow.session).get(ShareId(share_id))
        if share is not None:
            share.visit_count += 1
            share.last_visited_at = utcnow()

    def tracks(self, session: Session, share: Share) -> list[Track]:
        """The shared tracks that still exist and their sharer may still see, in order."""
        repo = ShareRepository(session)
        found = repo.tracks(share.track_ids)
        owner = AccountRepository(session).user(share.owner_id)
        if owner is None or owner.disabled:
            return []
        sharer = Viewer(user_id=owner.id, role=Role(owner.role))
        access = self._library.access
        return [
            found[t] for t in share.track_ids if t in found and access.can_view(sharer, found[t])
        ]

    def track(self, session: Session, share_id: str, track_id: str) -> Track:
        """One track of a live share, for its audio (``NotFound`` otherwise)."""
        share = ShareRepository(session).get(ShareId(share_id))
        if share is None or not live(share) or track_id not in share.track_ids:
            raise NotFound(GONE)
        for track in self.tracks(session, share):
            if track.id == track_id:
                return track
        raise NotFound(GONE)


def live(share: Share) -> bool:
    return share.expires_at is None or share.expires_at > utcnow()


def _description(text: str | None) -> str | None:
    if text is None:
        return None
    if len(text) > MAX_DESCRIPTION:
        raise Invalid(f"A share's description is at most {MAX_DESCRIPTION} characters.")
    return text
