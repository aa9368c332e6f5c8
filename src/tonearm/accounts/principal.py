"""Who is asking: the viewer every service call is made for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tonearm.errors import Unauthenticated
from tonearm.models import Role, Scope
from tonearm.types import UserId

ALL_SCOPES = frozenset(Scope)


@dataclass(frozen=True)
class Viewer:
    """A signed-in person (by session or token) or an anonymous visitor.

    ``binding`` ties signed media URLs to this viewer: a digest of the session or
    token, never the secret itself; empty for anonymous visitors.
    """

    user_id: UserId | None
    role: Role | None = None
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    via: Literal["session", "token", "anonymous"] = "anonymous"
    binding: str = ""
    session_id: str | None = None
    """The public id of the session this request came with (to mark it in lists)."""

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN and Scope.ADMIN in self.scopes

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.ADMIN, Role.MODERATOR)

    def require_user(self) -> UserId:
        """The signed-in person's id; ``Unauthenticated`` for an anonymous visitor."""
        if self.user_id is None:
            raise Unauthenticated("Sign in first.")
        return self.user_id

    def can(self, scope: Scope) -> bool:
        return self.signed_in and scope in self.scopes


ANONYMOUS = Viewer(user_id=None)
