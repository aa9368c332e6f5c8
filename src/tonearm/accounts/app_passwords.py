"""Subsonic app passwords: the secret music apps sign in with.

Subsonic's token authentication sends ``t = md5(password + s)``, so the server must be
able to recompute it: the password cannot be stored as a one-way hash. It is therefore
a separate secret, generated here (never chosen, never the sign-in password), sealed
with AES-GCM under a key derived from the server's secret key, shown to its owner
once, and replaced or revoked from Settings without touching the account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from tonearm.accounts.principal import Viewer
from tonearm.accounts.service import username_key
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.models import AppPassword, User, utcnow
from tonearm.types import UserId

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/l/i: the password is typed into phone apps by hand."""
_GROUPS, _GROUP_LEN = 4, 6
"""Four groups of six from 31 symbols: about 119 bits."""
_NONCE = 12
_TOUCH_EVERY_S = 300


class Sealed(Exception):
    """A sealed password that does not open (the server's secret key changed)."""


class Sealer:
    """AES-GCM with a key of its own, derived from the server's secret key (HKDF)."""

    def __init__(self, secret_key: bytes) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"tonearm app passwords"
        ).derive(secret_key)
        self._aead = AESGCM(key)

    def seal(self, plain: str, user_id: UserId) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        # The user id as associated data: a sealed value moved to another row won't open.
        return nonce + self._aead.encrypt(nonce, plain.encode(), user_id.encode())

    def open(self, sealed: bytes, user_id: UserId) -> str:
        try:
            return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], user_id.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise Sealed("This app password cannot be read with the current secret key.") from exc


def new_password() -> str:
    return "-".join(
        "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LEN)) for _ in range(_GROUPS)
    )


@dataclass(frozen=True)
class Holder:
    user: User
    password: str | None
    """None: the person has made no app password (or it no longer opens)."""
    last_used_at: datetime | None


class AppPasswordService:
    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    def status(self, session: DbSession, viewer: Viewer) -> AppPassword | None:
        return session.get(AppPassword, viewer.require_user())

    def create(self, uow: UnitOfWork, viewer: Viewer) -> tuple[str, AppPassword]:
        """A new password for the viewer (the old one, if any, stops working); the
        plain text is returned this once."""
        user_id = viewer.require_user()
        plain = new_password()
        row = uow.session.get(AppPassword, user_id)
        if row is None:
            row = AppPassword(user_id=user_id)
            uow.session.add(row)
        row.sealed = self._sealer.seal(plain, user_id)
        row.created_at = utcnow()
        row.last_used_at = None
        uow.session.flush()
        return plain, row

    def revoke(self, uow: UnitOfWork, viewer: Viewer) -> bool:
        row = uow.session.get(AppPassword, viewer.require_user())
        if row is None:
            return False
        uow.session.delete(row)
        return True

    def holder(self, session: DbSession, username: str) -> Holder | None:
        """The enabled user of this name with their app password, if they made one
        (one statement: every call of a music app asks it)."""
        row = session.execute(
            select(User, AppPassword)
            .outerjoin(AppPassword, AppPassword.user_id == User.id)
            .where(User.username_key == username_key(username)[:64])
        ).first()
        if row is None or row[0].disabled:
            return None
        user, sealed = row
        if sealed is None:
            return Holder(user, None, None)
        try:
            return Holder(user, self._sealer.open(sealed.sealed, user.id), sealed.last_used_at)
        except Sealed:
            return Holder(user, None, None)

    @staticmethod
    def matches_password(stored: str, given: str) -> bool:
        return hmac.compare_digest(stored.encode(), given.encode())

    @staticmethod
    def matches_token(stored: str, token: str, salt: str) -> bool:
        # md5 is what the Subsonic protocol defines for t; the secret itself is random.
        expected = hashlib.md5((stored + salt).encode(), usedforsecurity=False).hexdigest()
        return hmac.compare_digest(expected.encode(), token.lower().encode())

    @staticmethod
    def needs_touch(holder: Holder) -> bool:
        last = holder.last_used_at
        return last is None or (utcnow() - last).total_seconds() >= _TOUCH_EVERY_S

    def touch(self, uow: UnitOfWork, user_id: UserId) -> None:
        row = uow.session.get(AppPassword, user_id)
        if row is not None:
            row.last_used_at = utcnow()
