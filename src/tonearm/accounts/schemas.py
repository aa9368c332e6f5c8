"""API shapes for accounts. Secrets appear only in the one response that creates them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tonearm.models import Role, Scope

# Numbers and flags are strict: JSON true is not 1, and 0 is not false.


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Registration(Credentials):
    invite: str | None = Field(default=None, max_length=100, description="An invite code.")


class Me(BaseModel):
    id: str
    username: str
    role: Role
    via: str = Field(description="session or token")
    scopes: list[Scope]
    quota_bytes: int | None
    used_bytes: int = Field(description="Storage counted against the quota (per track).")
    csrf_token: str | None = Field(
        description="Send as X-CSRF-Token with unsafe requests made with the session cookie."
    )


class ServerState(BaseModel):
    needs_setup: bool = Field(description="No user exists yet: the page offers first-run setup.")
    open_registration: bool
    anonymous_listening: bool


class PasswordChange(BaseModel):
    current: str = Field(max_length=1024)
    new: str = Field(max_length=1024)


class SessionOut(BaseModel):
    id: str
    current: bool
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str | None
    address: str | None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, strict=True)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class AppPasswordOut(BaseModel):
    exists: bool
    created_at: datetime | None
    last_used_at: datetime | None = Field(description="Last sign-in of an app with it.")


class NewAppPassword(AppPasswordOut):
    password: str = Field(description="Shown once: type it into the music app with your user name.")


class NewToken(TokenOut):
    token: str = Field(description="Shown once; only its hash is kept.")


class UserIn(Credentials):
    role: Role = Role.MEMBER
    quota_bytes: int | None = Field(default=None, ge=0, strict=True)


class UserPatch(BaseModel):
    role: Role | None = None
    disabled: bool | None = Field(default=None, strict=True)
    quota_bytes: int | None = Field(default=None, ge=0, strict=True)
    clear_quota: bool = Field(default=False, strict=True)
    password: str | None = Field(default=None, max_length=1024)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    role: Role
    disabled: bool
    quota_bytes: int | None
    created_at: datetime


class InviteIn(BaseModel):
    role: Role = Role.MEMBER
    max_uses: int = Field(default=1, ge=1, le=1000, strict=True)
    expires_in_days: int = Field(default=7, ge=1, le=365, strict=True)


class InviteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    role: Role
    max_uses: int
    uses: int
    expires_at: datetime
    created_at: datetime


class NewInvite(InviteOut):
    code: str = Field(description="Shown once; the sign-up link carries it.")
