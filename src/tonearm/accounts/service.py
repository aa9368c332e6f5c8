"""Accounts: first run, users and roles, sign-in with throttling, sessions, tokens, invites.

Sign-in answers the same way, after the same work, whether or not the username exists:
an unknown name is verified against a decoy hash and counts against the address's
throttle like a wrong password. Only digests of sessions, tokens and invite codes are
stored (``credentials.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session as DbSession

from tonearm.accounts import credentials
from tonearm.accounts.passwords import Passwords, check_strength
from tonearm.accounts.principal import ALL_SCOPES, Viewer
from tonearm.accounts.repository import AccountRepository
from tonearm.db.unit_of_work import UnitOfWork
from tonearm.errors import Conflict, Forbidden, Invalid, NotFound, Throttled, Unauthenticated
from tonearm.models import ApiToken, Invite, Role, Scope, Session, Throttle, User, utcnow
from tonearm.types import InviteId, TokenId, UserId

WRONG = "Wrong username or password."
_NAME = re.compile(r"[\w.\-]{1,64}")
_SETUP_LOCK = 0x746F6E66
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class AccountPolicy:
    session_idle_s: int = 14 * 86400
    session_absolute_s: int = 90 * 86400
    open_registration: bool = False
    failures_per_account: int = 5
    failures_per_address: int = 30
    failure_window_s: int = 900
    block_s: int = 300


@dataclass(frozen=True)
class NewSession:
    cookie: str
    """The secret for the cookie; not stored anywhere on the server."""
    session: Session


def username_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


class AccountService:
    def __init__(self, passwords: Passwords, policy: AccountPolicy) -> None:
        self._passwords = passwords
        self._policy = policy

    @property
    def policy(self) -> AccountPolicy:
        return self._policy

    # First run and users -----------------------------------------------------------

    def needs_setup(self, session: DbSession) -> bool:
        return AccountRepository(session).count_users() == 0

    def setup(self, uow: UnitOfWork, username: str, password: str) -> User:
        """The first admin; refused once any user exists (two racing setups: one wins)."""
        if uow.session.get_bind().dialect.name == "postgresql":
            uow.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SETUP_LOCK})
        if not self.needs_setup(uow.session):
            raise Conflict("This server is already set up; sign in instead.")
        return self.create_user(uow, username, password, Role.ADMIN)

    def create_user(
        self,
        uow: UnitOfWork,
        username: str,
        password: str,
        role: Role = Role.MEMBER,
        *,
        quota_bytes: int | None = None,
    ) -> User:
        name = unicodedata.normalize("NFKC", username).strip()
        if not _NAME.fullmatch(name):
            raise Invalid(
                "A username is 1 to 64 letters, digits, '.', '-' or '_'.", code="bad-username"
            )
        weak = check_strength(password, name)
        if weak:
            raise Invalid(weak, code="weak-password")
        repo = AccountRepository(uow.session)
        if repo.user_by_key(username_key(name)) is not None:
            raise Conflict("That username is taken.", code="username-taken")
        user = User(
            id=UserId(credentials.new_id()),
            username=name,
            username_key=username_key(name),
            password_hash=self._passwords.hash(password),
            role=role,
            disabled=False,
            quota_bytes=quota_bytes,
        )
        repo.add(user)
        return user

    def user(self, session: DbSession, user_id: UserId) -> User:
        user = AccountRepository(session).user(user_id)
        if user is None:
            raise NotFound("No such user.")
        return user

    def lock_user(self, uow: UnitOfWork, user_id: UserId) -> User:
        """The user row, locked for this transaction (quota checks serialise on it)."""
        user = AccountRepository(uow.session).user(user_id, for_update=True)
        if user is None or user.disabled:
            raise Unauthenticated("This account no longer exists or is disabled.")
        return user

    def user_by_name(self, session: DbSession, username: str) -> User:
        user = AccountRepository(session).user_by_key(username_key(username))
        if user is None:
            raise NotFound(f"No user called {username!r}.")
        return user

    def users(self, session: DbSession) -> list[User]:
        return list(AccountRepository(session).users())

    def update_user(
        self,
        uow: UnitOfWork,
        user_id: UserId,
        *,
        role: Role | None = None,
        disabled: bool | None = None,
        quota_bytes: int | None = None,
        clear_quota: bool = False,
    ) -> User:
        repo = AccountRepository(uow.session)
        user = repo.user(user_id, for_update=True)
        if user is None:
            raise NotFound("No such user.")
        losing_admin = user.role == Role.ADMIN and (
            (role is not None and role != Role.ADMIN) or disabled is True
        )
        if losing_admin and repo.count_admins() <= 1:
            raise Conflict("This is the last admin; make someone else admin first.")
        if role is not None:
            user.role = role
        if disabled is not None:
            user.disabled = disabled
            if disabled:
                repo.end_sessions(user.id)
        if clear_quota:
            user.quota_bytes = None
        elif quota_bytes is not None:
            if quota_bytes < 0:
                raise Invalid("A quota cannot be negative.")
            user.quota_bytes = quota_bytes
        return user

    def delete_user(self, uow: UnitOfWork, user_id: UserId) -> User:
        """Remove the account; the caller first releases what it owns (tracks, uploads)."""
        repo = AccountRepository(uow.session)
        user = repo.user(user_id, for_update=True)
        if user is None:
            raise NotFound("No such user.")
        if user.role == Role.ADMIN and repo.count_admins() <= 1:
            raise Conflict("This is the last admin; make someone else admin first.")
        repo.delete_user(user)
        return user

    def set_password(
        self, uow: UnitOfWork, user_id: UserId, password: str, *, keep_session: str | None = None
    ) -> int:
        """New password; every session but ``keep_session`` (a digest) ends (how many)."""
        repo = AccountRepository(uow.session)
        user = repo.user(user_id, for_update=True)
        if user is None:
            raise NotFound("No such user.")
        weak = check_strength(password, user.username)
        if weak:
            raise Invalid(weak, code="weak-password")
        user.password_hash = self._passwords.hash(password)
        user.password_changed_at = utcnow()
        return repo.end_sessions(user.id, keep=keep_session)

    def change_password(
        self, uow: UnitOfWork, viewer: Viewer, current: str, new: str, keep_session: str | None
    ) -> None:
        user = self.user(uow.session, viewer.require_user())
        ok, _ = self._passwords.verify(user.password_hash, current)
        if not ok:
            raise Forbidden("The current password is wrong.", code="wrong-password")
        self.set_password(uow, user.id, new, keep_session=keep_session)

    # Sign-in -------------------------------------------------------------------------

    def authenticate(
        self, uow: UnitOfWork, username: str, password: str, address: str | None
    ) -> User:
        """The user these credentials name, or ``Unauthenticated`` / ``Throttled``.

        Failures are counted per account and per address in their own transaction by
        the caller (``record_failure``), since this one rolls back on the error.
        """
        key = username_key(username)[:64]
        self.check_throttle(uow.session, username, address)
        repo = AccountRepository(uow.session)
        user = repo.user_by_key(key)
        ok, rehash = self._passwords.verify(user.password_hash if user else None, password)
        if user is None or not ok or user.disabled:
            raise Unauthenticated(WRONG, code="wrong-credentials")
        if rehash:
            user.password_hash = self._passwords.hash(password)
        repo.clear_throttle(f"user:{key}")
        return user

    def check_throttle(self, session: DbSession, username: str, address: str | None) -> None:
        """``Throttled`` while the account or the address is blocked after failed sign-ins
        (every way of signing in shares these counters: the page, the Subsonic API)."""
        now = utcnow()
        key = username_key(username)[:64]
        keys = (f"user:{key}", f"addr:{address or '-'}")
        for row in AccountRepository(session).throttles(keys):
            if row.blocked_until is not None and row.blocked_until > now:
                wait = max(1, int((row.blocked_until - now).total_seconds() + 0.999))
                raise Throttled(
                    f"Too many failed sign-ins; try again in {wait} s.", retry_after_s=wait
                )

    def record_failure(self, uow: UnitOfWork, username: str, address: str | None) -> None:
        now = utcnow()
        window = timedelta(seconds=self._policy.failure_window_s)
        repo = AccountRepository(uow.session)
        limits = (
            (f"user:{username_key(username)[:64]}", self._policy.failures_per_account),
            (f"addr:{address or '-'}", self._policy.failures_per_address),
        )
        for key, limit in limits:
            row = repo.throttle(key, for_update=True)
            if row is None:
                row = Throttle(key=key, failures=0, window_start=now)
                uow.session.add(row)
            if now - row.window_start > window:
                row.failures, row.window_start, row.blocked_until = 0, now, None
            row.failures += 1
            if row.failures >= limit:
                row.blocked_until = now + timedelta(seconds=self._policy.block_s)

    # Sessions ------------------------------------------------------------------------

    def start_session(
        self, uow: UnitOfWork, user: User, *, user_agent: str | None, address: str | None
    ) -> NewSession:
        cookie = credentials.new_secret()
        now = utcnow()
        row = Session(
            id_hash=credentials.digest(cookie),
            user_id=user.id,
            public_id=credentials.new_id(),
            csrf_token=credentials.new_secret(),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=self._policy.session_absolute_s),
            user_agent=(user_agent or "")[:300] or None,
            address=(address or "")[:64] or None,
        )
        AccountRepository(uow.session).add(row)
        return NewSession(cookie=cookie, session=row)

    def resolve_session(self, session: DbSession, cookie: str) -> tuple[User, Session] | None:
        """The live session and its user, or None (unknown, expired, idle, disabled)."""
        repo = AccountRepository(session)
        row = repo.session_by_hash(credentials.digest(cookie))
        if row is None:
            return None
        now = utcnow()
        idle = timedelta(seconds=self._policy.session_idle_s)
        if row.expires_at <= now or row.last_seen_at + idle <= now:
            return None
        user = repo.user(row.user_id)
        if user is None or user.disabled:
            return None
        return user, row

    def needs_touch(self, row: Session) -> bool:
        return utcnow() - row.last_seen_at >= _TOUCH_EVERY

    def touch_session(self, uow: UnitOfWork, id_hash: str) -> None:
        row = AccountRepository(uow.session).session_by_hash(id_hash)
        if row is not None:
            row.last_seen_at = utcnow()

    def end_session_by_cookie(self, uow: UnitOfWork, cookie: str) -> None:
        AccountRepository(uow.session).end_session_by_hash(credentials.digest(cookie))

    def sessions(self, session: DbSession, viewer: Viewer) -> list[Session]:
        """The person's live sessions: one past its idle or absolute expiry signs nobody in,
        so it is not listed as a place they are signed in."""
        now = utcnow()
        idle = timedelta(seconds=self._policy.session_idle_s)
        return [
            row
            for row in AccountRepository(session).sessions_of(viewer.require_user())
            if row.expires_at > now and row.last_seen_at + idle > now
        ]

    def end_session(self, uow: UnitOfWork, viewer: Viewer, public_id: str) -> None:
        if not AccountRepository(uow.session).end_session(viewer.require_user(), public_id):
            raise NotFound("No such session.")

    def end_all_sessions(self, uow: UnitOfWork, viewer: Viewer) -> int:
        return AccountRepository(uow.session).end_sessions(viewer.require_user())

    def purge(self, uow: UnitOfWork) -> int:
        """Delete sessions past their absolute end or idle too long (housekeeping)."""
        idle_cutoff = utcnow() - timedelta(seconds=self._policy.session_idle_s)
        return AccountRepository(uow.session).purge_sessions(utcnow(), idle_cutoff)

    # Tokens --------------------------------------------------------------------------

    def create_token(
        self,
        uow: UnitOfWork,
        viewer: Viewer,
        name: str,
        scopes: list[Scope],
        *,
        expires_in_s: int | None = None,
    ) -> tuple[str, ApiToken]:
        """A new personal token; the secret is returned once and never stored."""
        if not scopes:
            raise Invalid("Give the token at least one scope.")
        user = self.user(uow.session, viewer.require_user())
        if Scope.ADMIN in scopes and user.role != Role.ADMIN:
            raise Forbidden("Only admins can make tokens with the admin scope.")
        secret = credentials.new_token()
        row = ApiToken(
            id=TokenId(credentials.new_id()),
            user_id=user.id,
            name=name.strip()[:100] or "token",
            token_hash=credentials.digest(secret),
            scopes=sorted({str(s) for s in scopes}),
            expires_at=utcnow() + timedelta(seconds=expires_in_s) if expires_in_s else None,
        )
        AccountRepository(uow.session).add(row)
        return secret, row

    def resolve_token(self, session: DbSession, secret: str) -> tuple[User, ApiToken] | None:
        repo = AccountRepository(session)
        row = repo.token_by_hash(credentials.digest(secret))
        if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
            return None
        user = repo.user(row.user_id)
        if user is None or user.disabled:
            return None
        return user, row

    def token_needs_touch(self, row: ApiToken) -> bool:
        return row.last_used_at is None or utcnow() - row.last_used_at >= _TOUCH_EVERY

    def touch_token(self, uow: UnitOfWork, token_id: TokenId) -> None:
        row = uow.session.get(ApiToken, token_id)
        if row is not None:
            row.last_used_at = utcnow()

    def tokens(self, session: DbSession, viewer: Viewer) -> list[ApiToken]:
        return list(AccountRepository(session).tokens_of(viewer.require_user()))

    def revoke_token(self, uow: UnitOfWork, viewer: Viewer, token_id: TokenId) -> None:
        if not AccountRepository(uow.session).delete_token(viewer.require_user(), token_id):
            raise NotFound("No such token.")

    # Invites and registration -------------------------------------------------------

    def create_invite(
        self,
        uow: UnitOfWork,
        viewer: Viewer,
        *,
        role: Role = Role.MEMBER,
        max_uses: int = 1,
        expires_in_s: int = 7 * 86400,
    ) -> tuple[str, Invite]:
        if max_uses < 1 or expires_in_s < 60:
            raise Invalid("An invite needs at least one use and at least a minute.")
        code = credentials.new_secret()
        row = Invite(
            id=InviteId(credentials.new_id()),
            code_hash=credentials.digest(code),
            created_by=viewer.user_id,
            role=role,
            max_uses=max_uses,
            uses=0,
            expires_at=utcnow() + timedelta(seconds=expires_in_s),
        )
        AccountRepository(uow.session).add(row)
        return code, row

    def invites(self, session: DbSession) -> list[Invite]:
        return list(AccountRepository(session).invites())

    def revoke_invite(self, uow: UnitOfWork, invite_id: InviteId) -> None:
        if not AccountRepository(uow.session).delete_invite(invite_id):
            raise NotFound("No such invite.")

    def register(
        self, uow: UnitOfWork, username: str, password: str, invite_code: str | None
    ) -> User:
        """A new member: with a valid invite, or by anyone while registration is open."""
        role = Role.MEMBER
        if invite_code:
            invite = AccountRepository(uow.session).invite_by_hash(
                credentials.digest(invite_code), for_update=True
            )
            if invite is None or invite.expires_at <= utcnow() or invite.uses >= invite.max_uses:
                raise Forbidden("This invite is not valid (used up, expired or revoked).")
            invite.uses += 1
            role = Role(invite.role)
        elif not self._policy.open_registration:
            raise Forbidden("Registration is by invitation; ask an admin for an invite link.")
        return self.create_user(uow, username, password, role)

    # Viewers -------------------------------------------------------------------------

    @staticmethod
    def viewer_of_session(user: User, row: Session) -> Viewer:
        return Viewer(
            user_id=user.id,
            role=Role(user.role),
            scopes=ALL_SCOPES,
            via="session",
            session_id=row.public_id,
        )

    @staticmethod
    def viewer_of_token(user: User, row: ApiToken) -> Viewer:
        return Viewer(
            user_id=user.id,
            role=Role(user.role),
            scopes=frozenset(Scope(s) for s in row.scopes),
            via="token",
        )
