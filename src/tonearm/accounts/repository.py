"""Queries on users, sessions, tokens, invites and the sign-in throttle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from tonearm.models import ApiToken, Invite, Session, Throttle, User
from tonearm.types import InviteId, TokenId, UserId


class AccountRepository:
    def __init__(self, session: DbSession) -> None:
        self.session = session

    # Users -----------------------------------------------------------------------

    def user(self, user_id: UserId, *, for_update: bool = False) -> User | None:
        return self.session.get(User, user_id, with_for_update=for_update)

    def user_by_key(self, username_key: str) -> User | None:
        return self.session.scalar(select(User).where(User.username_key == username_key))

    def names(self, user_ids: set[UserId]) -> dict[UserId, str]:
        """Usernames by id, for showing who owns what."""
        if not user_ids:
            return {}
        rows = self.session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
        return {UserId(uid): name for uid, name in rows}

    def users(self) -> Sequence[User]:
        return self.session.scalars(select(User).order_by(User.username_key)).all()

    def count_users(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(User)) or 0)

    def count_admins(self) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == "admin", User.disabled.is_(False))
            )
            or 0
        )

    def add(self, row: User | Session | ApiToken | Invite) -> None:
        self.session.add(row)
        self.session.flush()

    def delete_user(self, user: User) -> None:
        self.session.delete(user)
        self.session.flush()

    # Sessions --------------------------------------------------------------------

    def session_by_hash(self, id_hash: str) -> Session | None:
        return self.session.get(Session, id_hash)

    def sessions_of(self, user_id: UserId) -> Sequence[Session]:
        return self.session.scalars(
            select(Session).where(Session.user_id == user_id).order_by(Session.created_at.desc())
        ).all()

    def end_session(self, user_id: UserId, public_id: str) -> bool:
        done = self.session.execute(
            delete(Session)
            .where(Session.user_id == user_id, Session.public_id == public_id)
            .returning(Session.id_hash)
        ).all()
        return bool(done)

    def end_sessions(self, user_id: UserId, *, keep: str | None = None) -> int:
        q = delete(Session).where(Session.user_id == user_id)
        if keep is not None:
            q = q.where(Session.id_hash != keep)
        return len(self.session.execute(q.returning(Session.id_hash)).all())

    def end_session_by_hash(self, id_hash: str) -> None:
        self.session.execute(delete(Session).where(Session.id_hash == id_hash))

    def purge_sessions(self, now: datetime, idle_cutoff: datetime) -> int:
        gone = delete(Session).where(
            (Session.expires_at < now) | (Session.last_seen_at < idle_cutoff)
        )
        return len(self.session.execute(gone.returning(Session.id_hash)).all())

    # Tokens ----------------------------------------------------------------------

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return self.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))

    def tokens_of(self, user_id: UserId) -> Sequence[ApiToken]:
        return self.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        ).all()

    def delete_token(self, user_id: UserId, token_id: TokenId) -> bool:
        done = self.session.execute(
            delete(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.id == token_id)
            .returning(ApiToken.id)
        ).all()
        return bool(done)

    # Invites ---------------------------------------------------------------------

    def invite_by_hash(self, code_hash: str, *, for_update: bool = False) -> Invite | None:
        q = select(Invite).where(Invite.code_hash == code_hash)
        return self.session.scalar(q.with_for_update() if for_update else q)

    def invites(self) -> Sequence[Invite]:
        return self.session.scalars(select(Invite).order_by(Invite.created_at.desc())).all()

    def delete_invite(self, invite_id: InviteId) -> bool:
        done = self.session.execute(
            delete(Invite).where(Invite.id == invite_id).returning(Invite.id)
        ).all()
        return bool(done)

    # Throttle --------------------------------------------------------------------

    def throttle(self, key: str, *, for_update: bool = False) -> Throttle | None:
        return self.session.get(Throttle, key, with_for_update=for_update)

    def throttles(self, keys: Sequence[str]) -> Sequence[Throttle]:
        return self.session.scalars(select(Throttle).where(Throttle.key.in_(keys))).all()

    def clear_throttle(self, key: str) -> None:
        self.session.execute(delete(Throttle).where(Throttle.key == key))
