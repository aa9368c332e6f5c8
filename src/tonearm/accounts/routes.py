"""Accounts over HTTP: first run, sign-in and out, the person's own settings, admin pages.

Paths: ``/api/setup``, ``/api/auth/*``, ``/api/me*``, ``/api/users*``, ``/api/invites*``.
"""

# No `from __future__ import annotations` here: FastAPI reads each route's parameter
# types at definition time, and they name dependencies built per app (local names).

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session as DbSession

from tonearm.accounts import schemas
from tonearm.accounts.app_passwords import AppPasswordService
from tonearm.accounts.auth import COOKIE, Deps, same_origin
from tonearm.accounts.credentials import digest
from tonearm.accounts.principal import Viewer
from tonearm.accounts.service import AccountService
from tonearm.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tonearm.errors import Forbidden, Unauthenticated
from tonearm.models import ApiToken, Invite, Session, User
from tonearm.types import InviteId, TokenId, UserId


@dataclass(frozen=True)
class AccountEdges:
    """What account routes need from other domains, given by the composition root."""

    usage: Callable[[DbSession, UserId], int]
    """Bytes a user's tracks count against their quota."""
    release_owned: Callable[[UnitOfWork, UserId], object]
    """Delete what a user owns (tracks, uploads) before the account goes."""
    adopt_orphans: Callable[[UnitOfWork, UserId], object]
    """Give the first admin the tracks uploaded before accounts existed."""
    anonymous_listening: bool
    cookie_secure: bool | None
    """None: Secure when the request came over HTTPS."""


def build_router(
    *, uows: UnitOfWorkFactory, accounts: AccountService, deps: Deps, edges: AccountEdges
) -> APIRouter:
    router = APIRouter(tags=["accounts"])
    # Type aliases per app: the dependencies belong to this app's authenticator.
    Anyone = Annotated[Viewer, Depends(deps.viewer)]  # noqa: N806

    def sign_in(request: Request, response: Response, user: User) -> schemas.Me:
        old = request.cookies.get(COOKIE)
        with uows() as uow:
            if old:  # rotation: a session id known before sign-in never carries it
                accounts.end_session_by_cookie(uow, old)
            new = accounts.start_session(
                uow,
                user,
                user_agent=request.headers.get("user-agent"),
                address=_address(request),
            )
        secure = edges.cookie_secure
        if secure is None:
            secure = request.url.scheme == "https"
        response.set_cookie(
            COOKIE,
            new.cookie,
            max_age=accounts.policy.session_absolute_s,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
        request.state.csrf = new.session.csrf_token
        return describe_me(
            uows, accounts, edges, accounts.viewer_of_session(user, new.session), request
        )

    @router.get("/api/setup", summary="What the page should offer: first-run setup, sign-up")
    async def server_state() -> schemas.ServerState:
        def state() -> schemas.ServerState:
            with uows.read() as session:
                return schemas.ServerState(
                    needs_setup=accounts.needs_setup(session),
                    open_registration=accounts.policy.open_registration,
                    anonymous_listening=edges.anonymous_listening,
                )

        return await run_in_threadpool(state)

    @router.post("/api/setup", status_code=201, summary="Create the first admin (first run only)")
    async def setup(body: schemas.Credentials, request: Request, response: Response) -> schemas.Me:
        _same_origin_only(request)

        def run() -> schemas.Me:
            with uows() as uow:
                user = accounts.setup(uow, body.username, body.password)
                edges.adopt_orphans(uow, user.id)
            return sign_in(request, response, user)

        return await run_in_threadpool(run)

    @router.post("/api/auth/login", summary="Sign in; sets the session cookie")
    async def login(body: schemas.Credentials, request: Request, response: Response) -> schemas.Me:
        _same_origin_only(request)

        def run() -> schemas.Me:
            address = _address(request)
            try:
                with uows() as uow:
                    user = accounts.authenticate(uow, body.username, body.password, address)
            except Unauthenticated:
                with uows() as uow:
                    accounts.record_failure(uow, body.username, address)
                raise
            return sign_in(request, response, user)

        return await run_in_threadpool(run)

    @router.post("/api/auth/register", status_code=201, summary="Sign up with an invite")
    async def register(
        body: schemas.Registration, request: Request, response: Response
    ) -> schemas.Me:
        _same_origin_only(request)

        def run() -> schemas.Me:
            with uows() as uow:
                user = accounts.register(uow, body.username, body.password, body.invite)
            return sign_in(request, response, user)

        return await run_in_threadpool(run)

    @router.post(
        "/api/auth/logout",
        status_code=204,
        response_class=Response,
        # Signing out works signed in or not (an ended session's cookie is still
        # cleared): the credentials are optional, which an empty requirement says.
        openapi_extra={"security": [{}]},
    )
    async def logout(viewer: Anyone, request: Request) -> Response:
        cookie = request.cookies.get(COOKIE)

        def run() -> None:
            if cookie and viewer.via == "session":
                with uows() as uow:
                    accounts.end_session_by_cookie(uow, cookie)

        await run_in_threadpool(run)
        out = Response(status_code=204)
        out.delete_cookie(COOKIE, path="/")
        return out

    return router


def describe_me(
    uows: UnitOfWorkFactory,
    accounts: AccountService,
    edges: AccountEdges,
    viewer: Viewer,
    request: Request,
) -> schemas.Me:
    with uows.read() as session:
        user = accounts.user(session, viewer.require_user())
        used = edges.usage(session, user.id)
    return schemas.Me(
        id=user.id,
        username=user.username,
        role=user.role,
        via=viewer.via,
        scopes=sorted(viewer.scopes),
        quota_bytes=user.quota_bytes,
        used_bytes=used,
        csrf_token=getattr(request.state, "csrf", None) if viewer.via == "session" else None,
    )


def build_me_router(
    *, uows: UnitOfWorkFactory, accounts: AccountService, deps: Deps, edges: AccountEdges
) -> APIRouter:
    """A person's own account: who, password, sessions, tokens."""
    router = APIRouter(tags=["accounts"])
    Member = Annotated[Viewer, Depends(deps.member)]  # noqa: N806

    @router.get("/api/me", summary="Who is signed in")
    async def get_me(viewer: Member, request: Request) -> schemas.Me:
        return await run_in_threadpool(describe_me, uows, accounts, edges, viewer, request)

    @router.post("/api/me/password", status_code=204, response_class=Response)
    async def change_password(
        viewer: Member, body: schemas.PasswordChange, request: Request
    ) -> Response:
        """Other sessions end; this one stays."""
        _sessions_only(viewer)
        cookie = request.cookies.get(COOKIE)

        def run() -> None:
            with uows() as uow:
                accounts.change_password(
                    uow, viewer, body.current, body.new, digest(cookie) if cookie else None
                )

        await run_in_threadpool(run)
        return Response(status_code=204)

    @router.get("/api/me/sessions", summary="This person's signed-in sessions")
    async def list_sessions(viewer: Member) -> list[schemas.SessionOut]:
        def run() -> list[Session]:
            with uows.read() as session:
                return accounts.sessions(session, viewer)

        return [_session_out(s, viewer) for s in await run_in_threadpool(run)]

    @router.delete("/api/me/sessions/{session_id}", status_code=204, response_class=Response)
    async def end_session(viewer: Member, session_id: str) -> Response:
        def run() -> None:
            with uows() as uow:
                accounts.end_session(uow, viewer, session_id[:64])

        await run_in_threadpool(run)
        return Response(status_code=204)

    @router.delete(
        "/api/me/sessions",
        status_code=204,
        response_class=Response,
        summary="Sign out everywhere (this session too)",
    )
    async def end_all_sessions(viewer: Member) -> Response:
        def run() -> None:
            with uows() as uow:
                accounts.end_all_sessions(uow, viewer)

        await run_in_threadpool(run)
        out = Response(status_code=204)
        out.delete_cookie(COOKIE, path="/")
        return out

    @router.get("/api/me/tokens", summary="Personal API tokens (never their secrets)")
    async def list_tokens(viewer: Member) -> list[schemas.TokenOut]:
        def run() -> list[ApiToken]:
            with uows.read() as session:
                return accounts.tokens(session, viewer)

        return [schemas.TokenOut.model_validate(t) for t in await run_in_threadpool(run)]

    @router.post("/api/me/tokens", status_code=201, summary="A new token, shown once")
    async def create_token(viewer: Member, body: schemas.TokenIn) -> schemas.NewToken:
        _sessions_only(viewer)

        def run() -> tuple[str, ApiToken]:
            with uows() as uow:
                return accounts.create_token(
                    uow,
                    viewer,
                    body.name,
                    body.scopes,
                    expires_in_s=body.expires_in_days * 86400 if body.expires_in_days else None,
                )

        secret, row = await run_in_threadpool(run)
        return schemas.NewToken(**schemas.TokenOut.model_validate(row).model_dump(), token=secret)

    @router.delete("/api/me/tokens/{token_id}", status_code=204, response_class=Response)
    async def revoke_token(viewer: Member, token_id: str) -> Response:
        def run() -> None:
            with uows() as uow:
                accounts.revoke_token(uow, viewer, TokenId(token_id[:64]))

        await run_in_threadpool(run)
        return Response(status_code=204)

    return router


def build_app_password_router(
    *, uows: UnitOfWorkFactory, app_passwords: AppPasswordService, deps: Deps
) -> APIRouter:
    """The Subsonic app password: what music apps sign in with (never the sign-in password)."""
    router = APIRouter(tags=["accounts"])
    Member = Annotated[Viewer, Depends(deps.member)]  # noqa: N806
    path = "/api/me/subsonic-password"

    @router.get(path, summary="Whether a Subsonic app password exists (never the password)")
    async def app_password(viewer: Member) -> schemas.AppPasswordOut:
        def run() -> schemas.AppPasswordOut:
            with uows.read() as session:
                row = app_passwords.status(session, viewer)
                return schemas.AppPasswordOut(
                    exists=row is not None,
                    created_at=row.created_at if row else None,
                    last_used_at=row.last_used_at if row else None,
                )

        return await run_in_threadpool(run)

    @router.post(path, status_code=201, summary="A new Subsonic app password, shown once")
    async def new_app_password(viewer: Member) -> schemas.NewAppPassword:
        """Replaces the old one: apps signed in with it must be given the new one."""
        _sessions_only(viewer)

        def run() -> schemas.NewAppPassword:
            with uows() as uow:
                plain, row = app_passwords.create(uow, viewer)
                return schemas.NewAppPassword(
                    exists=True, created_at=row.created_at, last_used_at=None, password=plain
                )

        return await run_in_threadpool(run)

    @router.delete(path, status_code=204, response_class=Response)
    async def revoke_app_password(viewer: Member) -> Response:
        """Every app signed in with it stops working at its next call."""

        def run() -> None:
            with uows() as uow:
                app_passwords.revoke(uow, viewer)

        await run_in_threadpool(run)
        return Response(status_code=204)

    return router


def build_admin_router(
    *, uows: UnitOfWorkFactory, accounts: AccountService, deps: Deps, edges: AccountEdges
) -> APIRouter:
    """Users and invites, for admins."""
    router = APIRouter(tags=["admin"])
    Admin = Annotated[Viewer, Depends(deps.admin)]  # noqa: N806

    @router.get("/api/users", summary="Every account (admin)")
    async def list_users(viewer: Admin) -> list[schemas.UserOut]:
        def run() -> list[User]:
            with uows.read() as session:
                return accounts.users(session)

        return [schemas.UserOut.model_validate(u) for u in await run_in_threadpool(run)]

    @router.post("/api/users", status_code=201, summary="Create an account (admin)")
    async def create_user(viewer: Admin, body: schemas.UserIn) -> schemas.UserOut:
        def run() -> User:
            with uows() as uow:
                return accounts.create_user(
                    uow, body.username, body.password, body.role, quota_bytes=body.quota_bytes
                )

        return schemas.UserOut.model_validate(await run_in_threadpool(run))

    @router.patch("/api/users/{user_id}", summary="Role, disable, quota, password (admin)")
    async def update_user(viewer: Admin, user_id: str, body: schemas.UserPatch) -> schemas.UserOut:
        uid = UserId(user_id[:64])

        def run() -> User:
            with uows() as uow:
                user = accounts.update_user(
                    uow,
                    uid,
                    role=body.role,
                    disabled=body.disabled,
                    quota_bytes=body.quota_bytes,
                    clear_quota=body.clear_quota,
                )
                if body.password is not None:
                    accounts.set_password(uow, uid, body.password)
                return user

        return schemas.UserOut.model_validate(await run_in_threadpool(run))

    @router.delete("/api/users/{user_id}", status_code=204, response_class=Response)
    async def delete_user(viewer: Admin, user_id: str) -> Response:
        """The account and everything it owns (its tracks; shared audio stays for others)."""
        uid = UserId(user_id[:64])
        if uid == viewer.user_id:
            raise Forbidden("Admins cannot delete their own account here.")

        def run() -> None:
            with uows() as uow:
                accounts.user(uow.session, uid)
                edges.release_owned(uow, uid)
                accounts.delete_user(uow, uid)

        await run_in_threadpool(run)
        return Response(status_code=204)

    @router.get("/api/invites", summary="Invites (admin)")
    async def list_invites(viewer: Admin) -> list[schemas.InviteOut]:
        def run() -> list[Invite]:
            with uows.read() as session:
                return accounts.invites(session)

        return [schemas.InviteOut.model_validate(i) for i in await run_in_threadpool(run)]

    @router.post("/api/invites", status_code=201, summary="A new invite, its code shown once")
    async def create_invite(viewer: Admin, body: schemas.InviteIn) -> schemas.NewInvite:
        def run() -> tuple[str, Invite]:
            with uows() as uow:
                return accounts.create_invite(
                    uow,
                    viewer,
                    role=body.role,
                    max_uses=body.max_uses,
                    expires_in_s=body.expires_in_days * 86400,
                )

        code, row = await run_in_threadpool(run)
        return schemas.NewInvite(**schemas.InviteOut.model_validate(row).model_dump(), code=code)

    @router.delete("/api/invites/{invite_id}", status_code=204, response_class=Response)
    async def revoke_invite(viewer: Admin, invite_id: str) -> Response:
        def run() -> None:
            with uows() as uow:
                accounts.revoke_invite(uow, InviteId(invite_id[:64]))

        await run_in_threadpool(run)
        return Response(status_code=204)

    return router


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _same_origin_only(request: Request) -> None:
    """Sign-in and setup come from our own page (login CSRF), or from a non-browser client."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if (site is not None and site not in ("same-origin", "none")) or (
        origin is not None and not same_origin(origin, request)
    ):
        raise Forbidden("Sign in from this server's own page.", code="csrf")


def _sessions_only(viewer: Viewer) -> None:
    if viewer.via != "session":
        raise Forbidden("Do this signed in with your password, not with an API token.")


def _session_out(row: Session, viewer: Viewer) -> schemas.SessionOut:
    return schemas.SessionOut(
        id=row.public_id,
        current=row.public_id == viewer.session_id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        user_agent=row.user_agent,
        address=row.address,
    )
